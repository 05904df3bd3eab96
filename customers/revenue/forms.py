"""Revenue forms: the turnover upload, a supervisor's edit, a target."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit, User
from crm_site.accounts.scope import people_for, units_for
from crm_site.core import months
from crm_site.core.inputs import CleanInputForm, CleanInputModelForm
from crm_site.core.versioning import VersionedFormMixin

from .. import xlsx as book
from ..models import GradingRule
from .models import MonthlyTurnover


class TurnoverUploadForm(CleanInputForm):
    file = forms.FileField(label=_("Turnover file (.xlsx)"))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > book.MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB. Split it into several files.")
                % {"mb": book.MAX_UPLOAD_BYTES // (1024 * 1024)}
            )
        return upload


class TurnoverEditForm(VersionedFormMixin, CleanInputModelForm):
    class Meta:
        model = MonthlyTurnover
        fields = ["amount"]


class MonthField(forms.CharField):
    def to_python(self, value):
        text = super().to_python(value)
        if not text:
            return None
        month = months.parse(text)
        if month is None or not 1970 <= month.year <= 2100:
            raise forms.ValidationError(_("Give the month as YYYY-MM."))
        return month


class TargetForm(CleanInputForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Service unit"), queryset=ServiceUnit.objects.none()
    )
    month = MonthField(label=_("Month (YYYY-MM)"))
    amount = forms.DecimalField(
        label=_("Target (CNY)"), min_value=Decimal(0), max_digits=14, decimal_places=2
    )
    person: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Person (optional)"), queryset=User.objects.none(), required=False
    )
    grade = forms.ChoiceField(label=_("Grade (optional)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, "review")
        self.fields["person"].queryset = people_for(user)
        codes = GradingRule.objects.current().as_rule().grade_codes()
        self.fields["grade"].choices = [("", "—"), *((c, c) for c in codes)]


class GapForm(CleanInputForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Service unit"), queryset=ServiceUnit.objects.none(), required=False
    )
    month = MonthField(label=_("Up to month (YYYY-MM)"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, "review")
