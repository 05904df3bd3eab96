"""Customer analysis (客户分析表, 业务部管理表格): customers by region and
nature (客户区域分析表), and annual revenue in 万元 by grade and unit.

Two GROUP BY queries over the user's customers, whatever the book's size; the
page, its charts and the .xlsx export read the same `Analysis`.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from crm_site.accounts.models import Region, ServiceUnit
from crm_site.core import xlsx as sheet
from customers.models import GradingRule, Nature

from . import analysis_tables, analysis_xlsx

MONEY = "#,##0.00"
CENTS = Decimal("0.01")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")


@dataclass
class Analysis:
    natures: list[tuple[str, str | Promise]]  # (code, label)
    grades: list[tuple[str, str]]  # (code, label); "" is "not graded"
    region_rows: list[dict] = field(default_factory=list)
    nature_totals: list[int] = field(default_factory=list)
    customer_total: int = 0
    unit_rows: list[dict] = field(default_factory=list)
    grade_totals: list[dict] = field(default_factory=list)
    revenue_total: Decimal = Decimal("0.00")
    # The tables of reports.analysis_tables (None when not asked for).
    sales: analysis_tables.SalesTable | None = None
    card: analysis_tables.CardSummary | None = None

    def chart(self) -> dict:
        """What the page's charts draw (reports-analysis.js)."""
        return {
            "regions": [r["label"] for r in self.region_rows],
            "natures": [label for _code, label in self.natures],
            "by_nature": [
                [r["counts"][i] for r in self.region_rows] for i in range(len(self.natures))
            ],
            "units": [u["label"] for u in self.unit_rows],
            "grades": [label for _code, label in self.grades],
            "revenue": [
                [float(u["cells"][i]["revenue"]) for u in self.unit_rows]
                for i in range(len(self.grades))
            ],
            "labels": {"customers": _("Customers"), "revenue": _("10k CNY")},
        }


def _money(value) -> Decimal:
    return (value or Decimal("0")).quantize(CENTS)


def analyse(customers, *, turnover=None, year: int | None = None, category: str = "") -> Analysis:
    """The tables for these customers (already scoped and filtered); with the
    user's `turnover` rows, a `year` and a product `category`, also the 客户销售分析表
    and the 客户资料卡 summary of that year."""
    rule = GradingRule.objects.current().as_rule()
    grades = [(g.code, g.code if g.name == g.code else f"{g.code} · {g.name}") for g in rule.grades]
    known = {code for code, _label in grades}
    result = Analysis(natures=list(Nature.choices), grades=grades)
    _regions(result, customers)
    _units(result, customers, known)
    if turnover is not None and year:
        no_region = str(_("No region"))
        result.sales = analysis_tables.sales_table(
            customers, turnover, year=year, category=category, no_region=no_region
        )
        result.card = analysis_tables.card_summary(
            customers, turnover, year=year, no_region=no_region
        )
    return result


def _regions(result: Analysis, customers) -> None:
    counts = {}
    for row in customers.order_by().values("region_id", "nature").annotate(n=Count("id")):
        counts[(row["region_id"], row["nature"])] = row["n"]
    region_ids = {rid for rid, _n in counts}
    names = dict(
        Region.objects.filter(pk__in=[r for r in region_ids if r]).values_list("pk", "name")
    )
    order = sorted((r for r in region_ids if r), key=lambda r: names.get(r, ""))
    if None in region_ids:
        order.append(None)
    natures = [code for code, _label in result.natures]
    for rid in order:
        row = [counts.get((rid, n), 0) for n in natures]
        result.region_rows.append(
            {"label": names.get(rid) or _("No region"), "counts": row, "total": sum(row)}
        )
    result.nature_totals = [
        sum(r["counts"][i] for r in result.region_rows) for i in range(len(natures))
    ]
    result.customer_total = sum(result.nature_totals)


