"""Filters of a list of planned contacts: whose calendar (as the calendar page
offers it), which days, state and kind."""

import django_filters
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit, User
from crm_site.core.filters import ListFilterSet
from crm_site.core.inputs import CleanInputForm

from . import selectors
from .models import ContactKind, PlannedContact


class PlannedContactFilter(ListFilterSet):
    # Whose calendar and which days are the selector's (calendar_contacts);
    # the filters below only validate them.
    person = django_filters.ModelChoiceFilter(
        queryset=User.objects.none(),
        method="by_selector",
        label=_("Person"),
        error_messages={"invalid_choice": _("Pick a person whose calendar you may open.")},
    )
    unit = django_filters.ModelChoiceFilter(
        queryset=ServiceUnit.objects.none(),
        method="by_selector",
        label=_("Service unit"),
        error_messages={"invalid_choice": _("Pick one of your service units.")},
    )
    date_from = django_filters.DateFilter(method="by_selector", label=_("From"))
    date_to = django_filters.DateFilter(method="by_selector", label=_("To"))
    state = django_filters.ChoiceFilter(
        choices=PlannedContact.State.choices, label=_("State"), empty_label=_("All")
    )
    kind = django_filters.ChoiceFilter(
        choices=ContactKind.choices, label=_("Kind"), empty_label=_("All")
    )

    class Meta:
        model = PlannedContact
        form = CleanInputForm
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, user, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["person"].queryset = selectors.calendar_people(user=user)
        self.filters["unit"].queryset = selectors.calendar_units(user=user)

    def by_selector(self, queryset, name, value):
        return queryset

    def calendar(self) -> dict:
        """calendar_contacts' arguments: the days and whose calendar (the
        user's own when neither a person nor a unit is given)."""
        data = self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}
        return {
            "start": data.get("date_from"),
            "end": data.get("date_to"),
            "person": data.get("person"),
            "unit": data.get("unit"),
        }
