"""Forms of customer development (the lists' filters: filters.py)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.scope import is_staff_role
from crm_site.core.forms import IdempotentFormMixin
from crm_site.core.inputs import (
    CleanInputForm,
    CleanInputModelForm,
    HalfWidthDecimalField,
    HalfWidthIntegerField,
)
from customers import services
from customers.fields import CustomerField
from customers.forms import PersonChoiceField
from customers.models import Customer, Nature, Prospect, Rating, Scale, Step, Trend


class ProspectForm(IdempotentFormMixin, CleanInputModelForm):
    class Meta:
        model = Prospect
        fields = [
            "name",
            "unit",
            "owner",
            "address",
            "company_phone",
            "factory_phone",
            "key_people",
            "products",
            "notes",
        ]
        field_classes = {"owner": PersonChoiceField}
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}
        help_texts = {
            "key_people": _("Names and positions of the people who decide."),
            "products": _("The goods the company makes or trades, which we would move."),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        units = services.scope_units(user)
        self.fields["unit"].queryset = units
        self.fields["owner"].queryset = services.scope_users(user)
        if len(units) == 1:
            self.initial.setdefault("unit", units[0].pk)
        self.initial.setdefault("owner", user.pk)
        if is_staff_role(user):
            self.fields["owner"].disabled = True
            self.initial["owner"] = user.pk

    def clean_name(self):
        return (self.cleaned_data.get("name") or "").strip()


class StepForm(IdempotentFormMixin, CleanInputForm):
    step = forms.TypedChoiceField(
        label=_("Step"),
        coerce=int,
        choices=[(v, f"{v}. {label}") for v, label in Step.choices if v],
    )
    happened_on = forms.DateField(
        label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    success_rate = HalfWidthIntegerField(
        label=_("Estimated success rate (%)"),
        min_value=0,
        max_value=100,
        required=False,
        help_text=_("Required at step 5; may be updated at any step."),
    )
    appointment_at = forms.DateTimeField(
        label=_("Appointment"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        help_text=_("Required at step 6: when we meet again."),
    )
    note = forms.CharField(
        label=_("What happened at this step"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, prospect: Prospect | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if prospect is not None and not self.is_bound:
            self.initial.setdefault("step", min(prospect.step + 1, Step.APPOINTMENT))
            self.initial.setdefault("happened_on", timezone.localdate())


RATING_CHOICES = [("", "—"), *Rating.choices]


class ConvertForm(CleanInputForm):
    """The development evaluation, the new-customer report and the customer card."""

    NEW, EXISTING = "new", "existing"

    growth_rating = forms.TypedChoiceField(
        label=_("Business growth"), coerce=int, choices=RATING_CHOICES
    )
    credit_rating = forms.TypedChoiceField(
        label=_("Creditworthiness"), coerce=int, choices=RATING_CHOICES
    )
    margin_rating = forms.TypedChoiceField(
        label=_("Profit margin"), coerce=int, choices=RATING_CHOICES
    )
    overall_rating = forms.TypedChoiceField(
        label=_("Overall evaluation"), coerce=int, choices=RATING_CHOICES
    )
    evaluation_note = forms.CharField(
        label=_("Evaluation remarks"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    first_amount = HalfWidthDecimalField(
        label=_("First transaction amount (CNY)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0"}),
    )
    how_won = forms.CharField(
        label=_("How the customer was won"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    card = forms.ChoiceField(
        label=_("Customer card"),
        choices=[(NEW, _("Create a new card")), (EXISTING, _("Link a card already in the book"))],
        initial=NEW,
        widget=forms.RadioSelect,
    )
    code = forms.CharField(
        label=_("Customer code"),
        max_length=32,
        required=False,
        help_text=_("For a new card: unique; letters, digits, '-', '_' or '.'."),
    )
    nature = forms.ChoiceField(label=_("Nature"), choices=Nature.choices, initial=Nature.OTHER)
    scale = forms.ChoiceField(label=_("Scale"), choices=Scale.choices, initial=Scale.SMALL)
    trend = forms.ChoiceField(label=_("Development trend"), choices=Trend.choices, initial="stable")
    annual_revenue = HalfWidthDecimalField(
        label=_("Annual revenue (10k CNY)"),
        min_value=0,
        max_digits=14,
        decimal_places=2,
        required=False,
    )
    visiting_person = PersonChoiceField(
        label=_("Visiting person"), queryset=Customer.objects.none(), required=False
    )
    customer = CustomerField(
        queryset=Customer.objects.none(),
        label=_("Existing customer"),
        required=False,
        help_text=_("To link a card: one of your customers, e.g. a potential customer."),
    )

    def __init__(self, *args, user, prospect: Prospect, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"].queryset = Customer.objects.visible_to(user)  # type: ignore[attr-defined]
        if is_staff_role(user):
            del self.fields["visiting_person"]  # staff visit the customers they win
        else:
            self.fields["visiting_person"].queryset = services.scope_users(user).filter(  # type: ignore[attr-defined]
                memberships__unit=prospect.unit
            )
            self.initial.setdefault("visiting_person", prospect.owner_id)

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip()

    def clean(self):
        data = super().clean()
        if data.get("card") == self.EXISTING:
            if not data.get("customer") and "customer" not in self.errors:
                self.add_error("customer", _("Pick the customer card to link."))
        elif data.get("card") == self.NEW:
            code = data.get("code")
            if not code:
                self.add_error("code", _("Give the new customer's code."))
            else:
                try:
                    Customer._meta.get_field("code").run_validators(code)
                except forms.ValidationError as exc:
                    self.add_error("code", exc)
        return data

    def evaluation(self) -> dict:
        keys = ("growth_rating", "credit_rating", "margin_rating", "overall_rating")
        return {k: self.cleaned_data[k] for k in (*keys, "evaluation_note")}

    def report(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("first_amount", "how_won")}

    def card_fields(self) -> dict | None:
        if self.cleaned_data["card"] != self.NEW:
            return None
        keys = ("code", "nature", "scale", "trend", "annual_revenue", "visiting_person")
        return {k: self.cleaned_data.get(k) for k in keys}


class DropForm(CleanInputForm):
    reason = forms.CharField(
        label=_("Why the development stops"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
