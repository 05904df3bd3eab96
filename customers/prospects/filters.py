"""The filters of the development pipeline and of the care-date list."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.core.filters import ListFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm
from customers import services
from customers.models import Contact, Prospect, Step


class ProspectFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    q = django_filters.CharFilter(
        label=_("Search"), field_name="name", lookup_expr="icontains", max_length=100
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Prospect.Status.choices, empty_label=_("All statuses")
    )
    step = django_filters.ChoiceFilter(
        label=_("Step reached"), choices=Step.choices, empty_label=_("All steps")
    )
    unit = unit_filter(label=_("Service unit"), empty_label=_("All units"))
    owner = django_filters.ChoiceFilter(label=_("Developed by"), empty_label=_("Anyone"))
    sort = django_filters.OrderingFilter(
        fields=(
            ("name", "name"),
            ("step", "step"),
            ("success_rate", "rate"),
            ("appointment_at", "appointment"),
            ("updated_at", "updated"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        form = CleanInputForm
        model = Prospect
        fields = ["q", "status", "step", "unit", "owner"]

    def __init__(self, data=None, queryset=None, *, request, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        user = request.user
        self.filters["unit"].queryset = services.scope_units(user)
        self.filters["owner"].extra["choices"] = [
            (p.pk, p.get_full_name()) for p in services.scope_users(user)
        ]
        for name, field in self.form.fields.items():
            if name == "sort":
                continue
            css = "form-control" if name == "q" else "form-select js-autosubmit"
            field.widget.attrs.setdefault("class", css)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by("-updated_at", "-pk")
        return queryset


CARE_WINDOWS = [(7, _("Next 7 days")), (30, _("Next 30 days")), (60, _("Next 60 days"))]
DEFAULT_CARE_WINDOW = 30


class CareFilter(ListFilterSet):
    """The care-date list: how far ahead (`window()`, 30 days by default), the
    occasion (both unless asked) and a unit. All or none: a wrong field gives the
    default list."""

    days = django_filters.TypedChoiceFilter(
        label=_("When"), coerce=int, choices=CARE_WINDOWS, method="filter_nothing"
    )
    kind = django_filters.ChoiceFilter(
        label=_("Occasion"),
        field_name="care_kind",
        choices=Contact.CareKind.choices,
        empty_label=_("Birthdays and anniversaries"),
    )
    unit = unit_filter(
        label=_("Service unit"), field_name="customer__unit", empty_label=_("All units")
    )

    class Meta:
        form = CleanInputForm
        model = Contact
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = services.scope_units(user)
        self.form.fields["days"].initial = DEFAULT_CARE_WINDOW
        for field in self.form.fields.values():
            field.widget.attrs.setdefault("class", "form-select js-autosubmit")

    def filter_nothing(self, queryset, name, value):
        return queryset  # the window is read by window()

    def window(self) -> int:
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return data.get("days") or DEFAULT_CARE_WINDOW
