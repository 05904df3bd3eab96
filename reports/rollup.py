"""The figures of a monthly patrol summary, computed set-based.

One query per figure group, never a Python loop over entries or visits:

1. compliance by visiting person and grade, and the customers not visited or
   called as required: visits/compliance.py, the one implementation the
   compliance page uses too (grouped per unit, person and grade; the customers
   behind as one JSON list per unit built by the database);
2. the month's daily reports and entries (counts, latest change) and 3. the
   contacts recorded for the unit (count, latest): the source fingerprint;
4. opinions and suggestions (entry field 2) and 5. market and competitor
   intelligence (entry field 3): the full lists;
6. urgent reports raised, resolved and open, with 7. their list;
8. complaints received, resolved, on time (complaints.services.complaint_figures).

Month boundaries are local (Asia/Shanghai): an entry at 23:30 on 31 October
belongs to October although it is 15:30 UTC.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import BooleanField, Case, Count, Max, Q, Value, When
from django.utils import timezone

from complaints.services import complaint_figures_by_unit
from crm_site.core import months
from customers.models import Customer, GradingRule
from visits import cadence as cad
from visits import compliance
from visits.models import DailyReport, DailyReportEntry, UrgentReport, Visit
from visits.queries import span

SCHEMA = 1


@dataclass(frozen=True)
class MonthWindow:
    """The month seen on `today`: its days, the counted weeks and aware bounds."""

    month: date
    last_day: date
    as_of: date  # the last day that counts
    closed: bool  # the month was over on `today`
    start: datetime  # month's first day 00:00 local
    end: datetime  # the day after the last day 00:00 local
    weeks: tuple[tuple[date, date], ...]  # ISO weeks counted (begun by as_of)
    all_weeks: tuple[tuple[date, date], ...]  # every ISO week of the month
    source_start: datetime  # month and all its weeks: the source fingerprint's window
    source_end: datetime


def window(month: date, *, today: date) -> MonthWindow:
    month = months.first_of(month)
    last = months.last_day(month)
    as_of = min(today, last)
    all_weeks = tuple(cad.weeks_of_month(month.year, month.month))
    weeks = tuple(w for w in all_weeks if w[0] <= as_of)
    start, end = span(month, last)
    first_day = min([month, *(w[0] for w in all_weeks)])
    last_of_all = max([last, *(w[1] for w in all_weeks)])
    source_start, source_end = span(first_day, last_of_all)
    return MonthWindow(
        month=month,
        last_day=last,
        as_of=as_of,
        closed=today > last,
        start=start,
        end=end,
        weeks=weeks,
        all_weeks=all_weeks,
        source_start=source_start,
        source_end=source_end,
    )


def final_after(month: date) -> datetime:
    """A build at or after this moment saw the whole month (it had closed)."""
    return span(month, months.last_day(month))[1]


def is_final(summary) -> bool:
    """The summary's figures cover its whole month: built after the month closed."""
    return summary.as_of == months.last_day(summary.month) and summary.built_at >= final_after(
        summary.month
    )


# --- cadence requirements ------------------------------------------------------


@dataclass(frozen=True)
class Requirements:
    grades: list[dict]  # [{code, name, visits_per_month, calls_per_week}] in rule order
    need: compliance.Requirements  # what each grade asks for in the month

    @property
    def visits(self) -> dict[str, int]:
        """grade -> visits required in the month."""
        return self.need.visits

    @property
    def calls(self) -> list[dict[str, int]]:
        """Per counted week: grade -> calls required."""
        return list(self.need.calls)


def requirements(w: MonthWindow) -> Requirements:
    """What each grade of the current rule asks for in the month (visits/compliance.py)."""
    rule = GradingRule.objects.current().as_rule()
    return Requirements(
        grades=[
            {
                "code": g.code,
                "name": g.name,
                "visits_per_month": g.visits_per_month,
                "calls_per_week": g.calls_per_week,
            }
            for g in rule.grades
        ],
        need=compliance.requirements(w.month, today=w.as_of, cadences=rule.cadence()),
    )


