"""The outlet register as .xlsx: export, blank template and the import's
columns. One column list serves all three, so an exported file imports
unchanged; headers and choice values are written in Chinese (the customer
files' rule, customers/xlsx.py, whose safe reading this reuses)."""

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.core import xlsx as sheet
from customers import xlsx as customer_xlsx

from .models import OutletKind

FILE_LANGUAGE = customer_xlsx.FILE_LANGUAGE
FREEZE = "C2"
# An outlet register is hundreds of rows, not tens of thousands: a file is
# checked and applied in the request.
MAX_ROWS = 2000
YES, NO = "是", "否"

Column = customer_xlsx.Column

COLUMNS = [
    Column(key="code", label=gettext_lazy("Outlet code"), required=True, width=14),
    Column(key="name", label=gettext_lazy("Outlet name"), required=True, width=26),
    Column(key="kind", label=gettext_lazy("Outlet kind"), required=True, width=12),
    Column(key="unit", label=gettext_lazy("Service unit"), required=True, width=16),
    Column(key="region", label=gettext_lazy("Region"), width=10),
    Column(key="address", label=gettext_lazy("Address"), width=32),
    Column(key="manager_name", label=gettext_lazy("Outlet manager"), width=12),
    Column(key="manager_phone", label=gettext_lazy("Outlet manager's phone"), width=16),
    Column(key="is_active", label=gettext_lazy("In use"), width=8),
]
COLUMN_BY_KEY = {c.key: c for c in COLUMNS}


def kind_lookup() -> dict[str, str]:
    """The stored kind by its code, Chinese label or English label (lower case)."""
    lookup = {}
    for value, _label in OutletKind.choices:
        lookup[value.lower()] = value
        for language in ("en", FILE_LANGUAGE):
            with translation.override(language):
                lookup[str(OutletKind(value).label).lower()] = value
    return lookup


def active_value(text: str) -> bool | None:
    """是/否, yes/no, 1/0 (blank: None, the outlet's value stays)."""
    text = text.strip().lower()
    if not text:
        return None
    if text in (YES, "yes", "y", "true", "1", "active"):
        return True
    if text in (NO, "no", "n", "false", "0", "inactive"):
        return False
    raise ValueError(text)


def export_rows(outlets):
    """File values per outlet, in COLUMNS order."""
    with translation.override(FILE_LANGUAGE):
        kinds = {value: str(label) for value, label in OutletKind.choices}
    for outlet in outlets:
        yield [
            outlet.code,
            outlet.name,
            kinds.get(outlet.kind, outlet.kind),
            outlet.unit.name,
            outlet.region.name if outlet.region else "",
            outlet.address,
            outlet.manager_name,
            outlet.manager_phone,
            YES if outlet.is_active else NO,
        ]


def write_export(outlets, stream) -> int:
    with translation.override(FILE_LANGUAGE):
        return sheet.write_table(
            stream,
            title=str(gettext_lazy("Outlets")),
            columns=COLUMNS,
            rows=export_rows(outlets),
            header=sheet.HEADER_BLUE,
            freeze=FREEZE,
        )


def write_template(stream, *, units, regions) -> None:
    with translation.override(FILE_LANGUAGE):
        customer_xlsx.write_blank_template(
            stream,
            title=str(gettext_lazy("Outlets")),
            columns=COLUMNS,
            freeze=FREEZE,
            help_rows=_template_help(units, regions),
        )


def _template_help(units, regions):
    header = customer_xlsx.column_header
    yield (
        _("Required columns"),
        "、".join(header(c) for c in COLUMNS if c.required),
    )
    yield (
        _("Matching"),
        _(
            "Rows are matched by outlet code: a new code adds an outlet, an existing code "
            "updates it. The whole file is applied, or nothing if any row has an error."
        ),
    )
    yield _("Limits"), _("At most %(rows)s rows; no formulas.") % {"rows": f"{MAX_ROWS:,}"}
    yield header(COLUMN_BY_KEY["kind"]), "、".join(str(label) for _v, label in OutletKind.choices)
    yield header(COLUMN_BY_KEY["unit"]), "、".join(u.name for u in units)
    yield header(COLUMN_BY_KEY["region"]), "、".join(r.name for r in regions)
    yield header(COLUMN_BY_KEY["is_active"]), f"{YES}、{NO}"
