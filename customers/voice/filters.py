"""The customer voice lists' filters: the per-unit survey figures (and their
export) and the enterprise survey list."""

from datetime import timedelta

import django_filters
from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm_site.core.filters import CheckboxFilter, ListFilterSet, unit_filter
from crm_site.core.inputs import CleanInputForm
from customers.voice.forms import DATE_WIDGET, _small_widgets
from customers.voice.models import EnterpriseSurvey, ServiceSurvey


class EnterpriseSurveyFilter(ListFilterSet):
    unit = unit_filter(label=_("Unit"), empty_label=_("All"))
    open = CheckboxFilter(label=_("Awaiting the head's opinion"), method="filter_open")
    q = django_filters.CharFilter(
        max_length=100,
        label=_("Customer"),
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Code or name")}),
        method="filter_customer",
    )

    class Meta:
        form = CleanInputForm
        model = EnterpriseSurvey
        fields: list[str] = []

    def __init__(self, data=None, queryset=None, *, units, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units
        _small_widgets(self.form)

    def filter_open(self, queryset, name, value):
        return queryset.filter(head_opinion="") if value else queryset

    def filter_customer(self, queryset, name, value):
        q = value.strip()
        if not q:
            return queryset
        return queryset.filter(Q(customer__code__istartswith=q) | Q(customer__name__icontains=q))


class SurveyPeriodForm(CleanInputForm):
    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The start date must not be after the end date."))
        return data


class SurveyReportFilter(ListFilterSet):
    """The per-unit survey page and its export take these parameters. The dates
    are not a row filter: the figures are computed over `period()`."""

    unit = unit_filter(label=_("Unit"), empty_label=_("All my units"))
    start = django_filters.DateFilter(label=_("From"), widget=DATE_WIDGET, method="filter_nothing")
    end = django_filters.DateFilter(label=_("To"), widget=DATE_WIDGET, method="filter_nothing")

    class Meta:
        model = ServiceSurvey
        fields: list[str] = []
        form = SurveyPeriodForm

    def __init__(self, data=None, queryset=None, *, units, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units
        _small_widgets(self.form)

    def filter_nothing(self, queryset, name, value):
        return queryset  # the period is read by period()

    def cleaned(self) -> dict:
        return self.form.cleaned_data if self.is_bound and self.form.is_valid() else {}

    def period(self):
        """(start, end) dates: the filters, or the last twelve months by default."""
        today = timezone.localdate()
        data = self.cleaned()
        end = data.get("end") or today
        start = data.get("start") or (end.replace(day=1) - timedelta(days=335)).replace(day=1)
        return start, end
