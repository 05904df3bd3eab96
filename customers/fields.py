"""The scoped customer picker used by every form that names a customer.

A text input with the app's own suggestion list (static/js/customer-picker.js)
filled from /customers/autocomplete/ as the user types: code, name, city, grade
and main contact, picked by tap or by keyboard. What the user may type without
picking from the list: the customer code in any case, the exact full name, or
the "code · name" label the list fills in. Only customers in the user's scope
are offered, and only they validate: pass `Customer.objects.visible_to(user)`
as the queryset. A name that several customers in scope share is refused with
the candidates (code and city), so the user types the code instead.
"""

import re

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

from .models import Customer

SEPARATOR = " · "
# How many same-named customers the "which one?" message lists.
CANDIDATES_SHOWN = 5
# "江苏省苏州市工业园区…" or "苏州市工业园区…": the city is the part before 市.
CITY_IN_ADDRESS = re.compile(r"^(?:[^省市]{2,6}?(?:省|自治区))?([^省市区县]{2,6}?)市")


def customer_label(customer: Customer) -> str:
    return f"{customer.code}{SEPARATOR}{customer.name}"


def customer_city(customer: Customer) -> str:
    """The city a person would name the customer by: from the address ("苏州市…"),
    else the customer's region."""
    match = CITY_IN_ADDRESS.match((customer.address or "").strip())
    if match:
        return match.group(1)
    region = customer.region if customer.region_id else None
    return region.name if region else ""


class CustomerPickerInput(forms.TextInput):
    template_name = "customers/widgets/customer_picker.html"

    def __init__(self, attrs=None):
        base = {
            "autocomplete": "off",
            "data-autocomplete-url": reverse_lazy("customers:autocomplete"),
            "placeholder": _("Type a customer code or name"),
            "class": "form-control customer-picker",
        }
        super().__init__(base | (attrs or {}))

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        widget_id = context["widget"]["attrs"].get("id", name)
        context["widget"]["listbox_id"] = f"{widget_id}-listbox"
        return context


class CustomerField(forms.Field):
    widget = CustomerPickerInput
    default_error_messages = {
        "invalid_choice": _(
            "No customer with this code or name among your customers. "
            "Type the code or the full name, or pick one from the list."
        ),
        "ambiguous": _(
            "Several of your customers are named “%(name)s”: %(candidates)s. "
            "Type the customer code of the one you mean."
        ),
    }

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        kwargs.setdefault("label", _("customer"))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, Customer):
            return customer_label(value)
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            customer = self.queryset.filter(pk=int(value)).first()
            return customer_label(customer) if customer else ""
        return value

    def to_python(self, value):
        if isinstance(value, Customer):
            return value
        value = " ".join((value or "").split())
        if not value:
            return None
        code = value.split(SEPARATOR.strip(), 1)[0].strip()
        customer = self._by_code(code) or self._by_name(value)
        if customer is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return customer

    def _by_code(self, code: str) -> Customer | None:
        """The customer of this code, in any case (an exact-case match wins should
        two codes differ only in case)."""
        matches = list(self.queryset.filter(code__iexact=code)[:2])
        if len(matches) > 1:
            return next((c for c in matches if c.code == code), None)
        return matches[0] if matches else None

    def _by_name(self, name: str) -> Customer | None:
        matches = list(
            self.queryset.filter(name=name)
            .select_related("region")
            .order_by("code")[: CANDIDATES_SHOWN + 1]
        )
        if len(matches) > 1:
            listed = [
                _("%(code)s (%(city)s)") % {"code": c.code, "city": city}
                if (city := customer_city(c))
                else c.code
                for c in matches[:CANDIDATES_SHOWN]
            ]
            if len(matches) > CANDIDATES_SHOWN:
                listed.append("…")
            raise forms.ValidationError(
                self.error_messages["ambiguous"],
                code="ambiguous",
                params={"name": name, "candidates": pgettext("list separator", ", ").join(listed)},
            )
        return matches[0] if matches else None

    def has_changed(self, initial, data):
        initial_label = self.prepare_value(initial) or ""
        return initial_label.split(SEPARATOR, 1)[0] != (data or "").split(SEPARATOR, 1)[0].strip()
