import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.core.inputs import CleanInputForm

from .models import AUDIT_ACTION_LABELS, AuditLog


class AuditLogFilter(django_filters.FilterSet):
    action = django_filters.ChoiceFilter(label=_("action"), choices=[], empty_label=_("All"))
    actor = django_filters.CharFilter(
        label=_("username"), field_name="actor_username", lookup_expr="iexact"
    )
    object_type = django_filters.CharFilter(label=_("object type"), lookup_expr="iexact")
    since = django_filters.DateFilter(
        label=_("from"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("to"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLog
        form = CleanInputForm
        fields = ["action", "actor", "object_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
        self.filters["action"].extra["choices"] = [
            (a, AUDIT_ACTION_LABELS.get(a, a)) for a in actions
        ]
