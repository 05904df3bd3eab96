"""The visits lists' filters: the daily reports and the intelligence register."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.core.filters import ListFilterSet, UnitRegionFilterSet
from crm_site.core.inputs import CleanInputForm

from .intelligence import MAX_NAME
from .models import Competitor, DailyReport, DailyReportEntry


def _date_widget() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"})


class DailyReportFilter(ListFilterSet):
    """The report list; supervisors and up also filter by staff member (`people`)."""

    person = django_filters.ChoiceFilter(
        label=_("Staff member"), field_name="user_id", empty_label=_("Everyone")
    )
    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=DailyReport.Status.choices, empty_label=_("All statuses")
    )
    date_from = django_filters.DateFilter(
        label=_("From"), field_name="date", lookup_expr="gte", widget=_date_widget()
    )
    date_to = django_filters.DateFilter(
        label=_("To"), field_name="date", lookup_expr="lte", widget=_date_widget()
    )

    class Meta:
        form = CleanInputForm
        model = DailyReport
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, people=(), **kwargs):
        super().__init__(data, queryset, **kwargs)
        people = list(people)
        if people:
            self.filters["person"].extra["choices"] = [
                (str(p.pk), p.get_full_name()) for p in people
            ]
        else:
            del self.filters["person"]
        self.style_fields()


class IntelligenceFilterForm(CleanInputForm):
    """The register's rules across fields: a date range the right way round, and
    a competitor some entry has been tagged with (kept as `competitor_obj`)."""

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


class IntelligenceFilter(UnitRegionFilterSet):
    """The intelligence register (/visits/intelligence/). The filters work
    together (which index serves the text search depends on the others), so
    `visits.selectors.intelligence_register` applies them from `register_filters()`;
    an invalid form lists nothing."""

    date_from = django_filters.DateFilter(label=_("From"), widget=_date_widget())
    date_to = django_filters.DateFilter(label=_("To"), widget=_date_widget())
    competitor = django_filters.CharFilter(
        label=_("Competitor"),
        max_length=MAX_NAME,
        widget=forms.TextInput(attrs={"list": "competitor-names", "autocomplete": "off"}),
    )
    q = django_filters.CharFilter(
        label=_("Text contains"),
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("e.g. price cut")}),
    )

    class Meta:
        model = DailyReportEntry
        fields: list[str] = []
        form = IntelligenceFilterForm

    def __init__(self, data=None, queryset=None, *, units=None, show_units=True, **kwargs):
        super().__init__(data, queryset, units=units, **kwargs)
        if not show_units:
            del self.filters["unit"]
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field, forms.ModelChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def register_filters(self) -> dict:
        """The cleaned filters, as `intelligence_register` takes them."""
        if not (self.is_bound and self.form.is_valid()):
            return {}
        d = self.form.cleaned_data
        return {
            "unit_id": d["unit"].pk if d.get("unit") else None,
            "region_id": d["region"].pk if d.get("region") else None,
            "date_from": d.get("date_from"),
            "date_to": d.get("date_to"),
            "competitor": d.get("competitor_obj"),
            "q": (d.get("q") or "").strip(),
        }

    def filter_queryset(self, queryset):
        # Applied as a whole by the selector (see the class docstring).
        return queryset

    def unfiltered(self, queryset):
        return queryset.none()
