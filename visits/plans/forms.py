"""Forms of service plans and planned contacts."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import User
from crm_site.core.inputs import CleanInputForm, CleanInputModelForm
from crm_site.core.services import work_calendar
from customers.fields import CustomerField
from customers.models import Customer, GradingRule
from customers.voice.models import SURVEY_ITEMS

from . import selectors
from .models import ContactKind, ServicePlan
from .services import PLAN_FIELDS


class ServicePlanForm(CleanInputModelForm):
    survey_items = forms.MultipleChoiceField(
        label=_("survey items to probe"),
        required=False,
        choices=[(name, label) for name, label, _good, _poor in SURVEY_ITEMS],
        widget=forms.CheckboxSelectMultiple,
    )
    grades = forms.MultipleChoiceField(
        label=_("grades covered"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None ticked: every graded customer of the unit."),
    )

    class Meta:
        model = ServicePlan
        fields = ["unit", *PLAN_FIELDS, "people"]
        widgets = {
            "start": forms.DateInput(attrs={"type": "date"}),
            "end": forms.DateInput(attrs={"type": "date"}),
            "goal_development": forms.Textarea(attrs={"rows": 3}),
            "goal_relationship": forms.Textarea(attrs={"rows": 3}),
            "goal_after_sales": forms.Textarea(attrs={"rows": 3}),
            "key_services": forms.Textarea(attrs={"rows": 3}),
            "people": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, units, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["people"].queryset = people
        self.fields["people"].required = False
        codes = list(GradingRule.objects.current().cadence())
        self.fields["grades"].choices = [(c, c) for c in codes]

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            self.add_error("end", _("The last day is before the first."))
        return data

    def service_fields(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("unit", None)
        data.pop("people", None)
        return data


class CancelForm(CleanInputForm):
    reason = forms.CharField(label=_("reason"), max_length=200)


def _serves(person, customer) -> bool:
    """Whether `person` may have a contact with `customer` on their calendar: a
    member of the customer's unit, or the person named on the customer to
    visit or sell to it (who may be of another unit by exception)."""
    if person.pk in (customer.visiting_person_id, customer.sales_owner_id):
        return True
    return customer.unit_id in person.unit_ids


class PlannedContactForm(CleanInputForm):
    """Plan one contact by hand: a customer in the user's scope, on the
    calendar of a person the user may open (their own when none is named), on
    a working day from today on, with an optional time window."""

    customer = CustomerField(queryset=Customer.objects.none(), label=_("Customer"))
    person = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label=_("Person"),
        error_messages={"invalid_choice": _("Pick a person whose calendar you may open.")},
    )
    day = forms.DateField(label=_("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContactKind.choices)
    purpose = forms.CharField(label=_("Purpose"), required=False, max_length=200)
    start_time = forms.TimeField(
        label=_("Start time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("End time"), required=False, widget=forms.TimeInput(attrs={"type": "time"})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["person"].queryset = selectors.calendar_people(user=user)

    def clean_person(self):
        person = self.cleaned_data.get("person")
        if person is not None:
            return person
        # None named: the user's own calendar, if they have one to plan on.
        own = self.fields["person"].queryset.filter(pk=self.user.pk).first()
        if own is None:
            raise forms.ValidationError(_("Name the person whose calendar the contact goes on."))
        return own

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day < timezone.localdate():
            raise forms.ValidationError(_("A contact cannot be planned on a day that is over."))
        if not work_calendar(day, day).is_working_day(day):
            raise forms.ValidationError(_("This day is not a working day."))
        return day

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if end is not None and start is None:
            self.add_error("start_time", _("Give the start time too."))
        elif start is not None and end is not None and end <= start:
            self.add_error("end_time", _("The end time is not after the start time."))
        customer, person = data.get("customer"), data.get("person")
        if customer is not None and person is not None and not _serves(person, customer):
            # A manager of two units could otherwise put one unit's customer
            # on the calendar of a member of the other.
            self.add_error(
                "person",
                _(
                    "%(person)s is neither of %(unit)s, the customer's unit, nor the "
                    "customer's visiting person or sales owner."
                )
                % {"person": person.get_full_name(), "unit": customer.unit.name},
            )
        return data

    def service_kwargs(self) -> dict:
        """planned_contact_create's arguments (besides the actor)."""
        d = self.cleaned_data
        names = ("customer", "person", "day", "kind", "purpose", "start_time", "end_time")
        return {name: d[name] for name in names}
