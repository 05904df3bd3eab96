"""The outlet register's filters: search, kind, unit, region, active; sorting."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region
from crm_site.accounts.scope import units_for
from crm_site.core.filters import ListFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm

from .models import Outlet, OutletKind

ACTIVE_CHOICES = [("yes", _("In use")), ("no", _("Not in use"))]


class OutletFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    q = django_filters.CharFilter(label=_("Search"), method="search", max_length=100)
    kind = django_filters.ChoiceFilter(
        label=_("Outlet kind"), choices=OutletKind.choices, empty_label=_("All kinds")
    )
    unit = unit_filter(label=_("Service unit"), empty_label=_("All units"))
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.none(), empty_label=_("All regions")
    )
    active = django_filters.ChoiceFilter(
        label=_("In use"), choices=ACTIVE_CHOICES, empty_label=_("All"), method="filter_active"
    )
    sort = django_filters.OrderingFilter(
        fields=(
            ("code", "code"),
            ("name", "name"),
            ("kind", "kind"),
            ("unit__code", "unit"),
            ("updated_at", "updated"),
        ),
        widget=forms.HiddenInput,
    )

    class Meta:
        form = CleanInputForm
        model = Outlet
        fields = ["q", "kind", "unit", "region", "active"]

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units_for(user, "view")
        self.filters["region"].queryset = Region.objects.order_by("code")
        for name, field in self.form.fields.items():
            if name == "sort":
                continue
            css = "form-control" if name == "q" else "form-select js-autosubmit"
            field.widget.attrs.setdefault("class", css)
        self.form.fields["q"].widget.attrs.setdefault("placeholder", _("Outlet code or name"))

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(code__istartswith=value) | Q(name__icontains=value))

    def filter_active(self, queryset, name, value):
        return queryset.filter(is_active=value == "yes") if value else queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if not queryset.query.order_by:
            queryset = queryset.order_by("code")
        return queryset.order_by(*queryset.query.order_by, "pk")

    def unfiltered(self, queryset):
        return queryset.order_by("code", "pk")
