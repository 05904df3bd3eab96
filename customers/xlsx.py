"""The customer .xlsx format: export, blank template, and safe reading of uploads.

One column list serves all three, so an exported file imports unchanged.
Headers and choice values are written in Chinese whatever the user's
language (a file is shared between colleagues); reading also accepts the
English header, the English label and the stored code.

Reading an upload is defensive (the file comes from outside): the zip
directory is checked before anything is decompressed (size, entries), every
XML part is refused if it declares a DTD (entity expansion, external
entities; openpyxl parses worksheets with the standard library's iterparse,
not defusedxml), formulas are refused, and rows are counted as they stream.
"""

import posixpath
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from xml.parsers import expat

from defusedxml import ElementTree as DefusedET
from defusedxml.common import DefusedXmlException
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font

from crm_site.core import xlsx as sheet

from . import cargo
from .models import Customer, Nature, Scale, Status, Trend

FILE_LANGUAGE = "zh-hans"
XLSX_CONTENT_TYPE = sheet.XLSX_CONTENT_TYPE
FREEZE = "C2"  # the code and name stay in view

# Limits of an upload (README "Customers and grading"). Module constants so
# tests can lower them and build small stand-ins for huge files.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
MAX_ZIP_ENTRIES = 1000
MAX_ROWS = 50_000

USER_LABEL_RE = re.compile(r"^(?P<name>.*?)\s*[(（](?P<username>[^()（）]+)[)）]\s*$")
LIST_SPLIT_RE = re.compile(r"[、,，;；\n]+")


@dataclass(frozen=True)
class Column(sheet.Column):
    key: str = ""
    required: bool = False  # the header must be present in an import
    readonly: bool = False  # exported for reading, ignored on import


COLUMNS = [
    Column(key="code", label=gettext_lazy("Customer code"), required=True, width=14),
    Column(key="name", label=gettext_lazy("Customer name"), required=True, width=30),
    Column(key="unit", label=gettext_lazy("Service unit"), required=True, width=16),
    Column(key="grade", label=gettext_lazy("Grade"), readonly=True, width=8),
    Column(key="grade_points", label=gettext_lazy("Grade points"), readonly=True, width=10),
    Column(key="nature", label=gettext_lazy("Nature"), width=12),
    Column(key="scale", label=gettext_lazy("Scale"), width=8),
    Column(
        key="annual_revenue",
        label=gettext_lazy("Annual revenue (10k CNY)"),
        width=16,
        number_format="0.00",
    ),
    Column(key="trend", label=gettext_lazy("Development trend"), width=10),
    Column(key="industry", label=gettext_lazy("Industry"), width=14),
    Column(key="region", label=gettext_lazy("Region"), width=10),
    Column(key="address", label=gettext_lazy("Address"), width=32),
    Column(key="status", label=gettext_lazy("Status"), width=8),
    Column(key="sales_owner", label=gettext_lazy("Sales owner"), width=16),
    Column(key="visiting_person", label=gettext_lazy("Visiting person"), width=16),
    Column(
        key="assignment_override_reason",
        label=gettext_lazy("Assignment exception reason"),
        width=24,
    ),
    Column(key="services", label=gettext_lazy("Logistics services used"), width=36),
    Column(key="notes", label=gettext_lazy("Notes"), width=30),
    Column(key="serving_outlet", label=gettext_lazy("Serving outlet code"), width=14),
    # The cargo profile (customers/cargo.py).
    Column(key="cargo_goods", label=gettext_lazy("Goods"), width=20),
    Column(key="cargo_size", label=gettext_lazy("Size"), width=14),
    Column(key="cargo_weight", label=gettext_lazy("Weight"), width=14),
    Column(key="cargo_density", label=gettext_lazy("Density"), width=10),
    Column(key="special_handling", label=gettext_lazy("Special handling"), width=18),
    Column(key="packaging", label=gettext_lazy("Packaging"), width=12),
    Column(key="transport_modes", label=gettext_lazy("Transport modes"), width=18),
    Column(key="load_type", label=gettext_lazy("LTL or FTL"), width=10),
    Column(key="equipment", label=gettext_lazy("Equipment needed"), width=18),
    Column(key="delivery_windows", label=gettext_lazy("Delivery time windows"), width=18),
    Column(key="appointment_required", label=gettext_lazy("Delivery by appointment"), width=10),
    Column(key="receipt_return", label=gettext_lazy("Signed receipt returned"), width=10),
    Column(key="shipments_per_month", label=gettext_lazy("Shipments per month"), width=10),
    Column(
        key="tonnage_per_month",
        label=gettext_lazy("Tonnes per month"),
        width=10,
        number_format="0.00",
    ),
    Column(key="primary_contact", label=gettext_lazy("Primary contact"), readonly=True, width=12),
    Column(key="primary_phone", label=gettext_lazy("Contact phone"), readonly=True, width=16),
    Column(key="updated_at", label=gettext_lazy("Last updated"), readonly=True, width=17),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}
