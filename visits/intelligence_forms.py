"""The intelligence register's filters (/visits/intelligence/)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, ServiceUnit
from crm_site.core.inputs import CleanInputForm

from .intelligence import MAX_NAME, RegisterFilters
from .models import Competitor


class IntelligenceFilterForm(CleanInputForm):
    unit = forms.ModelChoiceField(
        queryset=ServiceUnit.objects.none(),
        label=_("Service unit"),
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Pick one of your service units.")},
    )
    region = forms.ModelChoiceField(
        queryset=Region.objects.none(),
        label=_("Region"),
        required=False,
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Pick a region from the list.")},
    )
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    competitor = forms.CharField(
        label=_("Competitor"),
        required=False,
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"list": "competitor-names", "autocomplete": "off"}),
    )
    q = forms.CharField(
        label=_("Text contains"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. price cut")}),
    )

    def __init__(self, *args, units=None, show_units=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units if units is not None else ServiceUnit.objects.none()
        self.fields["region"].queryset = Region.objects.order_by("code")
        if not show_units:
            del self.fields["unit"]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date cannot be before the start date."))
        name = " ".join((data.get("competitor") or "").split())
        data["competitor_obj"] = None
        if name:
            competitor = Competitor.objects.named(name).first()
            if competitor is None:
                self.add_error(
                    "competitor",
                    _("No entry has been tagged with the competitor “%(name)s”.") % {"name": name},
                )
            data["competitor_obj"] = competitor
        return data

    def filters(self) -> RegisterFilters:
        d = self.cleaned_data
        unit = d.get("unit")
        region = d.get("region")
        return RegisterFilters(
            unit_id=unit.pk if unit else None,
            region_id=region.pk if region else None,
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            competitor=d.get("competitor_obj"),
            q=(d.get("q") or "").strip(),
        )
