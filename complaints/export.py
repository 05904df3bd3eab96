"""The complaint register as .xlsx (openpyxl write-only: rows are streamed)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.core import exports
from crm_site.core import xlsx as sheet
from crm_site.core.services import audit
from crm_site.core.xlsx import DATE_FORMAT, DATETIME_FORMAT, Column

from .filters import register_filter

XLSX_CONTENT_TYPE = sheet.XLSX_CONTENT_TYPE


def _columns() -> list[Column]:
    """The register's columns, in order."""

    def local(value):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def user(value):
        return value.get_full_name() if value else ""

    return [
        Column(_("Number"), lambda c: c.number, 16),
        Column(_("Customer code"), lambda c: c.customer.code, 12),
        Column(_("Customer"), lambda c: c.customer.name, 28),
        Column(_("Unit"), lambda c: c.unit.name, 14),
        Column(_("Channel"), lambda c: c.get_channel_display(), 10),
        Column(_("Received at"), lambda c: local(c.received_at), 18, DATETIME_FORMAT),
        Column(_("Received by"), lambda c: user(c.received_by), 10),
        Column(_("Complainant"), lambda c: c.complainant, 12),
        Column(_("Contact phone"), lambda c: c.contact_phone, 15),
        Column(_("Category"), lambda c: str(c.category), 10),
        Column(_("Severity"), lambda c: c.get_severity_display(), 8),
        Column(_("Status"), lambda c: c.get_status_display(), 12),
        Column(_("Handler"), lambda c: user(c.handler), 10),
        Column(_("Responsible department"), lambda c: c.responsible_department, 14),
        Column(_("Deadline"), lambda c: local(c.deadline), 18, DATETIME_FORMAT),
        Column(_("Regulatory due date"), lambda c: local(c.regulatory_due), 18, DATETIME_FORMAT),
        Column(_("Overdue"), lambda c: _("Yes") if c.is_overdue() else "", 8),
        Column(_("Resolved at"), lambda c: local(c.resolved_at), 18, DATETIME_FORMAT),
        Column(
            _("On time"),
            lambda c: {True: _("Yes"), False: _("No"), None: ""}[c.resolved_on_time],
            8,
        ),
        Column(_("Customer notified on"), lambda c: c.notified_on, 12, DATE_FORMAT),
        Column(
            _("Satisfied"), lambda c: {True: _("Yes"), False: _("No"), None: ""}[c.satisfied], 8
        ),
        Column(_("Complaint"), lambda c: c.content, 40),
        Column(_("Customer's demand"), lambda c: c.demand, 30),
        Column(_("Cause"), lambda c: c.cause, 30),
        Column(_("Solution"), lambda c: c.solution, 30),
    ]


def write_register(queryset, stream) -> int:
    """Write the complaints of `queryset` (in its order) to `stream`; return the row count."""
    columns = _columns()
    rows = sheet.object_rows(queryset.iterator(chunk_size=2000), columns)
    return sheet.write_table(
        stream,
        title=_("Complaints"),
        columns=columns,
        rows=rows,
        header=sheet.HEADER_LIGHT,
        freeze="B2",
    )


def register_export_params(filterset, query) -> dict:
    """What an export keeps: the register's validated filters (JSON-safe) and the
    audit log's version of the parameters (a search may be a phone number: not kept)."""
    audited = {k: v for k, v in query.items() if k != "page" and v}
    if "q" in audited:
        audited["q"] = "…"
    return {"filters": filterset.cleaned_filters(), "audit": audited}


def register_rows(*, user, params: dict):
    """The complaints of an export: `user`'s, under the kept filters, in the register's order."""
    if "filters" not in params and params:
        # A job recorded before filters were kept validated: the page's raw parameters.
        return register_filter(user=user, data=exports.query_dict(params)).qs
    return register_filter(user=user).filtered(params.get("filters", {}))


def register_export_write(*, user, params: dict, stream, progress=None, request=None):
    """Write the register's rows for `params` to `stream`; audited. Returns (rows, file
    name). Used by the view and by the background export job (crm_site.core.exports)."""
    rows = register_rows(user=user, params=params)
    if progress is not None:
        rows = _Counted(rows, progress)
    count = write_register(rows, stream)
    audit(
        actor=user,
        action="complaints.export",
        summary=f"{count} rows",
        data={"filters": params.get("audit", {}), "rows": count},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return count, f"complaints-{stamp}.xlsx"


class _Counted:
    """A queryset stand-in whose iterator() reports progress (for write_register)."""

    def __init__(self, queryset, progress):
        self.queryset, self.progress = queryset, progress

    def iterator(self, chunk_size=2000):
        return exports.counted(self.queryset.iterator(chunk_size=chunk_size), self.progress)
