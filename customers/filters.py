"""The customer list's filters; the export takes exactly the same parameters."""

import django_filters
from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django_filters.constants import EMPTY_VALUES

from crm_site.accounts.models import Region
from crm_site.core.inputs import CleanInputForm

from . import cargo, services
from .models import Customer, Nature, Outlet, Status, Trend


def _set_choices(field, choices) -> None:
    """Fixed choices for a model choice field (validation still reads its queryset).
    django-filter's own setter would wrap them in a queryset iterator again."""
    forms.ChoiceField.choices.fset(field, [("", field.empty_label), *choices])  # type: ignore[union-attr]


class SearchFilter(django_filters.CharFilter):
    """Code, name or contact phone (CustomerQuerySet.search)."""

    def filter(self, qs, value):
        return qs.search(value) if value not in EMPTY_VALUES else qs


class CargoCodeFilter(django_filters.ChoiceFilter):
    """Customers whose cargo list `field_name` holds the chosen code
    (customers/cargo.py), e.g. those needing cold chain."""

    def filter(self, qs, value):
        return qs.filter(cargo.has_code(self.field_name, value)) if value else qs


class LoadTypeFilter(django_filters.ChoiceFilter):
    """LTL: customers shipping LTL only or both; FTL likewise; both: both."""

    def filter(self, qs, value):
        return qs.filter(cargo.load_type_q(value)) if value else qs


# Filters the list offers only once in use (a link from an outlet page or a
# card names them): unused, the list's filter bar is as it was without them.
EXTRA_FILTERS = ("serving_outlet", "equipment", "transport_mode", "load_type")


class CustomerFilter(django_filters.FilterSet):
    q = SearchFilter(label=_("Search"), max_length=100)
    grade = django_filters.ChoiceFilter(label=_("Grade"), empty_label=_("All grades"))
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Status.choices, empty_label=_("All statuses")
    )
    unit = django_filters.ModelChoiceFilter(
        label=_("Service unit"), queryset=Region.objects.none(), empty_label=_("All units")
    )
    region = django_filters.ModelChoiceFilter(
        label=_("Region"), queryset=Region.objects.all(), empty_label=_("All regions")
    )
    nature = django_filters.ChoiceFilter(
        label=_("Nature"), choices=Nature.choices, empty_label=_("All natures")
    )
    trend = django_filters.ChoiceFilter(
        label=_("Development trend"), choices=Trend.choices, empty_label=_("All trends")
    )
    # Choices from the people list the view loads once (also used by bulk reassignment).
    visiting_person = django_filters.ChoiceFilter(
        label=_("Visiting person"), empty_label=_("Anyone")
    )
    serving_outlet = django_filters.ModelChoiceFilter(
        label=_("Serving outlet"), queryset=Outlet.objects.none(), empty_label=_("Any outlet")
    )
    equipment = CargoCodeFilter(
        label=_("Equipment needed"),
        field_name="equipment",
        choices=cargo.Equipment.choices,
        empty_label=_("Any equipment"),
    )
    transport_mode = CargoCodeFilter(
        label=_("Transport mode"),
        field_name="transport_modes",
        choices=cargo.TransportMode.choices,
        empty_label=_("Any mode"),
    )
    load_type = LoadTypeFilter(
        label=_("LTL or FTL"), choices=cargo.LoadType.choices, empty_label=_("Any")
    )

    extra_filters = EXTRA_FILTERS

    class Meta:
        model = Customer
        form = CleanInputForm
        fields = [
            "q",
            "grade",
            "status",
            "unit",
            "region",
            "nature",
            "trend",
            "visiting_person",
            *EXTRA_FILTERS,
        ]

    def __init__(
        self, data=None, queryset=None, *, user, grade_choices, people, regions=None, **kwargs
    ):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = services.scope_units(user)
        self.filters["serving_outlet"].queryset = Outlet.objects.visible_to(user)
        self.form.fields["serving_outlet"].queryset = Outlet.objects.visible_to(user).order_by(
            "code"
        )
        # The choices as plain lists, set on the form's own fields after the form
        # copied them (the hundred and more people are not deep-copied on every
        # page): a supervisor's units are the memberships the request has loaded
        # already, the regions one small query (a model choice field would read
        # each through a server-side cursor on every list page), or as given.
        fields = self.form.fields
        fields["grade"].choices = grade_choices
        fields["visiting_person"].choices = [(p.pk, p.get_full_name()) for p in people]
        _set_choices(fields["unit"], [(u.pk, str(u)) for u in services.scope_unit_list(user)])
        if regions is None:
            regions = Region.objects.order_by("code").values_list("pk", "name")
        _set_choices(fields["region"], regions)
        for name, field in self.form.fields.items():
            css = "form-control" if name == "q" else "form-select js-autosubmit"
            field.widget.attrs.setdefault("class", css)
        self.form.fields["q"].widget.attrs.setdefault(
            "placeholder", _("Code, name or contact phone")
        )

    @classmethod
    def apply(cls, queryset, filters):
        """`queryset` under validated filters, without a form: what `qs` does with the
        form's cleaned data, for values given as they are or in JSON-safe form
        (a unit or region by its pk)."""
        for name, value in filters.items():
            queryset = cls.base_filters[name].filter(queryset, value)
        return queryset

    def cleaned_filters(self) -> dict:
        """The valid filters in use, JSON-safe (what `apply` takes; an export job keeps them)."""
        if not self.is_bound:
            return {}
        self.form.is_valid()
        return {
            name: value.pk if isinstance(value, Model) else value
            for name, value in self.form.cleaned_data.items()
            if value not in EMPTY_VALUES
        }

    def active_filters(self) -> dict:
        """The filters in use, for the audit log and the "clear" link."""
        if not self.is_bound or not self.form.is_valid():
            return {}
        return {k: v for k, v in self.form.cleaned_data.items() if v not in (None, "")}
