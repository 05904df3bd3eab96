"""/visits/compliance/: cadence compliance of a unit for a month, by person and grade."""

from datetime import date

from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.listing import paginate

from .. import selectors
from ..compliance import totals, with_percentages


def parse_month(value: str, today: date) -> date:
    """'YYYY-MM' → the month's first day; anything else (or the future) → this month."""
    try:
        year, month = (int(part) for part in value.split("-"))
        chosen = date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)
    return min(chosen, today.replace(day=1))


def _shift(month: date, delta: int) -> date:
    index = month.year * 12 + month.month - 1 + delta
    return date(index // 12, index % 12 + 1, 1)


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
    month = parse_month(request.GET.get("month", ""), today)
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
        "in_progress": month == today.replace(day=1),
        "previous_month": f"{_shift(month, -1):%Y-%m}",
        "next_month": f"{_shift(month, 1):%Y-%m}" if _shift(month, 1) <= today else None,
        "units": units,
        "unit": unit,
        "people": _by_person(rows),
        "total": totals(rows),
        "cadences": sorted(cadences.items()),
        "page_obj": page,
        "query_string": urlencode(params),
    }
    return render(request, "visits/compliance.html", context)
