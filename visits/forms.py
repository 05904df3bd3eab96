from datetime import datetime, timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import CleanInputForm, MonthField
from customers.fields import CustomerField
from customers.models import Customer
from customers.waybills.forms import WaybillListField

from .intelligence import MAX_NAME, MAX_TAGS, split_competitor_names
from .models import DailyReport, DailyReportEntry, Kind
from .services import TEXT_FIELDS, EntryContent

# How far past "now" a visit time on today's report may lie.
FUTURE_SLACK = timedelta(minutes=15)


class EntryForm(IdempotentFormMixin, CleanInputForm):
    """One customer contacted: the six items of the daily report form (日报表)."""

    customer = CustomerField(queryset=Customer.objects.none(), label=_("Customer"))
    kind = forms.ChoiceField(
        label=_("Visit or call"), choices=Kind.choices, widget=forms.RadioSelect, initial=Kind.VISIT
    )
    time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(format="%H:%M", attrs={"type": "time", "class": "form-control"}),
    )
    opinions = forms.CharField(
        label=_("Customer opinions, suggestions and wishes"), required=False, max_length=5000
    )
    market = forms.CharField(
        label=_("Market conditions, competitor moves, other companies' sales policies"),
        required=False,
        max_length=5000,
    )
    competitors = forms.CharField(
        label=_("Competitors named"),
        required=False,
        max_length=300,
        help_text=_(
            "Competitors this item is about, separated by commas (for example 顺丰, 德邦); "
            "a new name becomes a new tag."
        ),
        widget=forms.TextInput(
            attrs={"class": "form-control", "list": "competitor-names", "autocomplete": "off"}
        ),
    )
    waybills = WaybillListField()
    effect = forms.CharField(label=_("Effect of the visit"), required=False, max_length=5000)
    handling = forms.CharField(
        label=_("Handling of the main matters and the result"), required=False, max_length=5000
    )
    other = forms.CharField(label=_("Other matters to report"), required=False, max_length=5000)
    needs_escalation = forms.BooleanField(
        label=_("Needs escalation (the unit cannot settle it alone)"), required=False
    )
    escalation_reason = forms.CharField(
        label=_("Why it needs escalation"), required=False, max_length=2000
    )

    def __init__(self, *args, user, report: DailyReport, **kwargs):
        super().__init__(*args, **kwargs)
        self.report = report
        self.fields["customer"].queryset = Customer.objects.visible_to(user)  # type: ignore[attr-defined]
        for name in TEXT_FIELDS + ("escalation_reason",):
            self.fields[name].widget = forms.Textarea(attrs={"rows": 3, "class": "form-control"})
        self.fields["needs_escalation"].widget.attrs.update(
            {"class": "form-check-input", "role": "switch"}
        )

    def clean_time(self):
        """On today's report a contact cannot lie ahead: a little slack for a
        clock that runs fast or an entry typed just before the visit."""
        value = self.cleaned_data["time"]
        now = timezone.localtime()
        if self.report.date == now.date():
            at = timezone.make_aware(datetime.combine(self.report.date, value))
            if at > now + FUTURE_SLACK:
                raise forms.ValidationError(
                    _(
                        "%(time)s is still to come: today's report records contacts "
                        "already made (until %(latest)s)."
                    )
                    % {
                        "time": value.strftime("%H:%M"),
                        "latest": (now + FUTURE_SLACK).strftime("%H:%M"),
                    },
                    code="future",
                )
        return value

    def clean(self):
        data = super().clean()
        if data.get("needs_escalation") and not (data.get("escalation_reason") or "").strip():
            self.add_error(
                "escalation_reason", _("Say why this needs escalation, so your supervisor can act.")
            )
        names = split_competitor_names(data.get("competitors", ""))
        if len(names) > MAX_TAGS:
            self.add_error(
                "competitors",
                _("Name at most %(max)d competitors per entry.") % {"max": MAX_TAGS},
            )
        elif any(len(name) > MAX_NAME for name in names):
            self.add_error(
                "competitors",
                _("A competitor's name can be at most %(max)d characters.") % {"max": MAX_NAME},
            )
        elif names and not (data.get("market") or "").strip():
            self.add_error("market", _("Write what you heard about the competitors you tagged."))
        data["competitor_names"] = names
        if not any((data.get(name) or "").strip() for name in TEXT_FIELDS):
            self.add_error(
                None,
                _("Write down at least one item: opinions, market, effect, handling or other."),
            )
        return data

    def content(self) -> EntryContent:
        d = self.cleaned_data
        occurred_at = timezone.make_aware(datetime.combine(self.report.date, d["time"]))
        return EntryContent(
            customer=d["customer"],
            kind=d["kind"],
            occurred_at=occurred_at,
            needs_escalation=d["needs_escalation"],
            escalation_reason=d["escalation_reason"].strip(),
            competitors=tuple(d.get("competitor_names", ())),
            waybills=tuple(d.get("waybills") or ()),
            **{name: d[name].strip() for name in TEXT_FIELDS},
        )

    @staticmethod
    def initial_from_entry(entry: DailyReportEntry) -> dict:
        return {
            "customer": entry.customer,
            "kind": entry.kind,
            "time": timezone.localtime(entry.occurred_at).time(),
            "needs_escalation": entry.needs_escalation,
            "escalation_reason": entry.escalation_reason,
            "form_token": entry.form_token,
            "competitors": ", ".join(c.name for c in entry.competitors.all()),
            "waybills": "\n".join(w.number for w in entry.waybills.all()),
            **{name: getattr(entry, name) for name in TEXT_FIELDS},
        }

    @staticmethod
    def initial_from_draft(data: dict) -> dict:
        initial = {k: v for k, v in data.items() if k != "needs_escalation"}
        initial["needs_escalation"] = data.get("needs_escalation") in ("on", "true", "1", "True")
        return initial


def _remarks(label, max_length: int, **kwargs) -> forms.CharField:
    """An optional free text in a two-line box."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        **kwargs,
    )


class ReviewForm(CleanInputForm):
    comment = _remarks(_("Review comment"), 2000)
    action = forms.ChoiceField(
        choices=[
            ("review", _("Mark reviewed")),
            ("review_next", _("Review and open the next")),
            ("return", _("Return for correction")),
        ]
    )


class EntryFlagForm(CleanInputForm):
    flag_comment = _remarks(_("What needs to change in this entry"), 2000)


class SubmitForm(CleanInputForm):
    note = _remarks(
        _("Remarks for the day"),
        5000,
        help_text=_("Optional; needed to submit a day without customer contacts."),
    )


class ComplianceMonthForm(CleanInputForm):
    """The compliance page's month: this month when none is given."""

    month = MonthField(label=_("Month"), required=False)