KEYS = [c.key for c in COLUMNS]
IMPORT_COLUMNS = [c for c in COLUMNS if not c.readonly]
CHOICES = {
    "nature": Nature,
    "scale": Scale,
    "trend": Trend,
    "status": Status,
    "cargo_density": cargo.Density,
    "load_type": cargo.LoadType,
}
# Columns listing several choices, separated by 、 (labels or codes).
LIST_CHOICES = cargo.MULTI_CHOICES
BOOLEAN_COLUMNS = ("appointment_required", "receipt_return")
YES, NO = "是", "否"


class ImportFileError(Exception):
    """The file as a whole cannot be imported (the message says why, translated)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def column_header(column: Column) -> str:
    with translation.override(FILE_LANGUAGE):
        return str(column.label)


def choice_label(key: str, value: str) -> str:
    with translation.override(FILE_LANGUAGE):
        return str(CHOICES[key](value).label) if value else ""


def person_label(user) -> str:
    """A user as written in the file: '张晓明 (staff1)'; the username inside decides."""
    if user is None:
        return ""
    full = user.full_name or ""
    return f"{full} ({user.username})" if full and full != user.username else user.username


def split_person(text: str) -> tuple[str, str]:
    """(username or '', name) from '张晓明 (staff1)', 'staff1' or '张晓明'."""
    match = USER_LABEL_RE.match(text)
    if match:
        return match["username"].strip(), match["name"].strip()
    return "", text.strip()


def split_list(text: str) -> list[str]:
    return [part.strip() for part in LIST_SPLIT_RE.split(text or "") if part.strip()]


def normalise(text: str) -> str:
    """Header matching ignores spaces, case and full-width brackets."""
    return re.sub(r"\s+", "", str(text)).replace("（", "(").replace("）", ")").lower()


def header_lookup(columns=None) -> dict[str, str]:
    """Column key by its key, its English or its Chinese header (normalised)."""
    lookup = {}
    for column in COLUMNS if columns is None else columns:
        lookup[normalise(column.key)] = column.key
        for language in ("en", FILE_LANGUAGE):
            with translation.override(language):
                lookup[normalise(str(column.label))] = column.key
    return lookup


def choice_lookup(key: str) -> dict[str, str]:
    """Stored code by code, Chinese label or English label (lower case)."""
    choices = CHOICES[key] if key in CHOICES else LIST_CHOICES[key]
    lookup = {}
    for value, _label in choices.choices:
        lookup[value.lower()] = value
        for language in ("en", FILE_LANGUAGE):
            with translation.override(language):
                lookup[str(choices(value).label).lower()] = value
    return lookup


def boolean_value(text: str) -> bool:
    """是/否 (also yes/no, 1/0; blank: no). ValueError for anything else."""
    text = text.strip().lower()
    if text in ("", NO, "no", "n", "false", "0"):
        return False
    if text in (YES, "yes", "y", "true", "1"):
        return True
    raise ValueError(text)


# --- writing -------------------------------------------------------------------


def file_labels() -> dict[str, dict[str, str]]:
    """Choice labels as written in the file, looked up once per export, not per cell."""
    with translation.override(FILE_LANGUAGE):
        return {
            key: {value: str(label) for value, label in choices.choices}
            for key, choices in (CHOICES | LIST_CHOICES).items()
        }


def write_template(stream, *, units, regions, services, users) -> None:
    """The blank import template, with a sheet of accepted values."""
    with translation.override(FILE_LANGUAGE):
        write_blank_template(
            stream,
            title=str(gettext_lazy("Customers")),
            columns=IMPORT_COLUMNS,
            freeze=FREEZE,
            help_rows=_template_help(units, regions, services, users),
        )


def write_blank_template(stream, *, title: str, columns, freeze: str, help_rows) -> None:
    """A blank import template: the header row of `columns`, and a sheet of
    instructions, one (label, text) of `help_rows` a row. Call it under the
    file's language."""
    wb = Workbook(write_only=True)
    sheet.start_table(wb, title, columns, header=sheet.HEADER_BLUE, freeze=freeze)
    help_ws = wb.create_sheet(str(gettext_lazy("Instructions")))
    help_ws.column_dimensions["A"].width = 22
    help_ws.column_dimensions["B"].width = 100
    help_ws.sheet_properties.pageSetUpPr.fitToPage = True
    help_ws.page_setup.fitToWidth = 1
    help_ws.page_setup.fitToHeight = 0
    wrap = Alignment(wrap_text=True, vertical="top")
    for label, text in help_rows:
        name = sheet.safe_cell(help_ws, str(label))
        value = sheet.safe_cell(help_ws, str(text))
        name.font = Font(bold=True)
        name.alignment = value.alignment = wrap
        help_ws.append([name, value])
    wb.save(stream)


