"""Revenue writes: the turnover import (all or nothing), a supervisor's edit,
the rolling figures the grading rule reads, and turnover targets."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import connection, transaction
from django.db.models import Max
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
    keys = list(planned)
    existing: dict[tuple[int, date], MonthlyTurnover] = {}
    for start in range(0, len(keys), CHUNK):
        chunk = keys[start : start + CHUNK]
        ids = {pk for pk, _m in chunk}
        for row in MonthlyTurnover.objects.select_for_update().filter(
            customer_id__in=ids, month__in={m for _pk, m in chunk}
        ):
            existing[(row.customer_id, row.month)] = row
    new: list[MonthlyTurnover] = []
    changed: list[MonthlyTurnover] = []
    events: list[tuple[MonthlyTurnover, dict]] = []
    now = timezone.now()
    for key, amount in planned.items():
        found = existing.get(key)
        if found is None:
            new.append(MonthlyTurnover(customer_id=key[0], month=key[1], amount=amount))
            continue
        row = found
        if row.amount != amount:
            events.append((row, {"old": str(row.amount), "new": str(amount)}))
            row.amount, row.updated_at, row.version = amount, now, row.version + 1
            changed.append(row)
        else:
            outcome.unchanged += 1
    MonthlyTurnover.objects.bulk_create(
        new,
        batch_size=CHUNK,
        update_conflicts=True,
        unique_fields=["customer", "month"],
        update_fields=["amount", "updated_at"],
    )
    _update_by_values(
        MonthlyTurnover,
        changed,
        {"amount": "numeric", "updated_at": "timestamptz", "version": "integer"},
    )
    events += [(row, {"new": str(row.amount)}) for row in new]
    TurnoverEvent.objects.bulk_create(
        [
            TurnoverEvent(turnover=row, actor=actor, kind=TurnoverEvent.Kind.IMPORTED, data=data)
            for row, data in events
        ],
        batch_size=CHUNK,
    )
    outcome.created, outcome.updated = len(new), len(changed)
    return {(r.customer_id, r.month) for r in [*new, *changed]}


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


def _update_by_values(model, objects: list, columns: dict[str, str]) -> None:
    """Write `columns` (name -> SQL type) of `objects`: one UPDATE ... FROM
    (VALUES ...) per thousand rows on PostgreSQL. Django's bulk_update builds a
    CASE with a branch per row for every column, which grows with the square of
    the batch; joining a VALUES list stays linear (as the regrade's grades)."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_update(objects, list(columns), batch_size=100)
        return
    from psycopg2.extras import execute_values

    quote = connection.ops.quote_name
    names = list(columns)
    sql = (
        f"UPDATE {quote(model._meta.db_table)} AS t SET "
        + ", ".join(f"{quote(name)} = v.{quote(name)}::{columns[name]}" for name in names)
        + f" FROM (VALUES %s) AS v(id, {', '.join(quote(name) for name in names)})"
        + " WHERE t.id = v.id"
    )
    rows = [(obj.pk, *(_sql_value(getattr(obj, name)) for name in names)) for obj in objects]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=CHUNK)


def _sql_value(value):
    """A value as text for the VALUES list (cast to its column's type in the SET)."""
    if isinstance(value, Decimal | int) and not isinstance(value, bool):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def latest_month() -> date | None:
    """The newest month any turnover is stored for: the end of every rolling window."""
    return MonthlyTurnover.objects.aggregate(m=Max("month"))["m"]


def revenue_figures_refresh(
    *, customer_ids, as_of: date | None = None, actor: User | None = None
) -> set[int]:
    """Write each customer's rolling 12-month revenue and computed trend onto
    the customer, where the grading rule reads them; the ids whose figures changed.

    The window ends at the newest month stored for anyone (the billing
    system's last load), so a customer that stopped trading falls in revenue."""
    as_of = as_of or latest_month()
    if as_of is None or not customer_ids:
        return set()
    start = months.shift(as_of, -23)
    window = months.trailing(as_of, 24)
    moved: set[int] = set()
    listed = sorted(customer_ids)
    for begin in range(0, len(listed), CHUNK):
        chunk = listed[begin : begin + CHUNK]
        amounts: dict[int, dict[date, Decimal]] = defaultdict(dict)
        for pk, month, amount in MonthlyTurnover.objects.filter(
            customer_id__in=chunk, month__gte=start, month__lte=as_of
        ).values_list("customer_id", "month", "amount"):
            amounts[pk][month] = amount
        customers = list(
            Customer.objects.select_for_update()
            .filter(pk__in=chunk)
            .only("pk", "annual_revenue", "trend")
        )
        dirty, history = [], []
        for customer in customers:
            series = [amounts[customer.pk].get(m, Decimal(0)) for m in window]
            figures = rules.trend_figures(series[12:], series[:12])
            changes = {
                name: [str(old), str(new)]
                for name, old, new in (
                    ("annual_revenue", customer.annual_revenue, figures.annual_wan),
                    ("trend", customer.trend, figures.trend),
                )
                if old != new
            }
            if changes:
                customer.annual_revenue, customer.trend = figures.annual_wan, figures.trend
                dirty.append(customer)
                history.append(
                    CustomerChange(
                        customer=customer,
                        actor=actor,
                        kind=CustomerChange.Kind.UPDATED,
                        changes=changes,
                    )
                )
        _update_by_values(Customer, dirty, {"annual_revenue": "numeric", "trend": "text"})
        CustomerChange.objects.bulk_create(history)
        moved.update(c.pk for c in dirty)
    return moved


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
