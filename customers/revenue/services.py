"""Revenue writes: the turnover import (all or nothing), a supervisor's edit,
the rolling figures the grading rule reads, and turnover targets."""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import F, Max, Q, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import ServiceUnit, User
from crm_site.core import months
from crm_site.core.services import audit
from crm_site.core.versioning import claim_version

from .. import xlsx as book
from ..models import Customer, CustomerChange, GradingRule, RegradeRun
from ..services.rules import regrade_run_start
from . import rules
from . import xlsx as sheet
from .models import MonthlyTurnover, RevenueTarget, TurnoverEvent

KEEP_ERRORS = 500
CHUNK = 1000
MAX_AMOUNT = Decimal("999999999999.99")
ZERO = Decimal(0)


@dataclass
class ImportOutcome:
    rows: int = 0
    errors: list = field(default_factory=list)
    error_count: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    regraded: RegradeRun | None = None
    # (customer id, month) of every row saved, in the order given.
    saved: list = field(default_factory=list)

    def error(self, row: int, column: str, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < KEEP_ERRORS:
            self.errors.append({"row": row, "column": column, "message": str(message)})


def _amount(value) -> Decimal | None:
    text = book.revenue_input(value)
    try:
        amount = Decimal(text) if text is not None else None
    except InvalidOperation:
        return None
    # "NaN" and "Infinity" read as numbers, and compare with nothing.
    if amount is None or not amount.is_finite():
        return None
    if amount < 0 or amount > MAX_AMOUNT or amount != amount.quantize(rules.CENT):
        return None
    return amount


def _customers_by_code(actor: User, codes: set[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    listed = sorted(codes)
    visible = Customer.objects.visible_to(actor)
    for start in range(0, len(listed), CHUNK):
        chunk = listed[start : start + CHUNK]
        found.update(visible.filter(code__in=chunk).values_list("code", "pk"))
    return found


def _read(actor: User, rows, outcome: ImportOutcome) -> dict[tuple[int, date], Decimal]:
    """Every row checked; (customer id, month) -> amount for the good ones."""
    parsed = []
    for number, values, formula in rows:
        outcome.rows += 1
        if formula:
            outcome.error(number, "", _("Formulas are not accepted: type the values."))
            continue
        code = book.as_text(values.get("code"))
        month = sheet.month_input(values.get("month"))
        amount = _amount(values.get("amount"))
        if not code:
            outcome.error(number, "code", _("The customer code is missing."))
        if month is None:
            outcome.error(number, "month", _("Give the month as YYYY-MM."))
        if amount is None:
            outcome.error(
                number, "amount", _("The turnover must be a number of at least 0, to the cent.")
            )
        parsed.append((number, code, month, amount))
    by_code = _customers_by_code(actor, {code for _n, code, _m, _a in parsed if code})
    planned: dict[tuple[int, date], Decimal] = {}
    seen: dict[tuple[str, date], int] = {}
    for number, code, month, amount in parsed:
        if code and code not in by_code:
            outcome.error(number, "code", _("No customer with this code in your units."))
            continue
        if month is None or amount is None or not code:
            continue
        if (code, month) in seen:
            outcome.error(
                number,
                "month",
                _("This customer and month are already on row %(row)s.")
                % {"row": seen[code, month]},
            )
            continue
        seen[code, month] = number
        planned[(by_code[code], month)] = amount
    return planned


def turnover_import(*, actor: User, upload, name: str = "") -> ImportOutcome:
    """Import monthly turnover from an .xlsx: every row is checked first, and
    one error anywhere writes nothing. A customer and month already stored is
    replaced (never added to), so importing the same file twice changes
    nothing the second time. Raises ImportFileError for a file that cannot be read.
    """
    return turnover_rows_save(actor=actor, rows=sheet.open_rows(upload).rows, name=name)


def turnover_rows_save(*, actor: User, rows, name: str = "") -> ImportOutcome:
    """Save turnover rows (row number, {"code", "month", "amount"}, has a formula)
    under the import's rules: all or nothing, a stored month replaced. The file
    import and any other feed (the API) go through here."""
    outcome = ImportOutcome()
    planned = _read(actor, rows, outcome)
    if outcome.error_count or not planned:
        return outcome
    with transaction.atomic():
        changed = _write(actor, planned, outcome)
        outcome.saved = list(planned)
        moved = revenue_figures_refresh(customer_ids={pk for pk, _m in changed}, actor=actor)
        audit(
            actor=actor,
            action="turnover.import",
            summary=name[:100],
            data={
                "rows": outcome.rows,
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
            },
            object_type="customers.monthlyturnover",
        )
        if moved:
            outcome.regraded = regrade_run_start(
                rule=GradingRule.objects.current(),
                actor=actor,
                reason=_("Turnover import: %(n)s customers' revenue or trend changed")
                % {"n": len(moved)},
            )
    return outcome


def _write(actor, planned, outcome) -> set[tuple[int, date]]:
    """Store the planned (customer id, month) -> amount: a new month inserted,
    a stored one replaced when it differs; each with its history event."""
    keys = list(planned)
    existing: dict[tuple[int, date], tuple[int, Decimal, int]] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        found = (
            MonthlyTurnover.objects.select_for_update()
            .filter(customer_id__in={pk for pk, _m in chunk}, month__in={m for _pk, m in chunk})
            .values_list("customer_id", "month", "pk", "amount", "version")
        )
        for customer_id, month, pk, amount, version in found:
            existing[(customer_id, month)] = (pk, amount, version)
    new: list[tuple[int, date, Decimal]] = []
    changed: list[tuple[int, Decimal, datetime, int]] = []
    events: list[tuple[int, dict]] = []
    now = timezone.now()
    for key, amount in planned.items():
        stored = existing.get(key)
        if stored is None:
            new.append((key[0], key[1], amount))
        elif stored[1] != amount:
            events.append((stored[0], {"old": str(stored[1]), "new": str(amount)}))
            changed.append((stored[0], amount, now, stored[2] + 1))
        else:
            outcome.unchanged += 1
    _update_values(
        MonthlyTurnover,
        ["amount", "updated_at", "version"],
        changed,
        casts=["numeric", "timestamptz", "integer"],
    )
    events += [(pk, {"new": str(amount)}) for pk, amount in _insert_turnover(new, now)]
    _insert_events(
        TurnoverEvent,
        "turnover",
        events,
        actor=actor,
        kind=TurnoverEvent.Kind.IMPORTED,
        at=now,
    )
    outcome.created, outcome.updated = len(new), len(changed)
    stored_keys = {(customer_id, month) for customer_id, month, _a in new}
    by_pk = {stored[0]: key for key, stored in existing.items()}
    return stored_keys | {by_pk[pk] for pk, *_rest in changed}


def _insert_turnover(rows: list[tuple[int, date, Decimal]], now) -> list[tuple[int, Decimal]]:
    """Insert (customer id, month, amount) rows, a row stored meanwhile replaced;
    their (id, amount). On PostgreSQL one INSERT ... ON CONFLICT per CHUNK rows
    with plain tuples (no model instance per row)."""
    if not rows:
        return []
    if connection.vendor != "postgresql":
        objs = [MonthlyTurnover(customer_id=c, month=m, amount=a) for c, m, a in rows]
        MonthlyTurnover.objects.bulk_create(
            objs,
            batch_size=CHUNK,
            update_conflicts=True,
            unique_fields=["customer", "month"],
            update_fields=["amount", "updated_at"],
        )
        return [(obj.pk, obj.amount) for obj in objs]
    from psycopg2.extras import execute_values

    sql = (
        f"INSERT INTO {connection.ops.quote_name(MonthlyTurnover._meta.db_table)} "
        "(customer_id, month, amount, updated_at, version) VALUES %s "
        "ON CONFLICT (customer_id, month) DO UPDATE "
        "SET amount = EXCLUDED.amount, updated_at = EXCLUDED.updated_at RETURNING id, amount"
    )
    with connection.cursor() as cursor:
        return execute_values(
            cursor.cursor,
            sql,
            [(c, m, a, now, 0) for c, m, a in rows],
            page_size=CHUNK,
            fetch=True,
        )


def _insert_events(
    model, parent: str, rows: list[tuple[int, dict]], *, actor, kind, at, data: str = "data"
) -> None:
    """History rows (parent id, details) of an EventBase model whose details
    are in the field `data`: one INSERT per CHUNK rows of plain tuples on
    PostgreSQL, bulk_create elsewhere."""
    if not rows:
        return
    data_field = model._meta.get_field(data)
    if connection.vendor != "postgresql":
        model.objects.bulk_create(
            [
                model(**{f"{parent}_id": pk, data: details}, actor=actor, kind=kind)
                for pk, details in rows
            ],
            batch_size=CHUNK,
        )
        return
    import json

    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    parent_column = model._meta.get_field(parent).column
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} ({quote(parent_column)}, actor_id, kind, at, "
        f"from_state, to_state, {quote(data_field.column)}) VALUES %s"
    )
    actor_id = actor.pk if actor is not None else None
    with connection.cursor() as cursor:
        execute_values(
            cursor.cursor,
            sql,
            [
                (pk, actor_id, str(kind), at, "", "", json.dumps(details, ensure_ascii=False))
                for pk, details in rows
            ],
            page_size=CHUNK,
        )


def _update_values(model, fields: list[str], rows: list[tuple], *, casts: list[str]) -> None:
    """Write (pk, *values of `fields`) rows: one UPDATE ... FROM (VALUES ...) per
    CHUNK rows on PostgreSQL (Django's bulk_update builds a CASE per row and
    column, which grows with the square of the batch), bulk_update elsewhere."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        objs = [model(pk=pk, **dict(zip(fields, values, strict=True))) for pk, *values in rows]
        model.objects.bulk_update(objs, fields, batch_size=200)
        return
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    assignments = ", ".join(
        f"{quote(model._meta.get_field(f).column)} = v.{quote(f)}::{cast}"
        for f, cast in zip(fields, casts, strict=True)
    )
    names = ", ".join(quote(f) for f in fields)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET {assignments} "
        f"FROM (VALUES %s) AS v(id, {names}) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=CHUNK)


@transaction.atomic
def turnover_edit(
    *, actor: User, turnover: MonthlyTurnover, amount: Decimal, version: int | None = None
) -> MonthlyTurnover:
    """A supervisor corrects one month's turnover; the old and new figure go to its history."""
    claim_version(turnover, version, history=turnover.events.all())
    old = MonthlyTurnover.objects.filter(pk=turnover.pk).values_list("amount", flat=True).get()
    turnover.amount = amount
    turnover.save(update_fields=["amount", "updated_at"])
    TurnoverEvent.objects.create(
        turnover=turnover,
        actor=actor,
        kind=TurnoverEvent.Kind.EDITED,
        data={"old": str(old), "new": str(amount)},
    )
    revenue_figures_refresh(customer_ids={turnover.customer_id}, actor=actor)
    return turnover


def latest_month() -> date | None:
    """The newest month any turnover is stored for: the end of every rolling window."""
    return MonthlyTurnover.objects.aggregate(m=Max("month"))["m"]


def revenue_figures_refresh(
    *, customer_ids, as_of: date | None = None, actor: User | None = None
) -> set[int]:
    """Write each customer's rolling 12-month revenue and computed trend onto
    the customer, where the grading rule reads them; the ids whose figures changed.

    The window ends at the newest month stored for anyone (the billing
    system's last load), so a customer that stopped trading falls in revenue.
    The database adds up what the trend rule needs per customer (the last 12
    months, the 12 before, and the last 12 weighted by their place), a batch
    of customers at a time."""
    as_of = as_of or latest_month()
    if as_of is None or not customer_ids:
        return set()
    last_start = months.shift(as_of, -11)
    moved: set[int] = set()
    listed = sorted(customer_ids)
    for begin in range(0, len(listed), CHUNK):
        chunk = listed[begin : begin + CHUNK]
        current = list(
            Customer.objects.select_for_update()
            .filter(pk__in=chunk)
            .values_list("pk", "annual_revenue", "trend")
        )
        sums = _trend_sums(chunk, last_start, as_of)
        dirty, history = [], []
        for pk, revenue, trend in current:
            total, before, weighted = sums.get(pk, (ZERO, ZERO, ZERO))
            figures = rules.trend_from_sums(total=total, before=before, weighted=weighted)
            changes = {
                name: [str(old), str(new)]
                for name, old, new in (
                    ("annual_revenue", revenue, figures.annual_wan),
                    ("trend", trend, figures.trend),
                )
                if old != new
            }
            if changes:
                dirty.append((pk, figures.annual_wan, figures.trend))
                history.append((pk, changes))
        _update_values(Customer, ["annual_revenue", "trend"], dirty, casts=["numeric", "text"])
        _insert_events(
            CustomerChange,
            "customer",
            history,
            actor=actor,
            kind=CustomerChange.Kind.UPDATED,
            at=timezone.now(),
            data="changes",
        )
        moved.update(pk for pk, _revenue, _trend in dirty)
    return moved


def _trend_sums(customer_ids, last_start: date, as_of: date) -> dict:
    """customer id -> (the last 12 months' total, the 12 before's, and the last
    12 months' Σ i × amount with i = 0 for `last_start`) of these customers."""
    place = (
        ExtractYear("month") * 12
        + ExtractMonth("month")
        - (last_start.year * 12 + last_start.month)
    )
    recent = Q(month__gte=last_start)
    rows = (
        MonthlyTurnover.objects.filter(
            customer_id__in=customer_ids, month__gte=months.shift(last_start, -12), month__lte=as_of
        )
        .values_list("customer_id")
        .annotate(
            total=Sum("amount", filter=recent, default=ZERO),
            before=Sum("amount", filter=~recent, default=ZERO),
            weighted=Sum(F("amount") * place, filter=recent, default=ZERO),
        )
        .order_by()
    )
    return {pk: (total, before, weighted) for pk, total, before, weighted in rows}


@transaction.atomic
def revenue_target_set(
    *,
    actor: User,
    unit: ServiceUnit,
    month: date,
    amount: Decimal,
    person: User | None = None,
    grade: str = "",
) -> RevenueTarget:
    """Set (or replace) the monthly turnover target of a unit, person or grade."""
    target, created = RevenueTarget.objects.update_or_create(
        unit=unit,
        month=months.first_of(month),
        person=person,
        grade=grade,
        defaults={"amount": amount, "set_by": actor},
    )
    audit(
        actor=actor,
        action="revenue_target.set",
        obj=target,
        summary=f"{unit.code} {month:%Y-%m} {grade} {amount}",
        data={"created": created, "amount": str(amount)},
    )
    return target
