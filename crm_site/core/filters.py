import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Region, ServiceUnit
from crm_site.core.inputs import CleanInputForm, MonthField

from .models import AUDIT_ACTION_LABELS, AuditLog


class ListFilterSet(django_filters.FilterSet):
    """A list page's filters, applied all or none: rows are filtered only when
    the whole form is valid; an unbound or invalid form gives `unfiltered()`
    (the list as it opens), and the form shows its messages.

    With `apply_valid_fields` the valid fields filter even when another is
    invalid (django-filter's own way; the invalid one is left out).

    The view parses (builds the filter set from the query); the app's selector
    scopes the rows and hands them to `apply()`.
    """

    apply_valid_fields = False

    class Meta:
        # Subclasses with a Meta of their own name the form again (CleanInputForm).
        form = CleanInputForm

    def apply(self, queryset):
        """`queryset` under these filters."""
        queryset = queryset.all()
        if self.is_bound and (self.form.is_valid() or self.apply_valid_fields):
            return self.filter_queryset(queryset)
        return self.unfiltered(queryset)

    def unfiltered(self, queryset):
        """The rows when no valid filter is given."""
        return queryset

    @property
    def qs(self):
        if not hasattr(self, "_qs"):
            self._qs = self.apply(self.queryset)
        return self._qs

    def active_sort(self) -> str:
        """The key the list is sorted by ("-name" descending) when the form has
        a valid `sort` (an OrderingFilter); "" otherwise."""
        if self.is_bound and self.form.is_valid():
            chosen = self.form.cleaned_data.get("sort") or []
            return chosen[0] if chosen else ""
        return ""

    def style_fields(self, *, select="form-select", other="form-control") -> None:
        """Bootstrap classes on the form's widgets (a choice is a select)."""
        for field in self.form.fields.values():
            css = select if isinstance(field, forms.ChoiceField) else other
            field.widget.attrs.setdefault("class", css)


class UnitRegionFilterSet(ListFilterSet):
    """Filters that begin with one of the user's service units (`units`, none
    when not given) and a region."""

    unit = django_filters.ModelChoiceFilter(
        queryset=ServiceUnit.objects.none(),
        label=_("Service unit"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Pick one of your service units.")},
    )
    region = django_filters.ModelChoiceFilter(
        queryset=Region.objects.none(),
        label=_("Region"),
        empty_label=_("All"),
        error_messages={"invalid_choice": _("Pick a region from the list.")},
    )

    def __init__(self, data=None, queryset=None, *, units=None, **kwargs):
        super().__init__(data, queryset, **kwargs)
        self.filters["unit"].queryset = units if units is not None else ServiceUnit.objects.none()
        self.filters["region"].queryset = Region.objects.order_by("code")


class MonthFilter(django_filters.Filter):
    """A month ('YYYY-MM', the month picker); its value is the month's first day."""

    field_class = MonthField


class CheckboxFilter(django_filters.BooleanFilter):
    """A box that is ticked or not (a plain BooleanField, not the yes/no/unknown
    select); unticked filters nothing."""

    field_class = forms.BooleanField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", forms.CheckboxInput)
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        return super().filter(qs, value or None)


class AuditLogFilter(ListFilterSet):
    # A wrong field is left out; the others still filter.
    apply_valid_fields = True

    action = django_filters.ChoiceFilter(label=_("action"), choices=[], empty_label=_("All"))
    actor = django_filters.CharFilter(
        label=_("username"), field_name="actor_username", lookup_expr="iexact"
    )
    object_type = django_filters.CharFilter(label=_("object type"), lookup_expr="iexact")
    since = django_filters.DateFilter(
        label=_("from"),
        field_name="at",
        lookup_expr="date__gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    until = django_filters.DateFilter(
        label=_("to"),
        field_name="at",
        lookup_expr="date__lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    class Meta:
        model = AuditLog
        form = CleanInputForm
        fields = ["action", "actor", "object_type", "since", "until"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        actions = AuditLog.objects.order_by("action").values_list("action", flat=True).distinct()
        self.filters["action"].extra["choices"] = [
            (a, AUDIT_ACTION_LABELS.get(a, a)) for a in actions
        ]
