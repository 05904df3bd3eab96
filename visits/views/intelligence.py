"""The market and competitor intelligence register: item 3 of the
daily-report entries in one place, scoped like the daily reports."""

from django.shortcuts import render
from django.utils import timezone

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.accounts.scope import units_for
from crm_site.core.listing import CappedPaginator

from .. import intelligence
from ..intelligence_forms import IntelligenceFilterForm
from ..models import DailyReportEntry

PAGE_SIZE = 25


def _this_month() -> dict:
    today = timezone.localdate()
    return {"date_from": today.replace(day=1).isoformat(), "date_to": today.isoformat()}


@role_required(Role.STAFF)
def intelligence_list(request):
    """What the field heard: filter by unit, region, dates, competitor and text.

    Without any parameter the page opens on the month in progress; an emptied
    date field means "no limit".
    """
    user = request.user
    show_units = user.is_at_least(Role.SUPERVISOR)
    data = request.GET.copy()
    data.pop("page", None)
    if not data:
        data.update(_this_month())
    form = IntelligenceFilterForm(data, units=units_for(user, "view"), show_units=show_units)
    if form.is_valid():
        entries = intelligence.register(user, form.filters())
    else:
        entries = DailyReportEntry.objects.none()
    paginator = CappedPaginator(
        entries.select_related("report__user", "report__unit", "customer__region").prefetch_related(
            "competitors"
        ),
        PAGE_SIZE,
    )
    page = paginator.get_page(request.GET.get("page"))
    params = {k: v for k, v in data.items() if v}
    context = {
        "form": form,
        "page_obj": page,
        "capped": getattr(paginator, "capped", False),
        "count_cap": paginator.cap,
        "query_string": data.urlencode(),
        "filtered": bool(params),
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
    }
    return render(request, "visits/intelligence.html", context)
