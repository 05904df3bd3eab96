"""The outlet picker of the customer and complaint forms."""

from django import forms


class OutletChoiceField(forms.ModelChoiceField):
    """An outlet picker, labelled "code name"; the form sets the outlets the
    user may pick (customers.outlets.selectors.outlet_choices)."""

    def label_from_instance(self, obj):
        return f"{obj.code} {obj.name}"
