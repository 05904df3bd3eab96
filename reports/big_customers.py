"""Big-customer revenue reports (大客户月、季、年收入报表, 大客户专员主要职责 2-3).

A big customer is one whose rolling 12-month turnover, at the end of the
period, reaches the floor of the grading rule's big-customer bands
(`grading.Rule.big_customer_floor`, the rule's top `CRM_BIG_CUSTOMER_BANDS`
revenue bands). The report of one unit lists its big customers by visiting
person (大客户专员) with the period's turnover, the same period a year before
and the rolling 12 months, with subtotals and the unit total; the quarterly one
also lists the customers that became big customers since the previous
quarter end and those that fell out (每季度审核, 把达到条件的客户列为大客户).

One grouped query over the turnover rows the caller has already scoped; the
page and the .xlsx read the same `Report`.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Q, Sum
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit
from crm_site.core import months
from customers import grading
from customers.revenue.rules import TEN_THOUSAND

ZERO = Decimal("0.00")
KINDS = (("month", _("Monthly")), ("quarter", _("Quarterly")), ("year", _("Annual")))
TITLES = {
    "month": _("Big-customer revenue report (monthly)"),
    "quarter": _("Big-customer revenue report (quarterly)"),
    "year": _("Big-customer revenue report (annual)"),
}


# --- periods (pure) -----------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "year"
    start: date  # its first month
    end: date  # its last month (first day)

    @property
    def label(self) -> str:
        if self.kind == "month":
            return f"{self.start:%Y-%m}"
        if self.kind == "quarter":
            return f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}"
        return str(self.start.year)

    @property
    def length(self) -> int:
        return {"month": 1, "quarter": 3, "year": 12}[self.kind]

    def year_before(self) -> "Period":
        return Period(self.kind, months.shift(self.start, -12), months.shift(self.end, -12))

    def previous(self) -> "Period":
        """The period just before (the previous quarter for the quarterly review)."""
        return period_of(self.kind, months.shift(self.start, -1))


def period_of(kind: str, day: date) -> Period:
    """The period of `kind` that holds `day`."""
    if kind == "month":
        start = months.first_of(day)
    elif kind == "quarter":
        start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    elif kind == "year":
        start = date(day.year, 1, 1)
    else:
        raise ValueError(kind)
    length = {"month": 1, "quarter": 3, "year": 12}[kind]
    return Period(kind, start, months.shift(start, length - 1))


def period_parse(kind: str, value: str | None) -> Period | None:
    """ "2026-11" (month), "2026Q4" (quarter) or "2026" (year); None when it does not read."""
    text = (value or "").strip().upper().replace("-Q", "Q")
    try:
        if kind == "month":
            parsed = months.parse(text)
            return period_of(kind, parsed) if parsed else None
        if kind == "quarter" and len(text) == 6 and text[4] == "Q" and text[5] in "1234":
            return period_of(kind, date(int(text[:4]), (int(text[5]) - 1) * 3 + 1, 1))
        if kind == "year" and len(text) == 4:
            return period_of(kind, date(int(text), 1, 1))
    except ValueError:
        return None
    return None


# --- the report -----------------------------------------------------------------------


def _change(amount: Decimal, last_year: Decimal) -> Decimal | None:
    """`amount` against the same period a year before, in per cent; None without it."""
    if not last_year:
        return None
    return ((amount - last_year) / last_year * 100).quantize(Decimal("0.1"))


@dataclass
class Line:
    pk: int
    code: str
    name: str
    grade: str
    band: str  # the revenue band it falls in, e.g. "≥ 1,000 万元"
    amount: Decimal  # the period's turnover, CNY
    last_year: Decimal  # the same period a year before, CNY
    rolling: Decimal  # the 12 months to the period's end, CNY
    person: str = ""  # the visiting person (大客户专员), "" for none

    @property
    def change(self) -> Decimal | None:
        return _change(self.amount, self.last_year)


@dataclass
class Totals:
    customers: int = 0
    amount: Decimal = ZERO
    last_year: Decimal = ZERO
    rolling: Decimal = ZERO

    def add(self, line: Line) -> None:
        self.customers += 1
        self.amount += line.amount
        self.last_year += line.last_year
        self.rolling += line.rolling

    @property
    def change(self) -> Decimal | None:
        return _change(self.amount, self.last_year)


@dataclass
class Group:
    person: str  # the visiting person (大客户专员), or "" for none
    lines: list[Line] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)


@dataclass
class Report:
    unit: ServiceUnit
    period: Period
    floor_wan: Decimal | None  # the big-customer floor in 万元; None: the rule has no bands
    as_of: date  # the last month of the rolling 12 months
    groups: list[Group] = field(default_factory=list)
    totals: Totals = field(default_factory=Totals)
    # The quarterly review: against the previous quarter end.
    entered: list[Line] = field(default_factory=list)
    left: list[Line] = field(default_factory=list)

    @property
    def title(self):
        return TITLES[self.period.kind]

    @property
    def reviews_movement(self) -> bool:
        return self.period.kind == "quarter"


@dataclass
class PageGroup:
    """A visiting person's lines on one page of the report; `ends` when the
    person's last line is on it (its subtotal, over all the person's lines, follows)."""

    group: Group
    lines: list[Line]
    ends: bool


def report_rows(report: Report) -> list[tuple[Group, Line]]:
    """Every line of the report with its group, in the order the report shows them
    (the rows the page is paged by)."""
    return [(group, line) for group in report.groups for line in group.lines]


def page_groups(rows) -> list[PageGroup]:
    """A page of `report_rows` regrouped by visiting person."""
    parts: list[PageGroup] = []
    for group, line in rows:
        if not parts or parts[-1].group is not group:
            parts.append(PageGroup(group=group, lines=[], ends=False))
        parts[-1].lines.append(line)
        parts[-1].ends = line is group.lines[-1]
    return parts


def _band_label(rule: grading.Rule, rolling: Decimal) -> str:
    index = rule.band_of(rolling / TEN_THOUSAND)
    if index < 0:
        return ""
    return f"≥ {rule.revenue_bands[index][0]:,}"


def _window(end: date) -> tuple[date, date]:
    return months.shift(end, -11), end


def build(
    rows, *, unit, period: Period, rule: grading.Rule, bands: int, latest: date | None
) -> Report:
    """The report of `unit` for `period` over `rows` (MonthlyTurnover, already scoped).

    The rolling 12 months end with the period, or with `latest` (the newest month
    loaded) in a period still running, so a year in progress is judged on the
    twelve months to date rather than on months not loaded yet."""
    floor_wan = rule.big_customer_floor(bands)
    as_of = min(period.end, latest) if latest else period.end
    report = Report(unit=unit, period=period, floor_wan=floor_wan, as_of=as_of)
    if floor_wan is None:
        return report
    floor = floor_wan * TEN_THOUSAND
    before = period.year_before()
    roll_start, roll_end = _window(as_of)
    prior_start, prior_end = _window(period.previous().end)
    earliest = min(before.start, roll_start, prior_start)
    figures = (
        rows.filter(customer__unit=unit, month__gte=earliest, month__lte=period.end)
        .values(
            "customer",
            "customer__code",
            "customer__name",
            "customer__grade",
            "customer__visiting_person__full_name",
            "customer__visiting_person__username",
        )
        .annotate(
            in_period=Sum("amount", filter=Q(month__gte=period.start)),
            last_year=Sum("amount", filter=Q(month__gte=before.start, month__lte=before.end)),
            rolling=Sum("amount", filter=Q(month__gte=roll_start, month__lte=roll_end)),
            prior=Sum("amount", filter=Q(month__gte=prior_start, month__lte=prior_end)),
        )
        # HAVING: only the customers that are big now or were at the previous
        # period's end come back, not the whole unit.
        .filter(Q(rolling__gte=floor) | Q(prior__gte=floor))
        .order_by()
    )
    groups: dict[str, Group] = {}
    for r in figures:
        line = Line(
            person=(
                r["customer__visiting_person__full_name"]
                or r["customer__visiting_person__username"]
                or ""
            ),
            pk=r["customer"],
            code=r["customer__code"],
            name=r["customer__name"],
            grade=r["customer__grade"],
            band="",
            amount=r["in_period"] or ZERO,
            last_year=r["last_year"] or ZERO,
            rolling=r["rolling"] or ZERO,
        )
        is_big, was_big = line.rolling >= floor, (r["prior"] or ZERO) >= floor
        line.band = _band_label(rule, line.rolling)
        if is_big:
            group = groups.setdefault(line.person, Group(person=line.person))
            group.lines.append(line)
            group.totals.add(line)
            report.totals.add(line)
        if report.reviews_movement and is_big != was_big:
            (report.entered if is_big else report.left).append(line)
    for group in groups.values():
        group.lines.sort(key=lambda line: (-line.rolling, line.code))
    # The people by name, customers without a visiting person last.
    report.groups = sorted(groups.values(), key=lambda g: (g.person == "", g.person))
    report.entered.sort(key=lambda line: line.code)
    report.left.sort(key=lambda line: line.code)
    return report
