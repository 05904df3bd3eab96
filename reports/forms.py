"""Forms of the monthly summary pages: parse and validate; services keep the rules."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.core import months
from crm_site.core.inputs import CleanInputForm, MonthField
from crm_site.core.versioning import VersionedFormMixin

TEXT_LIMIT = 10_000


class UnitForm(CleanInputForm):
    """A form on one of the service units given as `units` (none without)."""

    unit = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(),
        label=_("Service unit"),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, units=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else ServiceUnit.objects.none()


class BuildForm(UnitForm):
    """'Build this month': a unit the user may build and a month that has begun."""

    month = MonthField(label=_("Month"))

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month > months.first_of(timezone.localdate()):
            raise forms.ValidationError(_("A month that has not begun yet cannot be summarised."))
        return month


class CommentaryForm(VersionedFormMixin, CleanInputForm):
    """The supervisor's commentary; carries the summary's version (core.versioning)."""

    record_attr = "summary"

    commentary = forms.CharField(
        label=_("Supervisor's commentary"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 6, "class": "form-control"}),
        help_text=_(
            "Your reading of the month: what went well, what did not, what the unit will do "
            "next month. Kept when the figures are rebuilt."
        ),
    )

    def __init__(self, *args, summary=None, **kwargs):
        self.summary = summary
        super().__init__(*args, **kwargs)


class ReviewForm(CleanInputForm):
    review_comment = forms.CharField(
        label=_("Manager's review"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class BigCustomerReportForm(CleanInputForm):
    """The big-customer revenue report's choice: monthly, quarterly or annual, the
    period ("2026-11", "2026Q4", "2026") and a unit (checked against the user's
    units by the view: another unit is a 404)."""

    kind = forms.ChoiceField(
        label=_("Report"),
        choices=[("month", _("Monthly")), ("quarter", _("Quarterly")), ("year", _("Annual"))],
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    period = forms.CharField(
        label=_("Period"),
        required=False,
        max_length=7,
        help_text=_("2026-11, 2026Q4 or 2026"),
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )
    unit = forms.IntegerField(
        label=_("Service unit"), required=False, min_value=1, widget=forms.HiddenInput
    )

    def clean(self):
        from .big_customers import period_parse

        data = super().clean()
        kind = data.get("kind") or "month"
        data["kind"] = kind
        if data.get("period"):
            parsed = period_parse(kind, data["period"])
            if parsed is None:
                self.add_error("period", _("Give the period as 2026-11, 2026Q4 or 2026."))
            data["parsed"] = parsed
        return data
