"""/visits/compliance/: cadence compliance of a unit for a month, by person and grade."""

from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import months
from crm_site.core.inputs import EARLIEST_DATE
from crm_site.core.listing import paginate

from .. import selectors
from ..compliance import totals, with_percentages
from ..forms import ComplianceMonthForm


def parse_month(data, today: date) -> tuple[date, str]:
    """The month asked for ('YYYY-MM', the future → this month) and the message
    saying why it was not taken; this month when none is given."""
    this_month = today.replace(day=1)
    form = ComplianceMonthForm(data)
    if not form.is_valid():
        return this_month, " ".join(str(e) for e in form.errors.get("month", []))
    return min(form.cleaned_data["month"] or this_month, this_month), ""


def _by_person(rows: list[dict]) -> list[dict]:
    """Group the (person, grade) rows per person with a subtotal and the person's name."""
    names = selectors.person_names(ids={r["visiting_person"] for r in rows if r["visiting_person"]})
    people: dict = {}
    for row in rows:
        people.setdefault(row["visiting_person"], []).append(with_percentages(row))
    return [
        {
            "person_id": person_id,
            "name": names.get(person_id),
            "grades": grade_rows,
            "total": totals(grade_rows),
        }
        for person_id, grade_rows in sorted(
            people.items(), key=lambda item: (item[0] is None, names.get(item[0], ""))
        )
    ]


@role_required(Role.SUPERVISOR)
def compliance(request):
    today = timezone.localdate()
    month, month_error = parse_month(request.GET, today)
    units = list(selectors.unit_list(user=request.user))
    unit = next((u for u in units if str(u.pk) == request.GET.get("unit")), None)
    rows, behind, cadences = selectors.compliance_figures(
        user=request.user, month=month, today=today, unit=unit
    )
    page = paginate(request, behind, 25)
    params = {"month": f"{month:%Y-%m}"} | ({"unit": unit.pk} if unit else {})
    context = {
        "month": month,
        "month_value": f"{month:%Y-%m}",
        "month_error": month_error,
        "in_progress": month == today.replace(day=1),
        "previous_month": f"{months.shift(month, -1):%Y-%m}" if month > EARLIEST_DATE else None,
        "next_month": f"{months.shift(month, 1):%Y-%m}"
        if months.shift(month, 1) <= today
        else None,
        "units": units,
        "unit": unit,
        "people": _by_person(rows),
        "total": totals(rows),
        "cadences": sorted(cadences.items()),
        "page_obj": page,
        "query_string": urlencode(params),
    }
    return render(request, "visits/compliance.html", context)
