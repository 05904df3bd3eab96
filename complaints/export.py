"""The complaint register as .xlsx (openpyxl write-only: rows are streamed)."""

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill

from .rules import excel_safe

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
DATE_FORMAT = "yyyy-mm-dd"


def _columns():
    """(header, width, value of a complaint) for each column, in order."""

    def local(value):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def user(value):
        return value.get_full_name() if value else ""

    return [
        (_("Number"), 16, lambda c: c.number),
        (_("Customer code"), 12, lambda c: c.customer.code),
        (_("Customer"), 28, lambda c: c.customer.name),
        (_("Unit"), 14, lambda c: c.unit.name),
        (_("Channel"), 10, lambda c: c.get_channel_display()),
        (_("Received at"), 18, lambda c: local(c.received_at)),
        (_("Received by"), 10, lambda c: user(c.received_by)),
        (_("Complainant"), 12, lambda c: c.complainant),
        (_("Contact phone"), 15, lambda c: c.contact_phone),
        (_("Category"), 10, lambda c: str(c.category)),
        (_("Severity"), 8, lambda c: c.get_severity_display()),
        (_("Status"), 12, lambda c: c.get_status_display()),
        (_("Handler"), 10, lambda c: user(c.handler)),
        (_("Responsible department"), 14, lambda c: c.responsible_department),
        (_("Deadline"), 18, lambda c: local(c.deadline)),
        (_("Overdue"), 8, lambda c: _("Yes") if c.is_overdue() else ""),
        (_("Resolved at"), 18, lambda c: local(c.resolved_at)),
        (_("On time"), 8, lambda c: {True: _("Yes"), False: _("No"), None: ""}[c.resolved_on_time]),
        (_("Customer notified on"), 12, lambda c: c.notified_on),
        (_("Satisfied"), 8, lambda c: {True: _("Yes"), False: _("No"), None: ""}[c.satisfied]),
        (_("Complaint"), 40, lambda c: c.content),
        (_("Customer's demand"), 30, lambda c: c.demand),
        (_("Cause"), 30, lambda c: c.cause),
        (_("Solution"), 30, lambda c: c.solution),
    ]


def _cell(sheet, value):
    cell = WriteOnlyCell(sheet, value=excel_safe(value))
    if hasattr(value, "hour"):
        cell.number_format = DATETIME_FORMAT
    elif hasattr(value, "day"):
        cell.number_format = DATE_FORMAT
    return cell


def write_register(queryset, stream) -> int:
    """Write the complaints of `queryset` (in its order) to `stream`; return the row count."""
    columns = _columns()
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Complaints"))
    sheet.freeze_panes = "B2"
    # Printed: landscape, all columns on one page width, the header on every page.
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = "9"  # A4
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.print_title_rows = "1:1"
    for index, (_header, width, _value) in enumerate(columns):
        letter = _column_letter(index)
        sheet.column_dimensions[letter].width = width
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="DCE6F1")
    header = []
    for title, _width, _value in columns:
        cell = WriteOnlyCell(sheet, value=str(title))
        cell.font, cell.fill = bold, fill
        cell.alignment = Alignment(vertical="center")
        header.append(cell)
    sheet.append(header)
    rows = 0
    for complaint in queryset.iterator(chunk_size=2000):
        sheet.append([_cell(sheet, value(complaint)) for _t, _w, value in columns])
        rows += 1
    sheet.auto_filter.ref = f"A1:{_column_letter(len(columns) - 1)}{rows + 1}"
    workbook.save(stream)
    return rows


def _column_letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)