def _units(result: Analysis, customers, known: set[str]) -> None:
    cells: dict = {}
    for row in (
        customers.order_by()
        .values("unit_id", "grade")
        .annotate(n=Count("id"), revenue=Sum("annual_revenue"))
    ):
        grade = row["grade"] if row["grade"] in known else ""
        cell = cells.setdefault((row["unit_id"], grade), {"count": 0, "revenue": Decimal("0")})
        cell["count"] += row["n"]
        cell["revenue"] += row["revenue"] or Decimal("0")
    if any(grade == "" for _u, grade in cells):
        result.grades.append(("", _("Not graded")))
    unit_ids = {u for u, _g in cells}
    units = ServiceUnit.objects.filter(pk__in=unit_ids).order_by("code").values_list("pk", "name")
    empty = {"count": 0, "revenue": Decimal("0")}
    for uid, name in units:
        row = [dict(cells.get((uid, code), empty)) for code, _label in result.grades]
        for cell in row:
            cell["revenue"] = _money(cell["revenue"])
        result.unit_rows.append(
            {
                "label": name,
                "cells": row,
                "count": sum(c["count"] for c in row),
                "revenue": _money(sum((c["revenue"] for c in row), Decimal("0"))),
            }
        )
    for i in range(len(result.grades)):
        result.grade_totals.append(
            {
                "count": sum(u["cells"][i]["count"] for u in result.unit_rows),
                "revenue": _money(
                    sum((u["cells"][i]["revenue"] for u in result.unit_rows), Decimal("0"))
                ),
            }
        )
    result.revenue_total = _money(sum((t["revenue"] for t in result.grade_totals), Decimal("0")))


# --- .xlsx -----------------------------------------------------------------------


def _header(ws, row: int, values: list) -> None:
    for col, value in enumerate(values, start=1):
        cell = sheet.safe_write(ws, row, col, str(value))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(horizontal="center", wrap_text=True)


def write_xlsx(
    result: Analysis,
    out,
    *,
    filters: list[tuple[str, str]],
    names=None,
    prepared_by: str = "",
) -> None:
    """Customers by region and nature; revenue by unit and grade; then, when
    given, the 客户区域分析表 customer by customer (`names`), the 客户销售分析表 and
    the 客户资料卡 summary, each laid out like the paper form."""
    wb = Workbook()
    ws = wb.active
    ws.title = _("Region analysis")[:31]
    ws.append([_("Customers by region and nature")])
    ws["A1"].font = Font(bold=True, size=14)
    for label, value in filters:
        sheet.safe_append(ws, [str(label), str(value)])
    start = ws.max_row + 2
    _header(ws, start, [_("Region"), *[label for _c, label in result.natures], _("Total")])
    for r in result.region_rows:
        sheet.safe_append(ws, [r["label"], *r["counts"], r["total"]])
    ws.append([_("Total"), *result.nature_totals, result.customer_total])
    for cell in ws[ws.max_row]:
        cell.font = HEADER_FONT
    ws.column_dimensions["A"].width = 18
    for col in range(2, len(result.natures) + 3):
        ws.column_dimensions[get_column_letter(col)].width = 12

    ws2 = wb.create_sheet(_("Revenue analysis")[:31])
    ws2.append([_("Annual revenue (10k CNY) by grade and unit")])
    ws2["A1"].font = Font(bold=True, size=14)
    for label, value in filters:
        sheet.safe_append(ws2, [str(label), str(value)])
    start = ws2.max_row + 2
    heads = [_("Service unit")]
    for _code, label in result.grades:
        heads += [f"{label} · {_('Customers')}", f"{label} · {_('10k CNY')}"]
    heads += [_("Customers"), _("10k CNY")]
    _header(ws2, start, heads)
    for u in result.unit_rows:
        values = [u["label"]]
        for c in u["cells"]:
            values += [c["count"], c["revenue"]]
        sheet.safe_append(ws2, [*values, u["count"], u["revenue"]])
    totals = [_("Total")]
    for t in result.grade_totals:
        totals += [t["count"], t["revenue"]]
    ws2.append([*totals, result.customer_total, result.revenue_total])
    for cell in ws2[ws2.max_row]:
        cell.font = HEADER_FONT
    for row in ws2.iter_rows(min_row=start + 1):
        for cell in row:
            if isinstance(cell.value, Decimal):
                cell.number_format = MONEY
    ws2.column_dimensions["A"].width = 18
    for col in range(2, len(heads) + 1):
        ws2.column_dimensions[get_column_letter(col)].width = 13
    if names is not None:
        analysis_xlsx.region_sheet(wb, names, filters=filters, prepared_by=prepared_by)
    if result.sales is not None:
        analysis_xlsx.sales_sheet(wb, result.sales, filters=filters, prepared_by=prepared_by)
    if result.card is not None:
        analysis_xlsx.card_sheet(wb, result.card, filters=filters, prepared_by=prepared_by)
    wb.save(out)
