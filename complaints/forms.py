"""Forms: parse and validate input; the services keep the rules."""

from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Role, User
from crm_site.accounts.scope import people_for
from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import CleanInputForm
from crm_site.core.versioning import VersionedFormMixin
from customers.fields import CustomerField
from customers.models import Customer
from customers.waybills.forms import WaybillListField

from . import rules
from .models import Channel, Complaint, ComplaintCategory, NoticeMeans, PauseReason, Severity
from .outlets import OUTLET_FIELDS, ComplaintOutletsMixin
from .services import recording_validate
from .services.lifecycle import unit_members

DATETIME_INPUT_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
AUDIO_ACCEPT = ",".join(sorted(rules.ALLOWED_EXTENSIONS)) + ",audio/*"


def _textarea(rows=3):
    return forms.Textarea(attrs={"rows": rows})


class UserChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name()


def _recording_help_text() -> str:
    return _("mp3, wav, m4a, aac, amr or ogg; at most %(limit)d MB.") % {
        "limit": rules.MAX_RECORDING_BYTES // (1024 * 1024)
    }


_recording_help = lazy(_recording_help_text, str)


class RecordingField(forms.FileField):
    """An audio file checked by its bytes, its name and its declared type."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Recording"))
        # Lazy: the field is built at import, the text must follow the page's language.
        kwargs.setdefault("help_text", _recording_help())
        kwargs.setdefault("widget", forms.ClearableFileInput(attrs={"accept": AUDIO_ACCEPT}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            try:
                recording_validate(upload)
            except ValidationError as exc:
                raise ValidationError(exc.message_dict["recording"]) from exc
        return upload


class ComplaintLogForm(IdempotentFormMixin, ComplaintOutletsMixin, CleanInputForm):
    customer = CustomerField(queryset=Customer.objects.none(), label=_("Customer"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    received_at = forms.DateTimeField(
        label=_("Received at"),
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    complainant = forms.CharField(label=_("Complainant"), max_length=100)
    contact_phone = forms.CharField(
        label=_("Contact phone"),
        max_length=40,
        required=False,
        help_text=_("For a letter, ask the customer for a contact phone in the acknowledgement."),
    )
    content = forms.CharField(label=_("Complaint"), widget=_textarea(4))
    waybills = WaybillListField()
    demand = forms.CharField(label=_("Customer's demand"), widget=_textarea(2), required=False)
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=ComplaintCategory.objects.filter(is_active=True),
        empty_label=_("Choose a category"),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.NORMAL,
        widget=forms.RadioSelect,
        help_text=_("A major complaint's solution needs a manager's approval."),
    )
    handler = UserChoiceField(
        label=_("Handler"), queryset=User.objects.none(), required=False, empty_label=_("Me")
    )
    acknowledged_on = forms.DateField(
        label=_("Acknowledgement sent on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Letters: acknowledge receipt to the customer at once."),
    )
    recording = RecordingField(required=False)
    regulatory_due = forms.DateTimeField(
        label=_("Due date on the 12305 transfer notice"),
        required=False,
        input_formats=DATETIME_INPUT_FORMATS,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_(
            "12305 transfers only. Left blank: the regulatory limit in calendar days "
            "from receipt (holidays and make-up days do not change it)."
        ),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)
        if user.is_at_least(Role.SUPERVISOR):
            self.fields["handler"].queryset = people_for(user, "people")
        else:
            del self.fields["handler"]
        self.set_outlet_choices(user=user)

    def clean(self):
        data = super().clean()
        channel = data.get("channel")
        if channel == Channel.LETTER and not data.get("acknowledged_on"):
            self.add_error(
                "acknowledged_on", _("For a letter, enter the date the acknowledgement was sent.")
            )
        if data.get("recording") and channel != Channel.PHONE:
            self.add_error("recording", _("Only phone complaints have a recording."))
        if data.get("regulatory_due") and channel != Channel.POSTAL_12305:
            self.add_error("regulatory_due", _("Only a 12305 transfer has a due date of its own."))
        received_at = data.get("received_at")
        if received_at and received_at > timezone.now() + timedelta(minutes=5):
            self.add_error("received_at", _("The time received cannot be in the future."))
        handler, customer = data.get("handler"), data.get("customer")
        if (
            handler
            and customer
            and not unit_members(customer.unit_id).filter(pk=handler.pk).exists()
        ):
            self.add_error("handler", _("The handler must be a member of the customer's unit."))
        for name in OUTLET_FIELDS:
            outlet = data.get(name)
            if outlet and customer and outlet.unit_id != customer.unit_id:
                self.add_error(name, _("Pick an outlet of the customer's service unit."))
        return data


# --- actions on one complaint -------------------------------------------------


class CommentForm(CleanInputForm):
    comment = forms.CharField(label=_("Comment"), widget=_textarea(2), required=False)

    def __init__(self, *args, complaint=None, **kwargs):
        self.complaint = complaint
        super().__init__(*args, **kwargs)

    def service_kwargs(self) -> dict:
        return dict(self.cleaned_data)


class FindingsForm(VersionedFormMixin, ComplaintOutletsMixin, CommentForm):
    """The complaint's findings (and, as ProposeForm, its solution): shared
    fields, so the form carries the complaint's version (core.versioning)."""

    record_attr = "complaint"
    cause = forms.CharField(label=_("Cause"), widget=_textarea(3))
    responsible_department = forms.CharField(label=_("Responsible department"), max_length=100)
    major = forms.BooleanField(
        label=_("Major complaint"),
        required=False,
        help_text=_("Its solution then needs a manager's approval; it stays major."),
    )
    field_order = ["cause", "responsible_department", *OUTLET_FIELDS, "major", "comment"]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        if complaint is None or complaint.severity == Severity.MAJOR:
            del self.fields["major"]
        if complaint is not None:
            self.set_outlet_choices(user=None, unit_id=complaint.unit_id, complaint=complaint)
        if complaint is not None and not self.is_bound:
            self.initial.update(
                cause=complaint.cause, responsible_department=complaint.responsible_department
            )

    def service_kwargs(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop(self.digest_field, None)
        return data


class ProposeForm(FindingsForm):
    solution = forms.CharField(label=_("Solution"), widget=_textarea(4))
    field_order = ["cause", "responsible_department", "solution"]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        del self.fields["comment"]
        self.fields.pop("major", None)
        for name in OUTLET_FIELDS:
            del self.fields[name]
        if complaint is not None and not self.is_bound:
            self.initial["solution"] = complaint.solution


class SendBackForm(CommentForm):
    comment = forms.CharField(label=_("Why is it sent back?"), widget=_textarea(3))


class AssignForm(CommentForm):
    handler = UserChoiceField(label=_("Handler"), queryset=User.objects.none())
    field_order = ["handler", "comment"]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        if complaint is not None:
            self.fields["handler"].queryset = unit_members(complaint.unit_id).order_by(
                "full_name", "username"
            )
            self.initial.setdefault("handler", complaint.handler_id)


class NotifyForm(CommentForm):
    notified_on = forms.DateField(
        label=_("Notice sent on"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    means = forms.ChoiceField(
        label=_("Sent by"),
        choices=NoticeMeans.choices,
        help_text=_(
            "A general complaint's outcome may be told by phone; a major complaint's "
            "needs a written notice."
        ),
    )
    field_order = ["notified_on", "means", "comment"]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        self.initial.setdefault("notified_on", timezone.localdate())
        if complaint is not None and complaint.severity == Severity.MAJOR:
            self.fields["means"].choices = [
                (value, label)
                for value, label in NoticeMeans.choices
                if rules.notice_means_allowed(value, severity=complaint.severity)
            ]


class PauseForm(CommentForm):
    reason = forms.ChoiceField(
        label=_("Waiting for"), choices=PauseReason.choices, widget=forms.RadioSelect
    )
    field_order = ["reason", "comment"]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        self.fields["comment"].label = _("Details")
        self.fields["comment"].help_text = _(
            "The internal deadline stops until the clock is resumed; the regulatory "
            "due date does not."
        )


class ReturnVisitForm(CommentForm):
    satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"),
        choices=[
            ("yes", _("Satisfied: close the complaint")),
            ("no", _("Not satisfied: reopen it")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    comment = None  # type: ignore[assignment]
    note = forms.CharField(label=_("Note"), widget=_textarea(2), required=False)


class RecordingForm(CommentForm):
    recording = RecordingField()
    comment = None  # type: ignore[assignment]


class WaybillsForm(CommentForm):
    """The complaint's waybill numbers, as a list to edit."""

    waybills = WaybillListField()
    comment = None  # type: ignore[assignment]

    def __init__(self, *args, complaint=None, **kwargs):
        super().__init__(*args, complaint=complaint, **kwargs)
        if complaint is not None and not self.is_bound:
            self.initial["waybills"] = "\n".join(w.number for w in complaint.waybills.all())


class MergeForm(CleanInputForm):
    """Merge this complaint and another about the same waybill; one survives."""

    KEEP_THIS, KEEP_OTHER = "this", "other"

    other: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("The other complaint"),
        queryset=Complaint.objects.none(),
        empty_label=_("Choose a complaint"),
    )
    keep = forms.ChoiceField(
        label=_("Which one is kept?"),
        choices=[
            (KEEP_THIS, _("This complaint: the other is merged into it")),
            (KEEP_OTHER, _("The other complaint: this one is merged into it")),
        ],
        initial=KEEP_THIS,
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other"].queryset = candidates
        self.fields["other"].label_from_instance = lambda c: (
            f"{c.number} · {c.customer.name} · {timezone.localtime(c.received_at):%Y-%m-%d}"
        )

    def survivor_and_merged(self, complaint):
        other = self.cleaned_data["other"]
        if self.cleaned_data["keep"] == self.KEEP_THIS:
            return complaint, other
        return other, complaint
