"""The market and competitor intelligence register: item 3 of the
daily-report entries in one place, scoped like the daily reports."""

from django.shortcuts import render
from django.utils import timezone

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.listing import paginate

from .. import selectors
from ..filters import IntelligenceFilter

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
    data = request.GET.copy()
    data.pop("page", None)
    if not data:
        data.update(_this_month())
    filterset = IntelligenceFilter(
        data,
        units=selectors.unit_list(user=user),
        show_units=user.is_at_least(Role.SUPERVISOR),
    )
    entries = selectors.intelligence_register(user=user, filters=filterset.register_filters())
    page = paginate(request, filterset.apply(entries), PAGE_SIZE, capped=True)
    form = filterset.form
    context = {
        "form": form,
        "page_obj": page,
        "capped": page.paginator.capped,
        "count_cap": page.paginator.cap,
        "query_string": data.urlencode(),
        "filtered": any(data.values()),
        "q": form.cleaned_data.get("q", "") if form.is_valid() else "",
    }
    return render(request, "visits/intelligence.html", context)
