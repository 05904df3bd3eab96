"""How the customer voice reads: per-unit survey figures, charts, the card's
section and the card history's lines. Figures are set-based (one aggregate
query for the period, one grouped by month)."""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import Avg, Count, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from crm_site.accounts.models import Role, User
from crm_site.core import batch, markup, registry
from crm_site.core.links import pk_url
from customers.voice.models import (
    SURVEY_FIELDS,
    SURVEY_ITEMS,
    WATCH_ITEMS,
    CustomerWatch,
    EnterpriseSurvey,
    Score,
    ServiceSurvey,
)

CARD_TREND = 8
# Below this average an item reads as weak (the scale's "slightly good" is 5).
WEAK_BELOW = 5.0
ITEM_LABELS = {name: label for name, label, _good, _poor in SURVEY_ITEMS}
WATCH_LABELS = {code: label for code, _group, label, _risky in WATCH_ITEMS}


def _round(value) -> float | None:
    return None if value is None else round(float(value), 2)


def _month_axis(start: date, end: date) -> list[date]:
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = date(month.year + (month.month == 12), month.month % 12 + 1, 1)
    return months


def survey_figures(queryset, start: date, end: date) -> dict:
    """Averages per item over the period (weakest first) and per item and month."""
    surveys = queryset.filter(surveyed_on__gte=start, surveyed_on__lte=end).order_by()
    averages = {name: Avg(name) for name in SURVEY_FIELDS}
    total = surveys.aggregate(
        count=Count("pk"), customers=Count("customer", distinct=True), **averages
    )
    items: list[dict[str, Any]] = [
        {
            "code": name,
            "label": str(label),
            "good": str(good),
            "poor": str(poor),
            "average": _round(total[name]),
            "weak": total[name] is not None and total[name] < WEAK_BELOW,
        }
        for name, label, good, poor in SURVEY_ITEMS
    ]
    # Weakest first; an item nobody rated yet goes last.
    items.sort(key=lambda i: (i["average"] is None, i["average"] or 0, i["code"]))
    rows = (
        surveys.annotate(month=TruncMonth("surveyed_on"))
        .values("month")
        .annotate(count=Count("pk"), **averages)
        .order_by("month")
    )
    by_month = {row["month"]: row for row in rows}
    months = []
    for month in _month_axis(start, end):
        row = by_month.get(month, {})
        values = {name: _round(row.get(name)) for name in SURVEY_FIELDS}
        present = [v for v in values.values() if v is not None]
        months.append(
            {
                "month": month,
                "count": row.get("count", 0),
                "values": values,
                "cells": [values[i["code"]] for i in items],
                "overall": round(sum(present) / len(present), 2) if present else None,
            }
        )
    rated = [i["average"] for i in items if i["average"] is not None]
    return {
        "count": total["count"],
        "customers": total["customers"],
        "overall": round(sum(rated) / len(rated), 2) if rated else None,
        "items": items,
        "months": months,
        "start": start,
        "end": end,
    }


def chart_data(figures: dict) -> dict:
    """What static/js/customers-surveys.js draws (json_script): data, never markup."""
    items = figures["items"]
    return {
        "labels": {
            "average": _("Average (7 = very good)"),
            "overall": _("All items"),
            "count": _("Surveys"),
        },
        "items": [i["label"] for i in items],
        "averages": [i["average"] for i in items],
        "months": [f"{m['month']:%Y-%m}" for m in figures["months"]],
        "counts": [m["count"] for m in figures["months"]],
        "overall": [m["overall"] for m in figures["months"]],
        "series": [
            {"name": i["label"], "data": [m["values"][i["code"]] for m in figures["months"]]}
            for i in items
        ],
    }


def score_label(value) -> str:
    try:
        return str(Score(value).label)
    except ValueError:
        return ""


def score_rows(survey: ServiceSurvey) -> list[dict]:
    """Each item of one survey: labels, the score and its words, in the form's order."""
    return [
        {
            "label": label,
            "good": good,
            "poor": poor,
            "score": getattr(survey, name),
            "words": score_label(getattr(survey, name)),
            "weak": getattr(survey, name) < WEAK_BELOW,
        }
        for name, label, good, poor in SURVEY_ITEMS
    ]


def survey_trend(surveys: list[ServiceSurvey]) -> list[dict]:
    """Oldest first: each survey's average and its change from the one before,
    with the link, month and figures as the card shows them (two decimals)."""
    points, previous = [], None
    survey_url = pk_url("customers:survey_detail")
    for survey in surveys:
        average = survey.average
        delta: float | None = None if previous is None else round(average - previous, 2)
        points.append(
            {
                "survey": survey,
                "average": average,
                "delta": delta,
                "step": abs(delta) if delta is not None else None,
                "url": survey_url(survey.pk),
                "month": survey.surveyed_on.strftime("%Y-%m"),
                "average_text": number_format(average, 2),
                "step_text": number_format(abs(delta), 2) if delta is not None else "",
            }
        )
        previous = average
    return points


def watch_rows(watch: CustomerWatch, *, changed_only: bool = False) -> list[dict]:
    rows = []
    for code, group, label, risky in WATCH_ITEMS:
        item = watch.items.get(code) or {}
        if changed_only and not item.get("changed"):
            continue
        rows.append(
            {
                "code": code,
                "group": group,
                "label": label,
                "risky": risky,
                "changed": bool(item.get("changed")),
                "note": item.get("note", ""),
            }
        )
    return rows


def _latest_record(customer, attribute: str, records: Callable[[], QuerySet]):
    """The customer's latest of `records()`. The card's customer carries the id
    of it (customers.selectors.customer_card): none means no query at all (and
    no queryset built)."""
    if hasattr(customer, attribute):
        pk = getattr(customer, attribute)
        return records().filter(pk=pk).first() if pk is not None else None
    return records().filter(customer=customer).first()