# --- compliance (visits/compliance.py) and the customers behind ---------------------


@dataclass(frozen=True)
class JsonList:
    """A list built by the database as JSON text: stored as it is (no round trip
    through Python objects), counted there, parsed only when someone reads it."""

    text: str
    count: int

    def load(self) -> list:
        return json.loads(self.text)


def _person_sql(u: str) -> str:
    """The person's display name in SQL, as _person_name() gives it in Python."""
    return (
        f"COALESCE(NULLIF(TRIM({u}.full_name), ''), "
        f"NULLIF(TRIM(COALESCE({u}.first_name, '') || ' ' || COALESCE({u}.last_name, '')), ''), "
        f"{u}.username)"
    )


def _in(ids) -> tuple[str, list]:
    """An IN list of placeholders and its parameters (PostgreSQL and SQLite alike)."""
    ids = list(ids)
    return "(" + ", ".join(["%s"] * len(ids)) + ")", ids


def _json_lists_by(key: str, columns: str, source: str, order: str) -> str:
    """A grouped query: per `key`, the JSON array of `json_array(columns)` over
    `source` (FROM ... WHERE ...), in `order`; columns key, count, list (text)."""
    if connection.vendor == "postgresql":
        return (
            f"SELECT {key} AS list_key, COUNT(*) AS list_count, "
            f"COALESCE(json_agg(json_build_array({columns}) ORDER BY {order}), '[]'::json)::text "
            f"AS list_text FROM {source} GROUP BY {key}"
        )
    # SQLite (3.40) has no ORDER BY inside aggregates: order in a subquery.
    return (
        "SELECT list_key, COUNT(*) AS list_count, COALESCE(json_group_array(json(item)), '[]') "
        f"AS list_text FROM (SELECT {key} AS list_key, json_array({columns}) AS item "
        f"FROM {source} ORDER BY {key}, {order}) GROUP BY list_key"
    )


FIGURE_KEYS = ("customers", *compliance.FIGURE_KEYS)


def _person_name(user: Mapping[str, Any]) -> str:
    full = (user.get("full_name") or "").strip()
    first_last = f"{user.get('first_name') or ''} {user.get('last_name') or ''}".strip()
    return full or first_last or user["username"]


# The customers behind are stored compactly, one array per customer in this order
# (display.behind_rows turns them back into dicts).
BEHIND_COLUMNS = (
    "customer_id",
    "code",
    "name",
    "grade",
    "person_id",
    "person",
    # The customer's figures of the month, but the calls made in it.
    *(key for key in compliance.FIGURE_KEYS if key != "calls_in_month"),
)


def _compliance_sql(customers, need: compliance.Requirements) -> tuple[str, list]:
    """One statement over the per-customer figures of visits/compliance.py (one
    CTE, read twice): a 'g' row per unit, visiting person and grade, and a 'b'
    row per unit with its customers behind as a JSON list of BEHIND_COLUMNS
    arrays built by the database (by visiting person, grade and code; customers
    without one last)."""
    inner, params = compliance.figures_sql(customers, need, (*GROUP_BY, "id", "code", "name"))
    user_t = get_user_model()._meta.db_table
    behind_lists = _json_lists_by(
        "f.c_unit_id",
        "f.c_id, f.c_code, f.c_name, COALESCE(f.c_grade, ''), f.c_visiting_person, "
        f"CASE WHEN f.c_visiting_person IS NULL THEN NULL ELSE {_person_sql('bu')} END, "
        "f.visits_required, f.visits_counted, f.visits_done, "
        "f.calls_required, f.calls_counted, f.calls_done",
        f"figures f LEFT JOIN {user_t} bu ON bu.id = f.c_visiting_person "
        f"WHERE {compliance.BEHIND_SQL}",
        "CASE WHEN f.c_visiting_person IS NULL THEN 1 ELSE 0 END, bu.username, f.c_grade, f.c_code",
    )
    padding = ", ".join(["NULL"] * len(compliance.FIGURE_KEYS))
    sql = (
        f"WITH figures AS ({inner}) "
        f"SELECT 'g', g.*, NULL FROM ({compliance.grouped_sql('figures', GROUP_BY)}) g "
        f"UNION ALL SELECT 'b', b.list_key, NULL, NULL, b.list_count, {padding}, b.list_text "
        f"FROM ({behind_lists}) b"
    )
    return sql, params


