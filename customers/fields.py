"""The scoped customer picker used by every form that names a customer.

A text input with a <datalist> that static/js/customer-picker.js fills from
/customers/autocomplete/ as the user types ("C000123 · 上海某某"). Without
JavaScript the user types the customer code. Only customers in the user's
scope are offered, and only they validate: pass
`Customer.objects.visible_to(user)` as the queryset.
"""

from django import forms
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from .models import Customer

SEPARATOR = " · "


def customer_label(customer: Customer) -> str:
    return f"{customer.code}{SEPARATOR}{customer.name}"


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
        context["widget"]["datalist_id"] = f"{context['widget']['attrs'].get('id', name)}-options"
        return context


class CustomerField(forms.Field):
    widget = CustomerPickerInput
    default_error_messages = {
        "invalid_choice": _(
            "No customer with this code among your customers. Pick one from the list."
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
        value = (value or "").strip()
        if not value:
            return None
        code = value.split(SEPARATOR, 1)[0].strip()
        customer = self.queryset.filter(code=code).first()
        if customer is None:
            raise forms.ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice"
            )
        return customer

    def has_changed(self, initial, data):
        initial_label = self.prepare_value(initial) or ""
        return initial_label.split(SEPARATOR, 1)[0] != (data or "").split(SEPARATOR, 1)[0].strip()
