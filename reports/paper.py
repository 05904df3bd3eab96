"""The paper-report look shared by the revenue reports and the analysis tables
(业务部管理表格): a merged title, the period and unit line, a bordered table and
the sign-off line (编制 / 填写 / 审核) under it. Every cell goes through
crm_site.core.xlsx's safe-cell rule.

`Paper` keeps the row it is on: openpyxl's `max_row` walks every cell, so asking
it for each row made a 20,000-row sheet quadratic."""

from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from crm_site.core import xlsx as sheet

MONEY = "#,##0.00"
PERCENT = '0.0"%"'
THIN = Side(style="thin", color="808080")
BOX = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DCE6F1")
TOTAL_FILL = PatternFill("solid", fgColor="F2F4F7")


class Paper:
    """One sheet written top to bottom like the paper form."""

    def __init__(self, ws):
        self.ws = ws
        self.row = 0

    def title(self, text: str, width: int) -> None:
        """The report's name, centred over the table's columns."""
        self.row += 1
        cell = sheet.safe_write(self.ws, self.row, 1, str(text))
        cell.font = Font(bold=True, size=15)
        cell.alignment = Alignment(horizontal="center", vertical="center")
        self.ws.merge_cells(start_row=self.row, start_column=1, end_row=self.row, end_column=width)
        self.ws.row_dimensions[self.row].height = 26

    def info(self, pairs: list[tuple[str, str]]) -> None:
        """A line of "label: value" pairs (period, unit, standard)."""
        self.row += 1
        for index, (label, value) in enumerate(pairs):
            sheet.safe_write(self.ws, self.row, index * 2 + 1, f"{label}:").font = BOLD
            sheet.safe_write(self.ws, self.row, index * 2 + 2, str(value))

    def blank(self) -> None:
        self.row += 1

    def header(self, labels: list) -> None:
        """The table's header row after a blank line."""
        self.row += 2
        for col, label in enumerate(labels, start=1):
            cell = sheet.safe_write(self.ws, self.row, col, str(label))
            cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, BOX
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def line(self, values: list, *, formats: dict | None = None, total: bool = False) -> None:
        """One bordered table row; `formats` maps a column (1-based) to a number format."""
        self.row += 1
        for col, value in enumerate(values, start=1):
            cell = sheet.safe_write(self.ws, self.row, col, value)
            cell.border = BOX
            if formats and col in formats and value is not None:
                cell.number_format = sheet.localized(formats[col])
            if total:
                cell.font, cell.fill = BOLD, TOTAL_FILL

    def sign_off(self, parts: list[tuple[str, str]], width: int) -> None:
        """The sign-off line under the table: each label with its name, or room to sign."""
        self.row += 3
        step = max(width // len(parts), 1)
        for index, (label, name) in enumerate(parts):
            text = f"{label}: {name}" if name else f"{label}: ______________"
            sheet.safe_write(self.ws, self.row, index * step + 1, text).font = BOLD

    def widths(self, values: list[float]) -> None:
        for index, value in enumerate(values, start=1):
            self.ws.column_dimensions[get_column_letter(index)].width = value
        sheet.print_landscape(self.ws, title_rows=None)
