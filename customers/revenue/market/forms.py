"""Market forms: a region's estimate, a unit's monthly costs, the page's filters."""

from decimal import Decimal

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, ServiceUnit
from crm_site.accounts.scope import units_for
from crm_site.core.inputs import CleanInputForm, HalfWidthDecimalField, MonthField

from .models import COST_HEADS, COST_LABELS
from .selectors import regions_for

MAX_AMOUNT = Decimal("99999999999999.99")


def _amount(label, *, required: bool = True) -> forms.DecimalField:
    return HalfWidthDecimalField(
        label=label,
        required=required,
        min_value=Decimal(0),
        max_value=MAX_AMOUNT,
        max_digits=16,
        decimal_places=2,
        initial=None if required else Decimal(0),
        error_messages={"min_value": _("Amounts cannot be negative.")},
    )


def _head(name: str):
    return capfirst(COST_LABELS[name])


class MarketEstimateForm(CleanInputForm):
    region: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Region"), queryset=Region.objects.none()
    )
    year = forms.IntegerField(
        label=_("Year"),
        min_value=1970,
        max_value=2100,
        error_messages={
            "min_value": _("Give a year from 1970 to 2100."),
            "max_value": _("Give a year from 1970 to 2100."),
        },
    )
    market_size = _amount(_("Market size (CNY)"))
    competitor_turnover = _amount(_("Leading competitor's turnover (CNY)"))
    competitor_name = forms.CharField(
        label=_("Leading competitor (optional)"), max_length=100, required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].queryset = regions_for(user=user)

    def clean_market_size(self):
        size = self.cleaned_data["market_size"]
        if size is not None and size <= 0:
            raise forms.ValidationError(_("The market size must be above 0."))
        return size

    def clean(self):
        data = super().clean()
        size, rival = data.get("market_size"), data.get("competitor_turnover")
        if size and rival is not None and rival > size:
            self.add_error(
                "competitor_turnover",
                _("The leading competitor's turnover cannot exceed the market size."),
            )
        return data


class MarketingCostForm(CleanInputForm):
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Service unit"), queryset=ServiceUnit.objects.none()
    )
    month = MonthField(label=_("Month (YYYY-MM)"))
    staff_cost = _amount(_head("staff_cost"), required=False)
    advertising = _amount(_head("advertising"), required=False)
    promotion = _amount(_head("promotion"), required=False)
    research = _amount(_head("research"), required=False)
    sales_admin = _amount(_head("sales_admin"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for(user, "view")

    def clean(self):
        data = super().clean()
        if not self.errors and not any(data.get(head) for head in COST_HEADS):
            raise forms.ValidationError(_("Enter at least one cost above 0."))
        for head in COST_HEADS:
            if data.get(head) is None and head not in self.errors:
                data[head] = Decimal(0)
        return data


class MarketFilterForm(CleanInputForm):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int, required=False)
    unit: forms.ModelChoiceField = forms.ModelChoiceField(
        label=_("Service unit"), queryset=ServiceUnit.objects.none(), required=False
    )
    month = MonthField(label=_("Up to month (YYYY-MM)"), required=False)

    def __init__(self, *args, years, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [("", _("All years")), *((y, y) for y in years)]
        self.fields["unit"].queryset = units
