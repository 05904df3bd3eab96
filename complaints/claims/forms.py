"""Claim forms: parse and validate input; the services keep the rules."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import CleanInputForm, HalfWidthDecimalField
from customers.models import Waybill

from . import rules
from .models import ClaimKind

EVIDENCE_ACCEPT = ",".join(sorted(rules.ALLOWED_EXTENSIONS)) + ",image/*,application/pdf"
MAX_AMOUNT = 10**10 - 1


def _evidence_help_text() -> str:
    return _("Photos (jpg, png, webp) or PDF receipts; at most %(limit)d MB each.") % {
        "limit": rules.MAX_EVIDENCE_BYTES // (1024 * 1024)
    }


_evidence_help = lazy(_evidence_help_text, str)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceField(forms.FileField):
    """Several photos or receipts; each is checked by the service (size, name, bytes)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Evidence (photos, receipts)"))
        kwargs.setdefault("help_text", _evidence_help())
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": EVIDENCE_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def amount_field(label, **kwargs) -> HalfWidthDecimalField:
    return HalfWidthDecimalField(
        label=label,
        max_digits=12,
        decimal_places=2,
        min_value=0,
        max_value=MAX_AMOUNT,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        **kwargs,
    )


class WaybillChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.number


class ClaimCreateForm(IdempotentFormMixin, CleanInputForm):
    kind = forms.ChoiceField(label=_("Claim type"), choices=ClaimKind.choices)
    waybills = WaybillChoiceField(
        label=_("Waybills"),
        queryset=Waybill.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    amount_claimed = amount_field(_("Amount claimed (yuan)"))
    declared_value = amount_field(_("Declared value (yuan)"), required=False)
    insured = forms.BooleanField(label=_("Insured (保价)"), required=False)
    description = forms.CharField(
        label=_("What happened"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    evidence = EvidenceField(required=False)

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.complaint = complaint
        self.fields["waybills"].queryset = complaint.waybills.order_by("number")
        if not self.fields["waybills"].queryset.exists():
            del self.fields["waybills"]

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.setdefault("waybills", [])
        data["files"] = data.pop("evidence", [])
        return data


class ActionForm(CleanInputForm):
    """A step on the claim page."""

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.claim = claim

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class AssessForm(ActionForm):
    assessed_amount = amount_field(_("Assessed amount (yuan)"))
    note = forms.CharField(
        label=_("Assessment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, claim=claim, **kwargs)
        if claim is not None:
            self.initial.setdefault(
                "assessed_amount", claim.assessed_amount or claim.amount_claimed
            )


class ApproveForm(ActionForm):
    comment = forms.CharField(
        label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class RejectForm(ActionForm):
    reason = forms.CharField(
        label=_("Reason for rejection"), widget=forms.Textarea(attrs={"rows": 2})
    )


class PayForm(ActionForm):
    paid_amount = amount_field(_("Amount paid (yuan)"))
    paid_on = forms.DateField(
        label=_("Paid on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    reference = forms.CharField(label=_("Payment reference"), max_length=100, required=False)

    def __init__(self, *args, claim=None, **kwargs):
        super().__init__(*args, claim=claim, **kwargs)
        self.initial.setdefault("paid_on", timezone.localdate())
        if claim is not None and claim.assessed_amount is not None:
            self.initial.setdefault("paid_amount", claim.assessed_amount)


class EvidenceForm(ActionForm):
    evidence = EvidenceField()

    def clean_evidence(self):
        files = self.cleaned_data["evidence"]
        if not files:
            raise ValidationError(_("Choose at least one file."))
        return files

    def service_kwargs(self) -> dict:
        return {"files": self.cleaned_data["evidence"]}