GROUP_BY = ("unit_id", "visiting_person", "grade")


def compliance_data_many(
    unit_ids: list[int], w: MonthWindow, req: Requirements
) -> dict[int, tuple[list, JsonList]]:
    """Per unit, (groups, behind) for all the units in one statement
    (_compliance_sql) and one for the people's names: per visiting person and
    grade the customers, required, counted and done (dicts, by person's login
    and grade); and the customers not visited or called as required."""
    result: dict[int, tuple[list, JsonList]] = {
        unit_id: ([], JsonList("[]", 0)) for unit_id in unit_ids
    }
    if not unit_ids:
        return result
    customers = Customer.objects.filter(unit_id__in=unit_ids).active()
    sql, params = _compliance_sql(customers, req.need)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        fetched = cursor.fetchall()
    rows = []
    for kind, *row in fetched:
        if kind == "b":
            unit_id, count, text = row[0], row[3], row[-1]
            result[unit_id] = (result[unit_id][0], JsonList(text, int(count)))
        else:
            rows.append(compliance.grouped_row(row[:-1], GROUP_BY))
    people = {
        user["pk"]: user
        for user in get_user_model()
        .objects.filter(pk__in={r["visiting_person"] for r in rows} - {None})
        .values("pk", "full_name", "first_name", "last_name", "username")
    }
    nobody: dict = {"username": ""}
    rows.sort(
        key=lambda r: (
            r["visiting_person"] is None,
            people.get(r["visiting_person"], nobody)["username"],
            r["grade"] or "",
        )
    )
    for row in rows:
        person = people.get(row["visiting_person"])
        result[row["unit_id"]][0].append(
            {
                "person_id": row["visiting_person"],
                "person": _person_name(person) if person else None,
                "grade": row["grade"] or "",
            }
            | {key: row[key] for key in FIGURE_KEYS}
        )
    return result


def _sum(rows: list[dict]) -> dict:
    return compliance.with_percentages({k: sum(r[k] for r in rows) for k in FIGURE_KEYS})


def compliance_section(groups: list[dict], req: Requirements) -> dict:
    """By grade (rule order), by person (name order, nobody last) and the unit total."""
    order = {g["code"]: i for i, g in enumerate(req.grades)}
    names = {g["code"]: g["name"] for g in req.grades}
    by_grade: dict[str, list] = {}
    by_person: dict = {}
    for row in groups:
        by_grade.setdefault(row["grade"], []).append(row)
        by_person.setdefault(row["person_id"], []).append(row)
    grade_rows = [
        {"grade": code, "name": names.get(code, code)} | _sum(rows)
        for code, rows in sorted(by_grade.items(), key=lambda i: (order.get(i[0], 99), i[0]))
    ]
    person_rows = []
    for person_id, rows in by_person.items():
        rows.sort(key=lambda r: (order.get(r["grade"], 99), r["grade"]))
        person_rows.append(
            {
                "person_id": person_id,
                "person": rows[0]["person"],
                "grades": [compliance.with_percentages(r) for r in rows],
                "total": _sum(rows),
            }
        )
    person_rows.sort(key=lambda p: (p["person_id"] is None, p["person"] or ""))
    return {
        "grades": req.grades,
        "by_grade": grade_rows,
        "by_person": person_rows,
        "total": _sum(groups),
    }


# --- activity and the source fingerprint ---------------------------------------


def _iso(value) -> str | None:
    return value.isoformat() if value else None


