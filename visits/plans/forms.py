"""Forms of service plans and planned contacts."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.core.inputs import CleanInputForm, CleanInputModelForm
from customers.models import GradingRule
from customers.voice.models import SURVEY_ITEMS

from .models import ServicePlan


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
        fields = [
            "unit",
            "title",
            "period",
            "start",
            "end",
            "goal_development",
            "goal_relationship",
            "goal_after_sales",
            "key_services",
            "survey_items",
            "grades",
            "visits_target",
            "people",
        ]
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
