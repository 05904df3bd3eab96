"""The per-unit service-survey figures as .xlsx: the items weakest first, then
the average of each item per month (the page's tables, with its filters)."""

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment

from crm_site.core.xlsx import HEADER_LIGHT, XLSX_CONTENT_TYPE, print_landscape
from crm_site.core.xlsx import safe_cell as _cell

__all__ = ["XLSX_CONTENT_TYPE", "write_survey_figures"]

AVERAGE_FORMAT = "0.00"


def _header(ws, labels):
    cells = []
    for label in labels:
        cell = _cell(ws, str(label), style=HEADER_LIGHT)
        cell.alignment = Alignment(vertical="center", wrap_text=True)
        cells.append(cell)
    ws.append(cells)


def _print_setup(ws):
    print_landscape(ws, title_rows=None)


def write_survey_figures(figures: dict, stream, *, unit=None) -> None:
    workbook = Workbook(write_only=True)
    period = f"{figures['start']:%Y-%m-%d} – {figures['end']:%Y-%m-%d}"
    scope = unit.name if unit is not None else _("All my units")

    items = workbook.create_sheet(_("Items"))
    _print_setup(items)
    for letter, width in zip("ABCDE", (22, 30, 30, 14, 10), strict=True):
        items.column_dimensions[letter].width = width
    items.append([_cell(items, _("Service-level survey")), _cell(items, scope)])
    items.append([_cell(items, _("Period")), _cell(items, period)])
    items.append(
        [
            _cell(items, _("Surveys")),
            _cell(items, figures["count"]),
            _cell(items, _("Customers")),
            _cell(items, figures["customers"]),
        ]
    )
    items.append([])
    _header(items, [_("Item"), _("Good"), _("Poor"), _("Average (7 = very good)"), _("Weak")])
    for item in figures["items"]:
        items.append(
            [
                _cell(items, item["label"]),
                _cell(items, item["good"]),
                _cell(items, item["poor"]),
                _cell(items, item["average"], AVERAGE_FORMAT),
                _cell(items, _("Yes") if item["weak"] else ""),
            ]
        )

    months = workbook.create_sheet(_("By month"))
    _print_setup(months)
    months.freeze_panes = "C2"
    months.column_dimensions["A"].width = 10
    _header(
        months, [_("Month"), _("Surveys"), *(i["label"] for i in figures["items"]), _("All items")]
    )
    for month in figures["months"]:
        months.append(
            [
                _cell(months, f"{month['month']:%Y-%m}"),
                _cell(months, month["count"]),
                *(_cell(months, value, AVERAGE_FORMAT) for value in month["cells"]),
                _cell(months, month["overall"], AVERAGE_FORMAT),
            ]
        )
    workbook.save(stream)
