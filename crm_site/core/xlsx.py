"""Writing .xlsx files: column specs, shared styles, and the one safe-cell rule.

Every export goes through `safe_cell` (or `safe_value` for a cell that is not
built here), so one rule decides what a spreadsheet could run: text starting
with = + - @ (or their full-width forms, which a Chinese input method types and
some spreadsheets accept as formula signs), a tab or a carriage return is
written as a text cell with Excel's quote prefix: shown as typed, never
evaluated, and read back as the same text. Control characters that the file
format cannot hold are dropped (openpyxl would refuse the whole file).

Dates and date-times keep being real date cells (they sort and filter); their
display format is the interface language's (2026年12月7日 in Chinese), from
crm_site.core.dates, the helper the tables and headings use too.

Large tables stream through openpyxl's write-only workbook (`write_table`):
memory stays flat however many rows are written.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crm_site.core import dates

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

FORMULA_PREFIXES = ("=", "+", "-", "@", "＝", "＋", "－", "＠", "\t", "\r")
_FORMULA_FIRST = frozenset(FORMULA_PREFIXES)

# Column specs name these; a cell gets the language's format (`localized`).
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"
MONTH_FORMAT = "yyyy-mm"


def localized(number_format: str | None) -> str | None:
    """The display format of a date, date-time or month cell in the active language."""
    if number_format == DATE_FORMAT:
        return dates.xlsx_date_format()
    if number_format == DATETIME_FORMAT:
        return dates.xlsx_datetime_format()
    if number_format == MONTH_FORMAT:
        return dates.xlsx_month_format()
    return number_format


@dataclass(frozen=True)
class HeaderStyle:
    font: Font
    fill: PatternFill
    border: Border | None = None
    alignment: Alignment = field(default_factory=lambda: Alignment(vertical="center"))


# The two header looks in use: the customer book's (white on blue, the file
# users re-import) and the light one of the register and the figures.
HEADER_BLUE = HeaderStyle(
    font=Font(bold=True, color="FFFFFF"),
    fill=PatternFill("solid", fgColor="1F5FA8"),
    border=Border(bottom=Side(style="thin", color="0F3F78")),
)
HEADER_LIGHT = HeaderStyle(font=Font(bold=True), fill=PatternFill("solid", fgColor="DCE6F1"))


@dataclass(frozen=True)
class Column:
    """One column of a table: its header, how a row's value is read, its look."""

    label: Any  # text or a lazy translation
    value: Callable[[Any], Any] | None = None  # row object -> cell value
    width: float = 14
    number_format: str | None = None  # applied to non-empty cells


def looks_like_formula(value) -> bool:
    return isinstance(value, str) and bool(value) and value[0] in _FORMULA_FIRST


def clean_text(value):
    """`value` without the control characters a workbook cannot hold."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def needs_cell(value) -> bool:
    """True if `value` must be written through safe_cell (plain values may be appended as is)."""
    return isinstance(value, str) and (
        looks_like_formula(value) or ILLEGAL_CHARACTERS_RE.search(value) is not None
    )


def mark_text(cell, value) -> None:
    """Make `cell` hold `value` (already cleaned) as text if it looks like a formula."""
    if looks_like_formula(value):
        cell.data_type = "s"
        cell.quotePrefix = True


def safe_cell(ws, value, number_format: str | None = None, *, style=None) -> WriteOnlyCell:
    """A write-only cell whose text can never run as a formula in Excel, WPS or LibreOffice."""
    value = clean_text(value)
    cell = WriteOnlyCell(ws, value=value)
    mark_text(cell, value)
    if number_format and value is not None:
        cell.number_format = localized(number_format)
    if style is not None:
        cell.font, cell.fill = style.font, style.fill
        if style.border is not None:
            cell.border = style.border
        cell.alignment = style.alignment
    return cell


def safe_write(ws, row: int, column: int, value):
    """The same rule for a cell of an ordinary (not write-only) worksheet."""
    value = clean_text(value)
    cell = ws.cell(row=row, column=column, value=value)
    mark_text(cell, value)
    return cell


def safe_append(ws, values: Iterable) -> None:
    """ws.append for an ordinary worksheet, under the same rule."""
    ws.append([clean_text(value) for value in values])
    for cell in ws[ws.max_row]:
        mark_text(cell, cell.value)


def safe_row(ws, values: Iterable, formats: list | None = None) -> list:
    """A row for ws.append: cells only where a value needs one (a format or the
    safe-cell rule); plain text and numbers are appended as they are, which is
    what keeps a 100,000-row export fast."""
    row = []
    for index, value in enumerate(values):
        number_format = formats[index] if formats else None
        if (number_format and value is not None) or needs_cell(value):
            row.append(safe_cell(ws, value, number_format))
        else:
            row.append(value)
    return row


def format_for(value) -> str | None:
    """The number format of a date or a date-time value."""
    if isinstance(value, datetime):
        return localized(DATETIME_FORMAT)
    if isinstance(value, date):
        return localized(DATE_FORMAT)
    return None


def print_landscape(ws, *, title_rows: str | None = "1:1") -> None:
    """Printed (or saved as PDF) landscape on A4, all columns on one page width."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = "9"  # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    if title_rows:
        ws.print_title_rows = title_rows


def start_table(wb, title: str, columns: Sequence[Column], *, header: HeaderStyle, freeze: str):
    """A write-only sheet with its widths, print setup and header row written."""
    ws = wb.create_sheet(title)
    for index, column in enumerate(columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    ws.freeze_panes = freeze
    print_landscape(ws)
    ws.append([safe_cell(ws, str(column.label), style=header) for column in columns])
    return ws


def write_table(
    stream,
    *,
    title: str,
    columns: Sequence[Column],
    rows: Iterable,
    header: HeaderStyle,
    freeze: str = "A2",
) -> int:
    """Stream `rows` (lists of values, in column order) as one filtered sheet; the row count."""
    wb = Workbook(write_only=True)
    ws = start_table(wb, title, columns, header=header, freeze=freeze)
    formats: list[str | None] | None = [c.number_format for c in columns]
    if not any(formats or ()):
        formats = None
    count = 0
    for values in rows:
        ws.append(safe_row(ws, values, formats))
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{count + 1}"
    wb.save(stream)
    return count


def object_rows(objects: Iterable, columns: Sequence[Column]):
    """Rows of values read from `objects` by the columns' getters."""
    getters = [column.value for column in columns if column.value is not None]
    assert len(getters) == len(columns), "every column needs a value getter"
    for obj in objects:
        yield [getter(obj) for getter in getters]