EMPTY_STATE = {
    "reports": 0,
    "staff": 0,
    "reports_updated": None,
    "entries": 0,
    "entries_updated": None,
    "customers_contacted": 0,
    "flagged": 0,
    "contacts": 0,
    "contacts_created": None,
}


def source_state_many(unit_ids: list[int], w: MonthWindow) -> dict[int, dict]:
    """Per unit: counts and latest changes of the month's daily reports, entries
    and contacts. Two grouped aggregate queries for all the units.

    The summary stores it; comparing it later with the live state tells whether
    the month's data changed since the build.
    """
    states: dict[int, dict[str, Any]] = {unit_id: dict(EMPTY_STATE) for unit_id in unit_ids}
    reports = (
        DailyReport.objects.filter(unit_id__in=unit_ids, date__gte=w.month, date__lte=w.last_day)
        .order_by()
        .values("unit_id")
        .annotate(
            reports=Count("pk", distinct=True),
            staff=Count("user", distinct=True),
            reports_updated=Max("updated_at"),
            entry_count=Count("entries"),
            entries_updated=Max("entries__updated_at"),
            customers_contacted=Count("entries__customer", distinct=True),
            flagged=Count("entries", filter=Q(entries__needs_escalation=True)),
        )
    )
    for row in reports:
        state = states[row.pop("unit_id")]  # type: ignore[misc]
        row["entries"] = row.pop("entry_count")  # type: ignore[misc]
        state.update(row)
    # Contacts recorded for the unit (Visit.unit is the customer's unit when the
    # contact was made: an index range scan, whatever the size of the history).
    contacts = (
        Visit.objects.filter(
            unit_id__in=unit_ids, occurred_at__gte=w.source_start, occurred_at__lt=w.source_end
        )
        .order_by()
        .values("unit_id")
        .annotate(contacts=Count("pk"), contacts_created=Max("created_at"))
    )
    for row in contacts:  # type: ignore[assignment]
        states[row.pop("unit_id")].update(row)  # type: ignore[misc]
    for state in states.values():
        for key in ("reports_updated", "entries_updated", "contacts_created"):
            state[key] = _iso(state[key])
    return states


def source_state(unit_id: int, w: MonthWindow) -> dict:
    """source_state_many for one unit."""
    return source_state_many([unit_id], w)[unit_id]


FINGERPRINT_KEYS = (
    "reports",
    "reports_updated",
    "entries",
    "entries_updated",
    "contacts",
    "contacts_created",
)


def fingerprint(state: dict) -> str:
    picked = {k: state.get(k) for k in FINGERPRINT_KEYS}
    return hashlib.sha1(json.dumps(picked, sort_keys=True).encode()).hexdigest()


def changes(old: dict, new: dict) -> dict:
    """What differs between two source states: counts as [before, after], and whether
    existing rows were edited (a later latest change with the same counts)."""
    diff = {
        key: [old.get(key), new.get(key)]
        for key in ("reports", "entries", "contacts")
        if old.get(key) != new.get(key)
    }
    edited = any(
        old.get(key) != new.get(key)
        for key in ("reports_updated", "entries_updated", "contacts_created")
    )
    latest = max(
        (new.get(k) or "" for k in ("reports_updated", "entries_updated", "contacts_created")),
        default="",
    )
    return {"counts": diff, "edited": edited, "latest": latest or None}


# --- entry texts -----------------------------------------------------------------

# Stored compactly, one array per entry (a month can hold thousands): these
# columns, in this order (display.entry_rows turns them back into dicts).
TEXT_COLUMNS = (
    "entry",
    "report",
    "at",
    "kind",
    "customer_id",
    "customer_code",
    "customer",
    "author_id",
    "author",
    "text",
)