_PERSON = ("username", "full_name", "first_name", "last_name")


def _surveys_from(rows: list[dict]) -> list[ServiceSurvey]:
    """Service surveys from card_section's rows, with who surveyed."""
    surveys = []
    for row in rows:
        survey = batch.instance(ServiceSurvey, row)
        if row["surveyed_by_id"] is not None:
            survey.surveyed_by = batch.instance(
                User,
                {"id": row["surveyed_by_id"]}
                | {name: row[f"surveyed_by__{name}"] for name in _PERSON},
            )
        surveys.append(survey)
    return surveys


@batch.prepared
def _card_surveys(customer_id):
    """The latest surveys with who surveyed (SQL compiled once per process)."""
    return (
        ServiceSurvey.objects.filter(customer_id=customer_id)
        .values(
            *(field.attname for field in ServiceSurvey._meta.concrete_fields),
            *(f"surveyed_by__{name}" for name in _PERSON),
        )
        .order_by("-surveyed_on", "-pk")[:CARD_TREND]
    )


_ROW_GAP = "\n          "


def _score_rows_html(rows: list[dict]) -> SafeString:
    """The <li> of each item of the card's latest survey (score_rows), written
    here once per row rather than by the template's loop (the same HTML)."""
    parts = []
    for row in rows:
        score = markup.text(row["score"])
        parts.append(
            f'{_ROW_GAP}<li class="d-flex align-items-center gap-2 py-1">'
            f'<span class="survey-score-label">{markup.text(row["label"])}</span>'
            '<span class="score-meter flex-grow-1" aria-hidden="true">'
            f'<span class="score-fill score-fill-{score}"></span></span>'
            f'<span class="badge score-badge score-{score}">{score} · {markup.text(row["words"])}</span>'
            f"</li>{_ROW_GAP}"
        )
    return markup.rows(parts)


def _trend_rows_html(points: list[dict]) -> SafeString:
    """The <li> of each point of the card's survey trend (survey_trend)."""
    better, worse = markup.text(_("better")), markup.text(_("worse"))
    parts = []
    for point in points:
        line = (
            f'<li class="list-inline-item"><a href="{markup.text(point["url"])}">'
            f"{markup.text(point['month'])}</a> <strong>{markup.text(point['average_text'])}</strong>"
        )
        delta = point["delta"]
        if delta is not None:
            if delta > 0:
                line += f' <span class="text-success" title="{better}">▲{markup.text(point["step_text"])}</span>'
            elif delta < 0:
                line += f' <span class="text-danger" title="{worse}">▼{markup.text(point["step_text"])}</span>'
            else:
                line += ' <span class="text-body-secondary">＝</span>'
        parts.append(f"{_ROW_GAP}{line}</li>{_ROW_GAP}")
    return markup.rows(parts)


def card_reads(request, customer) -> batch.Pending:
    """The card's "customer voice" box (registered in CustomersConfig.ready())."""
    recent = _card_surveys(customer.pk)

    def build(rows: dict) -> dict:
        surveys = _surveys_from(rows["recent"])
        latest = surveys[0] if surveys else None
        watch = _latest_record(
            customer,
            "latest_watch_id",
            lambda: CustomerWatch.objects.select_related("reported_by").order_by(
                "-reported_on", "-pk"
            ),
        )
        enterprise = _latest_record(
            customer,
            "latest_enterprise_survey_id",
            lambda: EnterpriseSurvey.objects.select_related("visitor").order_by(
                "-visited_on", "-pk"
            ),
        )
        latest_rows = score_rows(latest) if latest else []
        trend = survey_trend(list(reversed(surveys)))
        return {
            "template": "customers/partials/_card_voice.html",
            "customer": customer,
            "latest": latest,
            "latest_rows": latest_rows,
            "score_rows_html": _score_rows_html(latest_rows),
            "trend": trend,
            "trend_rows_html": _trend_rows_html(trend),
            "watch": watch,
            "watch_changes": watch_rows(watch, changed_only=True) if watch else [],
            "enterprise": enterprise,
            "can_record": request.user.is_at_least(Role.STAFF),
            "can_see_report": request.user.is_at_least(Role.SUPERVISOR),
        }

    return batch.Pending({"recent": recent}, build)


card_section = registry.batched_card_section(card_reads)


RECORDS = {
    "service_survey": gettext_lazy("Service-level survey recorded"),
    "enterprise_survey": gettext_lazy("Enterprise service survey recorded"),
    "enterprise_opinion": gettext_lazy("Department head's opinion added"),
    "watch": gettext_lazy("Customer watch recorded"),
}


def change_title(change) -> str:
    return str(RECORDS.get(change.changes.get("record"), change.get_kind_display()))


def change_rows(change) -> list[dict]:
    """The lines under a "voice" history entry, in the reader's language."""
    data = change.changes
    rows = []
    if data.get("date"):
        rows.append({"label": _("Date"), "old": "", "new": data["date"]})
    if data.get("record") == "service_survey" and data.get("average") is not None:
        rows.append(
            {
                "label": _("Average score"),
                "old": "",
                "new": number_format(data["average"], decimal_pos=2),
            }
        )
    if data.get("record") == "watch":
        rows.append({"label": _("Items changed"), "old": "", "new": str(data.get("changed", 0))})
        risky = data.get("risky") or []
        if risky:
            rows.append(
                {
                    "label": _("Risk signals"),
                    "old": "",
                    "new": pgettext("list separator", ", ").join(
                        str(WATCH_LABELS.get(code, code)) for code in risky
                    ),
                }
            )
    return rows