def _template_help(units, regions, services, users):
    def values(key):
        return "、".join(str(label) for _value, label in CHOICES[key].choices)

    required = "、".join(column_header(c) for c in IMPORT_COLUMNS if c.required)
    yield _("Required columns"), required
    yield (
        _("Matching"),
        _(
            "Rows are matched by customer code: a new code creates a customer, an existing "
            "code in your scope updates it. Other columns may be left out."
        ),
    )
    yield (
        _("Limits"),
        _("At most %(rows)s rows and %(mb)s MB; no formulas.")
        % {"rows": f"{MAX_ROWS:,}", "mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
    )
    yield column_header(COLUMN_BY_KEY["nature"]), values("nature")
    yield column_header(COLUMN_BY_KEY["scale"]), values("scale")
    yield column_header(COLUMN_BY_KEY["trend"]), values("trend")
    yield column_header(COLUMN_BY_KEY["status"]), values("status")
    yield (
        column_header(COLUMN_BY_KEY["annual_revenue"]),
        _("A number in 10k CNY, at most two decimals, e.g. 1250.50"),
    )
    yield column_header(COLUMN_BY_KEY["unit"]), "、".join(u.name for u in units)
    yield column_header(COLUMN_BY_KEY["region"]), "、".join(f"{r.name}" for r in regions)
    yield (
        column_header(COLUMN_BY_KEY["visiting_person"]),
        _("Name and account, e.g. %(example)s; a member of the customer's unit.")
        % {"example": person_label(users[0]) if users else "张晓明 (staff1)"},
    )
    yield (
        column_header(COLUMN_BY_KEY["assignment_override_reason"]),
        _("Needed only when the visiting person is a salesperson of the customer's region."),
    )
    yield (
        column_header(COLUMN_BY_KEY["services"]),
        _("Separate with 、 Accepted: %(names)s") % {"names": "、".join(s.name for s in services)},
    )
    yield (
        column_header(COLUMN_BY_KEY["serving_outlet"]),
        _("The code of an active outlet of the customer's unit (see the outlet register)."),
    )
    yield column_header(COLUMN_BY_KEY["cargo_density"]), values("cargo_density")
    yield column_header(COLUMN_BY_KEY["load_type"]), values("load_type")
    for key, choices in LIST_CHOICES.items():
        accepted = "、".join(str(label) for _value, label in choices.choices)
        yield (
            column_header(COLUMN_BY_KEY[key]),
            _("Separate with 、 Accepted: %(names)s") % {"names": accepted},
        )
    for key in BOOLEAN_COLUMNS:
        yield column_header(COLUMN_BY_KEY[key]), f"{YES}、{NO}"


# --- reading -------------------------------------------------------------------

XML_PARTS = (".xml", ".rels", ".vml")


def check_archive(fileobj, max_rows: int | None = None) -> None:
    """Refuse anything but a plain, reasonably sized .xlsx of at most `max_rows`
    data rows (MAX_ROWS unless given) before parsing it."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    not_xlsx = _(
        "This is not an Excel .xlsx file. Save it as 'Excel Workbook (.xlsx)' without a "
        "password and upload it again."
    )
    fileobj.seek(0)
    if not zipfile.is_zipfile(fileobj):
        raise ImportFileError(not_xlsx)
    fileobj.seek(0)
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(not_xlsx) from exc
    with archive:
        infos = archive.infolist()
        names = {info.filename for info in infos}
        if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
            raise ImportFileError(not_xlsx)
        # The directory's sizes bound what zipfile will ever decompress, so a
        # zip bomb is refused here without inflating a byte.
        too_big = _(
            "The file unpacks to more than %(mb)s MB: it is damaged or not a real workbook."
        ) % {"mb": MAX_UNCOMPRESSED_BYTES // (1024 * 1024)}
        if len(infos) > MAX_ZIP_ENTRIES:
            raise ImportFileError(too_big)
        if sum(info.file_size for info in infos) > MAX_UNCOMPRESSED_BYTES:
            raise ImportFileError(too_big)
        if any(info.flag_bits & 0x1 for info in infos):
            raise ImportFileError(not_xlsx)
        for info in infos:
            if info.filename.lower().endswith(XML_PARTS):
                _refuse_dtd(archive, info)
        # Counted before anything is parsed into cells: a sheet of a million
        # rows is refused in a fraction of a second, not after a minute of checks.
        if count_rows(archive, limit=max_rows + 2) - 1 > max_rows:  # minus the header row
            raise ImportFileError(too_many_rows(max_rows))


def too_many_rows(max_rows: int | None = None) -> str:
    return _("The file has more than %(max)s rows. Split it into several files.") % {
        "max": f"{MAX_ROWS if max_rows is None else max_rows:,}"
    }


class _Enough(Exception):
    pass


def _first_sheet_path(archive: zipfile.ZipFile) -> str | None:
    """The zip path of the workbook's first sheet (workbook.xml and its relationships)."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    try:
        with archive.open("xl/workbook.xml") as part:
            sheet = next(iter(DefusedET.parse(part).getroot().findall(".//{*}sheet")), None)
        with archive.open("xl/_rels/workbook.xml.rels") as part:
            targets = {
                r.get("Id"): r.get("Target", "")
                for r in DefusedET.parse(part).getroot().findall(".//{*}Relationship")
            }
    except (KeyError, DefusedXmlException, DefusedET.ParseError, zipfile.BadZipFile, OSError):
        return None
    target = targets.get(sheet.get(rel)) if sheet is not None else None
    if not target:
        return None
    path = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return posixpath.normpath(path)


def count_rows(archive: zipfile.ZipFile, *, limit: int) -> int:
    """Rows holding a value in the first sheet, header included, streamed with
    expat; counting stops past `limit`. 0 when there is no sheet to count
    (opening the workbook reports that)."""
    path = _first_sheet_path(archive)
    if path is None or path not in archive.NameToInfo:
        return 0
    state = {"rows": 0, "value": False}

    def start(name, _attributes):
        local = name.rsplit(" ", 1)[-1]
        if local == "row":
            state["value"] = False
        elif local in ("v", "is", "f"):
            state["value"] = True

    def end(name):
        if name.rsplit(" ", 1)[-1] == "row" and state["value"]:
            state["rows"] += 1
            if state["rows"] >= limit:
                raise _Enough

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = start, end
    try:
        with archive.open(path) as part:
            for block in iter(lambda: part.read(1 << 16), b""):
                parser.Parse(block, False)
            parser.Parse(b"", True)
    except _Enough:
        pass
    except (expat.ExpatError, zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from exc
    return state["rows"]


def _refuse_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> None:
    # A DTD can only come before the root element, so reading up to the first
    # element is enough to refuse entity tricks in every part.
    try:
        with archive.open(info) as part:
            for _event in DefusedET.iterparse(part, events=("start",), forbid_dtd=True):
                break
    except (DefusedXmlException, DefusedET.ParseError, zipfile.BadZipFile, OSError) as exc:
        raise ImportFileError(
            _("The file contains XML that is not allowed (%(part)s). Save it again from Excel.")
            % {"part": info.filename}
        ) from exc


@dataclass
class Sheet:
    columns: list[str | None]  # column keys in file order (None for ignored columns)
    rows: Iterator  # (row number, {key: value}, {keys holding a formula})


def open_sheet(fileobj, spec=None) -> Sheet:
    """Check the archive, read the header row; rows stream from `Sheet.rows`.
    `spec` (Column with key, required, readonly) are the file's columns, the
    customer columns unless given."""
    columns_spec = COLUMNS if spec is None else spec
    check_archive(fileobj)
    fileobj.seek(0)
    try:
        wb = load_workbook(fileobj, read_only=True, data_only=False)
        ws = wb.worksheets[0]
        # Ignore the sheet's declared size: a file claiming A1:XFD1048576 would
        # otherwise be padded to 16,384 columns a row (and it costs a full pass).
        ws.reset_dimensions()
        rows = ws.iter_rows()
        header = next(rows, None)
    except ImportFileError:
        raise
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(_("The workbook could not be read: it may be damaged.")) from exc
    if header is None:
        raise ImportFileError(_("The first sheet is empty. Use the import template."))
    lookup = header_lookup(columns_spec)
    columns: list[str | None]
    columns, unknown, seen, duplicate = [], [], set(), []
    for cell in header:
        text = "" if cell.value is None else str(cell.value).strip()
        if not text:
            columns.append(None)
            continue
        key = lookup.get(normalise(text))
        if key is None:
            unknown.append(text)
        elif key in seen:
            duplicate.append(text)
        seen.add(key)
        columns.append(key)
    problems = []
    if unknown:
        problems.append(_("Unknown columns: %(names)s.") % {"names": "、".join(unknown)})
    if duplicate:
        problems.append(_("Columns given twice: %(names)s.") % {"names": "、".join(duplicate)})
    missing = [
        column_header(c)
        for c in columns_spec
        if c.required and not c.readonly and c.key not in seen
    ]
    if missing:
        problems.append(_("Missing columns: %(names)s.") % {"names": "、".join(missing)})
    if problems:
        raise ImportFileError(" ".join(problems))
    readonly = {c.key for c in columns_spec if c.readonly}
    return Sheet(columns=columns, rows=_iter_rows(rows, columns, readonly))


def _iter_rows(rows, columns, readonly) -> Iterator:
    count = 0
    for row_number, cells in enumerate(rows, start=2):
        values, formulas = {}, set()
        for cell, key in zip(cells, columns, strict=False):
            if key is None or key in readonly:
                continue
            if getattr(cell, "data_type", None) == "f":
                formulas.add(key)
            values[key] = cell.value
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values.values()):
            continue
        count += 1
        if count > MAX_ROWS:
            raise ImportFileError(too_many_rows())
        yield row_number, values, formulas


def as_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return ILLEGAL_CHARACTERS_RE.sub("", str(value)).strip()


def revenue_input(value) -> str | None:
    """A revenue cell as the text the customer form reads (None when blank):
    thousands separators dropped, and an exact number written with the two
    decimals the field stores. Whether it is a number, and within the field's
    limits, is for the form and the model to say."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).replace(",", "").replace("，", "").strip()
    if not text.isascii():
        return text  # "１２３" or "١٢٣": the form refuses digits it would have to guess at
    try:
        number = Decimal(text)
        rounded = number.quantize(Decimal("0.01"))
    except InvalidOperation:
        return text
    return str(rounded) if rounded == number else text


# --- fast export rows ------------------------------------------------------------


def _cargo_values(values, labels) -> list:
    """The cargo profile's file values from cargo.FIELDS, in that order."""
    row = dict(zip(cargo.FIELDS, values, strict=True))
    out = []
    for key, value in row.items():
        if key in CHOICES:
            value = labels[key].get(value, value) if value else ""
        elif key in LIST_CHOICES:
            value = "、".join(labels[key].get(code, code) for code in cargo.split(value))
        elif key in BOOLEAN_COLUMNS:
            value = YES if value else NO
        out.append(value)
    return out


# What an export reads per customer: plain values, no model instances (the
# export of 100,000 rows spends its time in openpyxl, not in the ORM: README
# "Performance").
_EXPORT_FIELDS = (
    "pk",
    "code",
    "name",
    "unit__name",
    "grade",
    "grade_points",
    "nature",
    "scale",
    "annual_revenue",
    "trend",
    "industry",
    "region__name",
    "address",
    "status",
    "sales_owner__full_name",
    "sales_owner__username",
    "visiting_person__full_name",
    "visiting_person__username",
    "assignment_override_reason",
    "notes",
    "updated_at",
    "serving_outlet__code",
    *cargo.FIELDS,
)


def _label(full: str | None, username: str | None) -> str:
    if not username:
        return ""
    return f"{full} ({username})" if full and full != username else username


def export_values(queryset, chunk: int = 2000):
    """Rows of file values (in KEYS order) for the customers of `queryset`, in its
    order, read as plain tuples, with the services and primary contacts of each
    chunk in two more queries."""
    from .models import Contact

    through = Customer.services.through
    labels = file_labels()
    tz = timezone.get_current_timezone()
    rows = queryset.values_list(*_EXPORT_FIELDS).iterator(chunk_size=chunk)
    batch = []

    def flush(batch):
        ids = [r[0] for r in batch]
        services: dict[int, list[str]] = {}
        for customer_id, name in (
            through.objects.filter(customer_id__in=ids)
            .order_by("logisticsservice__category", "logisticsservice__order")
            .values_list("customer_id", "logisticsservice__name")
        ):
            services.setdefault(customer_id, []).append(name)
        contacts = {
            customer_id: (name, mobile or phone)
            for customer_id, name, mobile, phone in Contact.objects.filter(
                customer_id__in=ids, is_primary=True
            ).values_list("customer_id", "name", "mobile", "phone")
        }
        for r in batch:
            contact = contacts.get(r[0], ("", ""))
            updated = r[20].astimezone(tz).strftime("%Y-%m-%d %H:%M") if r[20] else ""
            yield [
                r[1],
                r[2],
                r[3] or "",
                r[4],
                r[5],
                labels["nature"].get(r[6], r[6]),
                labels["scale"].get(r[7], r[7]),
                r[8],
                labels["trend"].get(r[9], r[9]),
                r[10],
                r[11] or "",
                r[12],
                labels["status"].get(r[13], r[13]),
                _label(r[14], r[15]),
                _label(r[16], r[17]),
                r[18],
                "、".join(services.get(r[0], ())),
                r[19],
                r[21] or "",
                *_cargo_values(r[22:], labels),
                contact[0],
                contact[1],
                updated,
            ]

    for row in rows:
        batch.append(row)
        if len(batch) >= chunk:
            yield from flush(batch)
            batch = []
    if batch:
        yield from flush(batch)


def write_export(rows, stream) -> int:
    """Write rows of export_values to `stream` (one sheet, headers in Chinese); the count."""
    with translation.override(FILE_LANGUAGE):
        return sheet.write_table(
            stream,
            title=str(gettext_lazy("Customers")),
            columns=COLUMNS,
            rows=rows,
            header=sheet.HEADER_BLUE,
            freeze=FREEZE,
        )