def entry_texts_data_many(unit_ids: list[int], w: MonthWindow) -> dict[int, dict[str, JsonList]]:
    """Per unit, every entry of the month with opinions (field 2) and with market
    intelligence (field 3), as JSON lists of TEXT_COLUMNS arrays built by the
    database, in order: one grouped query per field for all the units."""
    entry_t = DailyReportEntry._meta.db_table
    report_t = DailyReport._meta.db_table
    customer_t = Customer._meta.db_table
    user_t = get_user_model()._meta.db_table
    offset = timezone.localtime(w.start).utcoffset()
    if connection.vendor == "postgresql":
        at = f"to_char(e.occurred_at AT TIME ZONE '{timezone.get_current_timezone_name()}', 'YYYY-MM-DD HH24:MI')"
    else:
        minutes = int(offset.total_seconds() // 60)  # type: ignore[union-attr]
        at = f"strftime('%%Y-%%m-%%d %%H:%%M', e.occurred_at, '{minutes:+d} minutes')"
    units, unit_params = _in(unit_ids)
    source = (
        f"{entry_t} e JOIN {report_t} r ON r.id = e.report_id "
        f"JOIN {customer_t} cu ON cu.id = e.customer_id "
        f"JOIN {user_t} u ON u.id = r.user_id "
        f"WHERE r.unit_id IN {units} AND r.date >= %s AND r.date <= %s AND e.{{field}} <> ''"
    )
    columns = (
        f"e.id, e.report_id, {at}, e.kind, e.customer_id, cu.code, cu.name, r.user_id, "
        "COALESCE(NULLIF(u.full_name, ''), u.username), e.{field}"
    )
    result = {u: {"opinions": JsonList("[]", 0), "market": JsonList("[]", 0)} for u in unit_ids}
    if not unit_ids:
        return result
    with connection.cursor() as cursor:
        for field in ("opinions", "market"):
            sql = _json_lists_by(
                "r.unit_id",
                columns.format(field=field),
                source.format(field=field),
                "e.occurred_at, e.id",
            )
            cursor.execute(sql, [*unit_params, w.month, w.last_day])
            for unit_id, count, text in cursor.fetchall():
                result[unit_id][field] = JsonList(text, int(count))
    return result


# --- urgent reports and complaints ----------------------------------------------


def _local(value) -> str | None:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else None


def _flag(condition: Q):
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def urgent_section_many(unit_ids: list[int], w: MonthWindow, now: datetime) -> dict[int, dict]:
    """Per unit: raised and resolved in the month, open at its end (or now, in the
    month in progress), and their list. Two queries for all the units."""
    cutoff = min(w.end, now)
    raised = Q(created_at__gte=w.start, created_at__lt=w.end)
    resolved = Q(resolved_at__gte=w.start, resolved_at__lt=w.end)
    open_at_cutoff = Q(created_at__lt=cutoff) & (
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=cutoff)
    )
    # Anything raised before the month's end and not resolved before its start.
    relevant = UrgentReport.objects.filter(unit_id__in=unit_ids, created_at__lt=w.end).filter(
        Q(resolved_at__isnull=True) | Q(resolved_at__gte=w.start)
    )
    sections: dict[int, dict[str, Any]] = {
        unit_id: {"raised": 0, "resolved": 0, "open": 0, "open_as_of": _local(cutoff), "list": []}
        for unit_id in unit_ids
    }
    counts = (
        relevant.order_by()
        .values("unit_id")
        .annotate(
            raised=Count("pk", filter=raised),
            resolved=Count("pk", filter=resolved),
            open=Count("pk", filter=open_at_cutoff),
        )
    )
    for row in counts:
        sections[row.pop("unit_id")].update(row)  # type: ignore[misc]
    rows = (
        relevant.annotate(
            raised_in_month=_flag(raised),
            resolved_in_month=_flag(resolved),
            open_at_end=_flag(open_at_cutoff),
        )
        .order_by("unit_id", "created_at", "pk")
        .values(
            "unit_id",
            "pk",
            "title",
            "category",
            "status",
            "created_at",
            "resolved_at",
            "customer__name",
            "raised_by__full_name",
            "raised_by__username",
            "raised_in_month",
            "resolved_in_month",
            "open_at_end",
        )
    )
    for r in rows:
        sections[r["unit_id"]]["list"].append(
            {
                "id": r["pk"],
                "title": r["title"],
                "category": r["category"],
                "status": r["status"],
                "raised_at": _local(r["created_at"]),
                "resolved_at": _local(r["resolved_at"]),
                "customer": r["customer__name"] or "",
                "raised_by": r["raised_by__full_name"] or r["raised_by__username"],
                "raised_in_month": bool(r["raised_in_month"]),
                "resolved_in_month": bool(r["resolved_in_month"]),
                "open_at_end": bool(r["open_at_end"]),
            }
        )
    return sections


