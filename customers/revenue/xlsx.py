"""The monthly turnover .xlsx: the blank template and reading an upload.

The archive checks (size, zip bomb, DTD, row count) and the cell readers are
the customer import's; only the three columns are this file's own. Headers
are written in Chinese and read in Chinese or English, or by their key.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook

from crm_site.core import xlsx as sheet

from .. import xlsx as book

ImportFileError = book.ImportFileError
XLSX_CONTENT_TYPE = sheet.XLSX_CONTENT_TYPE
# A month of turnover for every customer of a large book fits in one file
# (three narrow columns: far below the upload size limit).
MAX_ROWS = 150_000

COLUMNS = [
    ("code", gettext_lazy("Customer code"), 16),
    ("month", gettext_lazy("Month (YYYY-MM)"), 14),
    ("amount", gettext_lazy("Turnover (CNY)"), 16),
]


def _header_lookup() -> dict[str, str]:
    lookup = {}
    for key, label, _width in COLUMNS:
        lookup[book.normalise(key)] = key
        for language in ("en", book.FILE_LANGUAGE):
            with translation.override(language):
                lookup[book.normalise(str(label))] = key
    return lookup


def write_template(stream) -> None:
    """The blank turnover template: a header row and one example row."""
    wb = Workbook(write_only=True)
    with translation.override(book.FILE_LANGUAGE):
        columns = [sheet.Column(label=str(label), width=width) for _k, label, width in COLUMNS]
    ws = sheet.start_table(wb, "turnover", columns, header=sheet.HEADER_BLUE, freeze="A2")
    ws.append(["C0001", "2026-01", 12345.67])
    wb.save(stream)


@dataclass
class Rows:
    rows: Iterator  # (row number, {"code": ..., "month": ..., "amount": ...})


def open_rows(fileobj) -> Rows:
    """Check the archive and the header; the rows stream from `Rows.rows`."""
    book.check_archive(fileobj, max_rows=MAX_ROWS)
    fileobj.seek(0)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=False)
        ws = wb.worksheets[0]
        ws.reset_dimensions()
        cells = ws.iter_rows()
        header = next(cells, None)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from exc
    if header is None:
        raise ImportFileError(_("The first sheet is empty. Use the import template."))
    lookup = _header_lookup()
    keys = [lookup.get(book.normalise(str(c.value or ""))) for c in header]
    missing = [str(label) for key, label, _w in COLUMNS if key not in keys]
    if missing:
        raise ImportFileError(_("Missing columns: %(names)s.") % {"names": "、".join(missing)})
    return Rows(rows=_iter(cells, keys))


def _iter(cells, keys) -> Iterator:
    for number, row in enumerate(cells, start=2):
        values, formula = {}, False
        for cell, key in zip(row, keys, strict=False):
            if key is None:
                continue
            formula = formula or getattr(cell, "data_type", None) == "f"
            values[key] = cell.value
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        yield number, values, formula


def month_input(value) -> date | None:
    """A month cell: a date, or text 'YYYY-MM' / 'YYYY-MM-DD' / 'YYYY/MM'; None if unreadable."""
    if isinstance(value, datetime | date):
        return date(value.year, value.month, 1)
    text = book.as_text(value).replace("/", "-").replace(".", "-")
    parts = text.split("-")
    try:
        year, month = int(parts[0]), int(parts[1])
        return date(year, month, 1) if 1970 <= year <= 2100 and 1 <= month <= 12 else None
    except (ValueError, IndexError):
        return None
