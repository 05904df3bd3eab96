"""The big-customer revenue report as .xlsx, laid out like the paper report:
title, period and unit, the table by visiting person with subtotals and the
total, the quarterly review's movements, and the 编制 / 审核 line."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from openpyxl import Workbook

from . import paper
from .big_customers import Line, Report, Totals

COLUMNS = 9
FORMATS = {5: paper.MONEY, 6: paper.MONEY, 7: paper.PERCENT, 8: paper.MONEY}


def _heads() -> list[str]:
    return [
        _("Visiting person"),
        _("Customer code"),
        _("Customer name"),
        _("Grade"),
        _("Turnover (CNY)"),
        _("Same period last year (CNY)"),
        _("Change on the year before"),
        _("Rolling 12 months (CNY)"),
        _("Revenue band (10k CNY)"),
    ]


def _values(person: str, line: Line) -> list:
    return [
        person,
        line.code,
        line.name,
        line.grade,
        line.amount,
        line.last_year,
        line.change,
        line.rolling,
        line.band,
    ]


def _total(label: str, totals: Totals) -> list:
    return [
        label,
        "",
        ngettext("%(n)s customer", "%(n)s customers", totals.customers) % {"n": totals.customers},
        "",
        totals.amount,
        totals.last_year,
        totals.change,
        totals.rolling,
        "",
    ]


def write_xlsx(report: Report, out, *, prepared_by: str) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = report.period.label
    page = paper.Paper(ws)
    page.title(str(report.title), COLUMNS)
    floor = f"≥ {report.floor_wan:,}" if report.floor_wan is not None else "—"
    page.info(
        [
            (_("Service unit"), report.unit.name),
            (_("Period"), report.period.label),
            (_("Big customers: rolling 12 months (10k CNY)"), floor),
            (_("Rolling 12 months to"), f"{report.as_of:%Y-%m}"),
        ],
    )
    page.header(_heads())
    for group in report.groups:
        person = group.person or _("No visiting person")
        for line in group.lines:
            page.line(_values(person, line), formats=FORMATS)
        page.line(_total(_("Subtotal"), group.totals), formats=FORMATS, total=True)
    if not report.groups:
        page.line([_("No big customers in this period."), *[""] * (COLUMNS - 1)])
    page.line(_total(_("Total"), report.totals), formats=FORMATS, total=True)
    if report.reviews_movement:
        for heading, lines in (
            (_("Now big customers (not at the previous quarter end)"), report.entered),
            (_("No longer big customers (big at the previous quarter end)"), report.left),
        ):
            page.blank()
            page.info([(heading, str(len(lines)))])
            page.header(_heads())
            for line in lines:
                page.line(_values(line.person or _("No visiting person"), line), formats=FORMATS)
            if not lines:
                page.line([_("None."), *[""] * (COLUMNS - 1)])
    page.sign_off([(_("Prepared by"), prepared_by), (_("Reviewed by"), "")], COLUMNS)
    page.widths([14, 14, 28, 8, 16, 18, 10, 18, 14])
    wb.save(out)