def complaints_section_many(unit_ids: list[int], w: MonthWindow) -> dict[int, dict]:
    """Per unit: complaints received in the month and what has become of them
    (receipt cohort)."""
    sections = complaint_figures_by_unit(unit_ids=unit_ids, start=w.month, end=w.last_day)
    for figures in sections.values():
        figures["cohort"] = "received"
    return sections


# --- everything -------------------------------------------------------------------


def compute_many(
    *, unit_ids: list[int], month: date, today: date, now: datetime
) -> dict[int, dict]:
    """All figures of the units' month as model field values (see
    MonthlyPatrolSummary), per unit: set-based over all the units at once, a
    handful of grouped queries whatever their number."""
    w = window(month, today=today)
    req = requirements(w)
    compliance_all = compliance_data_many(unit_ids, w, req)
    states = source_state_many(unit_ids, w)
    texts_all = entry_texts_data_many(unit_ids, w)
    urgent_all = urgent_section_many(unit_ids, w, now)
    complaints_all = complaints_section_many(unit_ids, w)
    return {
        unit_id: _figures(
            w,
            req,
            compliance_all[unit_id],
            states[unit_id],
            texts_all[unit_id],
            urgent_all[unit_id],
            complaints_all[unit_id],
        )
        for unit_id in unit_ids
    }


def _figures(w, req, compliance_data_, state, texts, urgent, complaints) -> dict:
    groups, behind = compliance_data_
    compliance = compliance_section(groups, req)
    opinions, market = texts["opinions"], texts["market"]
    total = compliance["total"]
    activity = {
        "schema": SCHEMA,
        "closed": w.closed,
        "weeks": [[m.isoformat(), s.isoformat()] for m, s in w.weeks],
        **{k: state[k] for k in ("reports", "staff", "entries", "customers_contacted", "flagged")},
    }
    sections = {
        "activity": activity,
        "compliance": compliance,
        "behind": behind,
        "urgent": urgent,
        "complaints": complaints,
    }
    source = fingerprint(state)
    return {
        "as_of": w.as_of,
        "closed": w.closed,
        "source": state,
        "source_fingerprint": source,
        # The text lists follow from the entries, which the source fingerprint
        # covers: the digest need not encode them again.
        "figures_digest": digest(sections | {"source": source}),
        "customers": total["customers"],
        "visits_done": total["visits_done"],
        "calls_done": total["calls_in_month"],
        "visits_percent": total["visits_percent"],
        "calls_percent": total["calls_percent"],
        "compliance_percent": total["percent"],
        "customers_behind": behind.count,
        "opinions_count": opinions.count,
        "market_count": market.count,
        "urgent_raised": urgent["raised"],
        "urgent_resolved": urgent["resolved"],
        "urgent_open": urgent["open"],
        "complaints_received": complaints["received"],
        "complaints_resolved": complaints["resolved"],
        "complaints_on_time": complaints["resolved_on_time"],
        "opinions": opinions,
        "market": market,
        **sections,
    }


def digest(sections: dict) -> str:
    """A hash of the figures; lists built by the database are hashed as their text."""
    sha = hashlib.sha1()
    plain = {k: v for k, v in sections.items() if not isinstance(v, JsonList)}
    sha.update(json.dumps(plain, sort_keys=True, default=str, ensure_ascii=False).encode())
    for key in sorted(k for k, v in sections.items() if isinstance(v, JsonList)):
        sha.update(f"|{key}|".encode())
        sha.update(sections[key].text.encode())
    return sha.hexdigest()
