"""A summary as .xlsx, laid out like the paper 每月巡访情况报告书.

One sheet: the title, unit, month, who prepared and who reviewed it, then each
section as a titled table on a shared ten-column grid, the supervisor's
commentary, the manager's review and the signature line. Always in Chinese
(it is the paper form). Text a spreadsheet could run as a formula is written
as a text cell with the quote prefix.
"""

import math
from datetime import datetime

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crm_site.core import xlsx as sheet
from crm_site.core.dates import day_label, month_label

from . import display
from .models import MonthlyPatrolSummary

XLSX_CONTENT_TYPE = sheet.XLSX_CONTENT_TYPE
WIDTHS = [8, 15, 22, 11, 11, 11, 11, 11, 11, 12]  # A..J
LAST_COL = len(WIDTHS)
COUNT = "0"
PERCENT = "0.0%"
DATETIME = sheet.DATETIME_FORMAT
DATE = sheet.DATE_FORMAT

THIN = Side(style="thin", color="7F8FA6")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
TITLE_FONT = Font(bold=True, size=18)
SECTION_FONT = Font(bold=True, size=12, color="1F3F68")
SECTION_FILL = PatternFill("solid", fgColor="E7EEF8")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="F2F4F7")
TOTAL_FONT = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)


class Sheet:
    """A cursor over the worksheet: writes rows of cells on the grid."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 1

    def cell(self, col: int, value, *, fmt=None, font=None, fill=None, align=None, border=True):
        # The paper form merges cells, which a write-only sheet cannot: an
        # ordinary sheet, each cell through the shared safe-cell rule.
        cell = sheet.safe_write(self.ws, self.row, col, value)
        if fmt:
            cell.number_format = sheet.localized(fmt)
        if font:
            cell.font = font
        if fill:
            cell.fill = fill
        cell.alignment = align or WRAP
        if border:
            cell.border = BOX
        return cell

    def merged(self, first: int, last: int, value, **style):
        cell = self.cell(first, value, **style)
        if last > first:
            for col in range(first + 1, last + 1):
                self.cell(col, None, border=style.get("border", True))
            self.ws.merge_cells(
                start_row=self.row, start_column=first, end_row=self.row, end_column=last
            )
        return cell

    def next(self, height: float | None = None):
        if height:
            self.ws.row_dimensions[self.row].height = height
        self.row += 1

    def gap(self):
        self.row += 1

    def section(self, title: str, note: str = ""):
        self.merged(
            1,
            LAST_COL,
            title,
            font=SECTION_FONT,
            fill=SECTION_FILL,
            align=Alignment(vertical="center"),
        )
        self.next(22)
        if note:
            self.merged(1, LAST_COL, note, font=Font(italic=True, color="5B6B7F"), border=False)
            self.next()

    def header(self, titles: list):
        """Column titles; a (title, span) pair merges that many columns."""
        col = 1
        for item in titles:
            title, span = item if isinstance(item, tuple) else (item, 1)
            self.merged(
                col, col + span - 1, title, font=HEADER_FONT, fill=HEADER_FILL, align=CENTER
            )
            col += span
        self.next(30)

    def values(self, values: list, *, font=None, height=None):
        """A data row: each item a value or (value, number_format) or (value, format, span)."""
        col = 1
        for item in values:
            value, fmt, span = item, None, 1
            if isinstance(item, tuple):
                value, fmt, span = (*item, 1) if len(item) == 2 else item
            self.merged(col, col + span - 1, value, fmt=fmt, font=font)
            col += span
        self.next(height)

    def empty(self, text: str):
        self.merged(1, LAST_COL, text, font=Font(color="5B6B7F"))
        self.next()


def _pct(value):
    return (value / 100 if value is not None else None, PERCENT)


def _n(value):
    return (value, COUNT)


def _when(text: str | None):
    if not text:
        return (None, DATETIME)
    return (datetime.strptime(text, "%Y-%m-%d %H:%M"), DATETIME)


def _text_height(text: str, chars_per_line: int) -> float:
    lines = sum(max(1, math.ceil(len(part) / chars_per_line)) for part in (text or "").split("\n"))
    return max(18, 15 * lines + 4)


def _compliance_cells(row: dict) -> list:
    return [
        _n(row["visits_required"]),
        _n(row["visits_counted"]),
        _pct(row["visits_percent"]),
        _n(row["calls_required"]),
        _n(row["calls_counted"]),
        _pct(row["calls_percent"]),
        _pct(row["percent"]),
    ]


def _compliance_headers() -> list:
    return [
        _("Visits required"),
        _("Visits done (counted)"),
        _("Visit compliance rate"),
        _("Calls required"),
        _("Calls done (counted)"),
        _("Call compliance"),
        _("Overall compliance"),
    ]


def write_summary(summary: MonthlyPatrolSummary, stream) -> None:
    with translation.override("zh-hans"):
        workbook = Workbook()
        ws = workbook.active
        ws.title = _("Monthly patrol report")[:31]
        for index, width in enumerate(WIDTHS, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        sheet = Sheet(ws)
        _head(sheet, summary)
        _overview(sheet, summary)
        _by_grade(sheet, summary)
        _by_person(sheet, summary)
        _behind(sheet, summary)
        opinions, market = display.entry_rows(summary.opinions), display.entry_rows(summary.market)  # type: ignore[arg-type]
        _texts(sheet, _("V. Customer opinions, suggestions and wishes"), opinions)
        _texts(sheet, _("VI. Market conditions and competitor moves"), market)
        _urgent(sheet, summary)
        _complaints(sheet, summary)
        _words(sheet, summary)
        ws.page_setup.orientation = "portrait"
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins.left = ws.page_margins.right = 0.5
        ws.oddFooter.center.text = "&P / &N"
        workbook.save(stream)


def _person_and_date(user, at) -> str:
    if not user:
        return "—"
    when = day_label(at, year=True, with_weekday=False) if at else ""
    return f"{user.get_full_name()}  {when}".strip()


def _head(sheet: Sheet, s: MonthlyPatrolSummary):
    sheet.merged(
        1, LAST_COL, _("Monthly patrol report"), font=TITLE_FONT, align=CENTER, border=False
    )
    sheet.next(34)
    plain = Alignment(vertical="center")
    sheet.merged(
        1, 5, _("Service unit: %(unit)s") % {"unit": s.unit.name}, align=plain, border=False
    )
    month = month_label(s.month)
    sheet.merged(6, LAST_COL, _("Month: %(month)s") % {"month": month}, align=plain, border=False)
    sheet.next(20)
    sheet.merged(
        1,
        5,
        _("Prepared by (supervisor): %(who)s")
        % {"who": _person_and_date(s.submitted_by, s.submitted_at)},
        align=plain,
        border=False,
    )
    sheet.merged(
        6,
        LAST_COL,
        _("Reviewed by (manager): %(who)s")
        % {"who": _person_and_date(s.reviewed_by, s.reviewed_at)},
        align=plain,
        border=False,
    )
    sheet.next(20)
    status = _("Status: %(status)s; built %(built)s; figures up to %(as_of)s") % {
        "status": s.get_status_display(),
        "built": timezone.localtime(s.built_at).strftime("%Y-%m-%d %H:%M"),
        "as_of": s.as_of.isoformat(),
    }
    if s.stale:
        status += _(" (daily reports changed since: to be rebuilt)")
    sheet.merged(1, LAST_COL, status, font=Font(color="5B6B7F"), align=plain, border=False)
    sheet.next()
    sheet.gap()


def _overview(sheet: Sheet, s: MonthlyPatrolSummary):
    a = s.activity
    sheet.section(_("I. Overview"))
    sheet.header(
        [
            _("Customers"),
            _("Daily reports"),
            _("Report entries"),
            _("On-site visits"),
            _("Phone calls"),
            _("Visit compliance rate"),
            _("Call compliance"),
            _("Overall compliance"),
            _("Opinions"),
            _("Market reports"),
        ]
    )
    sheet.values(
        [
            _n(s.customers),
            _n(a.get("reports", 0)),
            _n(a.get("entries", 0)),
            _n(s.visits_done),
            _n(s.calls_done),
            _pct(s.visits_percent),
            _pct(s.calls_percent),
            _pct(s.compliance_percent),
            _n(s.opinions_count),
            _n(s.market_count),
        ]
    )
    sheet.gap()


def _by_grade(sheet: Sheet, s: MonthlyPatrolSummary):
    c = s.compliance
    cadence = "；".join(
        _("%(grade)s: %(v)s visits a month, %(k)s calls a week")
        % {"grade": g["name"] or g["code"], "v": g["visits_per_month"], "k": g["calls_per_week"]}
        for g in c.get("grades", [])
    )
    sheet.section(_("II. Visits and calls against each customer's cadence, by grade"), cadence)
    sheet.header([_("Grade"), _("Grade name"), _("Customers"), *_compliance_headers()])
    for row in c.get("by_grade", []):
        sheet.values(
            [
                row["grade"] or "—",
                row.get("name") or "",
                _n(row["customers"]),
                *_compliance_cells(row),
            ]
        )
    total = c.get("total")
    if total:
        sheet.values(
            [(_("Total"), None, 2), _n(total["customers"]), *_compliance_cells(total)],
            font=TOTAL_FONT,
        )
    sheet.gap()


def _by_person(sheet: Sheet, s: MonthlyPatrolSummary):
    sheet.section(_("III. Compliance by staff member"))
    sheet.header(
        [
            pgettext("row number", "No."),
            _("Visiting person"),
            _("Customers"),
            *_compliance_headers(),
        ]
    )
    people = s.compliance.get("by_person", [])
    for i, person in enumerate(people, start=1):
        total = person["total"]
        sheet.values(
            [
                _n(i),
                person["person"] or _("No visiting person"),
                _n(total["customers"]),
                *_compliance_cells(total),
            ]
        )
    if not people:
        sheet.empty(_("No customers."))
    sheet.gap()


def _behind(sheet: Sheet, s: MonthlyPatrolSummary):
    sheet.section(
        _("IV. Customers not visited or called as required"),
        _("%(n)s customers.") % {"n": len(s.behind)},
    )
    sheet.header(
        [
            pgettext("row number", "No."),
            _("Customer code"),
            _("Customer"),
            _("Grade"),
            _("Visiting person"),
            _("Visits done (counted)"),
            _("Visits required"),
            _("Calls done (counted)"),
            _("Calls required"),
            _("Contacts missing"),
        ]
    )
    for i, row in enumerate(display.behind_rows(s), start=1):
        missing = (
            row["visits_required"]
            - row["visits_counted"]
            + row["calls_required"]
            - row["calls_counted"]
        )
        sheet.values(
            [
                _n(i),
                row["code"],
                row["name"],
                row["grade"] or "—",
                row["person"] or "—",
                _n(row["visits_counted"]),
                _n(row["visits_required"]),
                _n(row["calls_counted"]),
                _n(row["calls_required"]),
                _n(missing),
            ]
        )
    if not s.behind:
        sheet.empty(_("Every customer got the visits and calls their grade requires."))
    sheet.gap()


def _texts(sheet: Sheet, title: str, rows: list):
    sheet.section(title, _("%(n)s items.") % {"n": len(rows)})
    sheet.header(
        [
            pgettext("row number", "No."),
            _("Time"),
            _("Customer"),
            _("Visit or call"),
            _("Reported by"),
            (_("Content"), 5),
        ]
    )
    for i, row in enumerate(rows, start=1):
        sheet.values(
            [
                _n(i),
                _when(row["at"]),
                row["customer"],
                row["kind_label"],
                row["author"],
                (row["text"], None, 5),
            ],
            height=_text_height(row["text"], 28),
        )
    if not rows:
        sheet.empty(_("None this month."))
    sheet.gap()


def _urgent(sheet: Sheet, s: MonthlyPatrolSummary):
    u = s.urgent
    counts = {
        "raised": u.get("raised", 0),
        "resolved": u.get("resolved", 0),
        "open": u.get("open", 0),
    }
    if s.activity.get("closed"):
        note = (
            _(
                "Raised in the month: %(raised)s; resolved in the month: %(resolved)s; "
                "open at the month's end: %(open)s."
            )
            % counts
        )
    else:
        note = _(
            "Raised in the month: %(raised)s; resolved in the month: %(resolved)s; "
            "open at %(when)s: %(open)s."
        ) % (counts | {"when": u.get("open_as_of") or ""})
    sheet.section(_("VII. Urgent reports"), note)
    sheet.header(
        [
            pgettext("row number", "No."),
            _("Raised at"),
            _("Title"),
            _("Kind of matter"),
            _("Customer"),
            _("Raised by"),
            _("Status now"),
            _("Resolved at"),
            _("Raised this month"),
            _("Open at month end"),
        ]
    )
    rows = display.urgent_rows(s)
    yes, no = _("Yes"), _("No")
    for i, row in enumerate(rows, start=1):
        sheet.values(
            [
                _n(i),
                _when(row["raised_at"]),
                row["title"],
                row["category_label"],
                row["customer"],
                row["raised_by"],
                row["status_label"],
                _when(row["resolved_at"]),
                yes if row["raised_in_month"] else no,
                yes if row["open_at_end"] else no,
            ],
            height=_text_height(row["title"], 11),
        )
    if not rows:
        sheet.empty(_("None this month."))
    sheet.gap()


def _complaints(sheet: Sheet, s: MonthlyPatrolSummary):
    c = s.complaints
    sheet.section(
        _("VIII. Customer complaints"),
        _("Complaints received in the month and what has become of them (receipt cohort)."),
    )
    sheet.header(
        [
            pgettext("count", "Received"),
            pgettext("count", "Resolved"),
            _("Resolved on time"),
            _("Resolution rate"),
            _("On-time rate"),
            _("Still open"),
            _("Open, overdue"),
            _("Major"),
            _("Satisfaction rate"),
            _("Median hours to resolve"),
        ]
    )
    sheet.values(
        [
            _n(c.get("received", 0)),
            _n(c.get("resolved", 0)),
            _n(c.get("resolved_on_time", 0)),
            _pct(c.get("resolution_rate")),
            _pct(c.get("on_time_rate")),
            _n(c.get("open", 0)),
            _n(c.get("overdue", 0)),
            _n(c.get("major", 0)),
            _pct(c.get("satisfaction_rate")),
            (c.get("median_hours_to_resolve"), "0.0"),
        ]
    )
    categories = display.complaint_categories(s)
    if categories:
        sheet.header([(_("Category"), 3), pgettext("count", "Received")])
        for row in categories:
            sheet.values([(row["name"], None, 3), _n(row["count"])])
    sheet.gap()


def _words(sheet: Sheet, s: MonthlyPatrolSummary):
    for title, text in (
        (_("IX. Supervisor's commentary"), s.commentary),
        (_("X. Manager's review"), s.review_comment),
    ):
        sheet.section(title)
        sheet.merged(1, LAST_COL, text or "", align=WRAP)
        sheet.next(max(60, _text_height(text, 60)))
        sheet.gap()
    plain = Alignment(vertical="bottom")
    sheet.merged(
        1, 5, _("Supervisor (signature): ____________  Date: ________"), align=plain, border=False
    )
    sheet.merged(
        6,
        LAST_COL,
        _("Manager (signature): ____________  Date: ________"),
        align=plain,
        border=False,
    )
    sheet.next(30)
