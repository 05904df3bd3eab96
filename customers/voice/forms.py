"""Forms of the customer voice: parse and validate; writes in voice_services."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import is_staff_role
from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import CleanInputForm, CleanInputModelForm
from customers import services
from customers.fields import CustomerField
from customers.forms import PersonChoiceField
from customers.models import Customer
from customers.voice.models import SURVEY_ITEMS, WATCH_ITEMS, Score, ServiceSurvey, WatchGroup

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXTAREA = forms.Textarea(attrs={"rows": 3})


def _small_widgets(form) -> None:
    """Filter bars use the small Bootstrap controls."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs["class"] = "form-select form-select-sm"
        elif isinstance(widget, forms.CheckboxInput):
            widget.attrs["class"] = "form-check-input"
        else:
            widget.attrs["class"] = "form-control form-control-sm"


class ServiceSurveyForm(IdempotentFormMixin, CleanInputModelForm):
    class Meta:
        model = ServiceSurvey
        fields = ["surveyed_on", "respondent", *(item[0] for item in SURVEY_ITEMS), "note"]
        widgets = {"surveyed_on": DATE_WIDGET, "note": TEXTAREA}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("surveyed_on", timezone.localdate())
        self.fields["respondent"].help_text = _("Who at the customer answered.")
        for name, label, good, poor in SURVEY_ITEMS:
            field = forms.TypedChoiceField(
                label=label,
                choices=Score.choices,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Choose a rating for “%(item)s”.") % {"item": label},
                    "invalid_choice": _("Choose one of the seven ratings for “%(item)s”.")
                    % {"item": label},
                },
            )
            field.good, field.poor = good, poor
            self.fields[name] = field

    def item_rows(self):
        """(bound field, good pole, poor pole) per item, for the paired layout."""
        return [(self[name], good, poor) for name, _label, good, poor in SURVEY_ITEMS]


class EnterpriseSurveyForm(IdempotentFormMixin, CleanInputForm):
    customer = CustomerField(queryset=Customer.objects.none())
    visited_on = forms.DateField(label=_("Visit date"), widget=DATE_WIDGET)
    visitor = PersonChoiceField(queryset=None, label=_("Visitor"))
    interviewee = forms.CharField(
        label=_("Customer's representative"),
        max_length=100,
        required=False,
        help_text=_("The name of the person you spoke with (客户姓名)."),
    )
    opinions = forms.CharField(
        label=_("Opinions recorded"),
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": _("Write down the opinions the customer gave.")},
    )
    answers = forms.CharField(
        label=_("Answers given"), widget=TEXTAREA, max_length=5000, required=False
    )
    visitor_opinion = forms.CharField(
        label=_("Visitor's opinion"), widget=TEXTAREA, max_length=5000, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)
        people = services.scope_users(user)
        if is_staff_role(user):
            people = people.filter(pk=user.pk)
        self.fields["visitor"].queryset = people
        self.initial.setdefault("visitor", user.pk)
        self.initial.setdefault("visited_on", timezone.localdate())


class HeadOpinionForm(CleanInputForm):
    head_opinion = forms.CharField(
        label=_("Department head's opinion"),
        widget=TEXTAREA,
        max_length=5000,
        error_messages={"required": _("Write the department head's opinion.")},
    )


class CustomerWatchForm(IdempotentFormMixin, CleanInputForm):
    reported_on = forms.DateField(label=_("Date filled in"), widget=DATE_WIDGET)
    note = forms.CharField(label=_("Remarks"), widget=TEXTAREA, max_length=5000, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("reported_on", timezone.localdate())
        for code, _group, label, risky in WATCH_ITEMS:
            changed = forms.BooleanField(label=label, required=False)
            changed.risky = risky
            self.fields[f"changed_{code}"] = changed
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note on “%(item)s”") % {"item": label},
                max_length=500,
                required=False,
            )

    def groups(self):
        """[(group label, [(changed field, note field, risky)])] in the form's order."""
        grouped = []
        for value, label in WatchGroup.choices:
            rows = [
                (self[f"changed_{code}"], self[f"note_{code}"], risky)
                for code, group, _label, risky in WATCH_ITEMS
                if group == value
            ]
            grouped.append((label, rows))
        return grouped

    def watch_items(self) -> dict:
        data = self.cleaned_data
        return {
            code: {
                "changed": data.get(f"changed_{code}", False),
                "note": data.get(f"note_{code}", ""),
            }
            for code, *_rest in WATCH_ITEMS
        }
