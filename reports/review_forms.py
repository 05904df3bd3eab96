"""Forms of the big-customer review pages."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.core.inputs import CleanInputForm

from . import reviews
from .forms import UnitForm


class ReviewOpenForm(UnitForm):
    """Open (or go to) the review of a unit for a quarter."""

    quarter = forms.CharField(
        label=_("Quarter"),
        error_messages={"required": _("Pick a quarter.")},
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].error_messages |= {
            "invalid_choice": _("Pick one of your service units."),
            "required": _("Pick a service unit."),
        }
        quarters = reviews.recent_quarters(timezone.localdate())
        label = reviews.quarter_label
        self.fields["quarter"].widget.choices = [(label(q), label(q)) for q in quarters]

    def clean_quarter(self):
        quarter = reviews.quarter_parse(self.cleaned_data["quarter"])
        if quarter is None:
            raise forms.ValidationError(_("Enter a quarter as YYYYQn, for example 2026Q4."))
        if quarter > reviews.quarter_of(timezone.localdate()):
            raise forms.ValidationError(_("A quarter that has not begun yet cannot be reviewed."))
        return quarter


class ReviewItemForm(CleanInputForm):
    """The checklist and findings of one customer."""

    checks = forms.MultipleChoiceField(
        label=_("Checklist"),
        required=False,
        choices=reviews.CHECKLIST,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Unknown checklist item.")},
    )
    findings = forms.CharField(
        label=_("Findings"),
        required=False,
        max_length=reviews.FINDINGS_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        error_messages={"max_length": _("Keep the findings under %(limit_value)d characters.")},
    )

    def clean(self):
        data = super().clean()
        if not self.errors and not data.get("checks") and not (data.get("findings") or "").strip():
            raise forms.ValidationError(
                _("Tick the checklist items that were done, or write down the findings.")
            )
        return data
