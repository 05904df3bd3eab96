"""The claims register as .xlsx (crm_site.core.xlsx; rows are streamed)."""

from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.core import exports
from crm_site.core import xlsx as sheet
from crm_site.core.services import audit
from crm_site.core.xlsx import DATE_FORMAT, DATETIME_FORMAT, Column

from .filters import register_filter

MONEY_FORMAT = "#,##0.00"


def _columns() -> list[Column]:
    def local(value):
        # Excel has no time zones: write the local wall-clock time.
        return timezone.localtime(value).replace(tzinfo=None) if value else None

    def outlet(claim):
        o = claim.complaint.responsible_outlet
        return str(o) if o else ""

    return [
        Column(_("Claim"), lambda c: c.number, 20),
        Column(_("Complaint"), lambda c: c.complaint.number, 16),
        Column(_("Customer"), lambda c: c.complaint.customer.name, 26),
        Column(_("Unit"), lambda c: c.unit.name, 14),
        Column(_("Responsible outlet"), outlet, 22),
        Column(_("Claim type"), lambda c: c.get_kind_display(), 10),
        Column(_("State"), lambda c: c.get_state_display(), 10),
        Column(_("Filed at"), lambda c: local(c.created_at), 18, DATETIME_FORMAT),
        Column(_("Declared value"), lambda c: c.declared_value, 14, MONEY_FORMAT),
        Column(_("Insured"), lambda c: _("Yes") if c.insured else _("No"), 8),
        Column(_("Amount claimed"), lambda c: c.amount_claimed, 14, MONEY_FORMAT),
        Column(_("Assessed amount"), lambda c: c.assessed_amount, 14, MONEY_FORMAT),
        Column(_("Amount paid"), lambda c: c.paid_amount, 14, MONEY_FORMAT),
        Column(_("Paid on"), lambda c: c.paid_on, 12, DATE_FORMAT),
        Column(_("Reason for rejection"), lambda c: c.rejection_reason, 30),
    ]


def write_register(queryset, stream) -> int:
    columns = _columns()
    rows = sheet.object_rows(queryset.iterator(chunk_size=2000), columns)
    return sheet.write_table(
        stream,
        title=_("Claims"),
        columns=columns,
        rows=rows,
        header=sheet.HEADER_LIGHT,
        freeze="B2",
    )


def register_export_params(query) -> dict:
    """The register's page parameters (checked again when the rows are read) and
    the audit log's copy of them."""
    kept = {k: query.getlist(k) for k in query if k != "page"}
    audited = {k: v for k, v in query.items() if k != "page" and v}
    return {"query": kept, "audit": audited}


def register_rows(*, user, params: dict):
    """The claims of an export: `user`'s, under the kept filters, in the register's order."""
    return register_filter(user=user, data=exports.query_dict(params.get("query", {}))).qs


def register_export_write(*, user, params: dict, stream, progress=None, request=None):
    """Write the register's rows for `params` to `stream`; audited. Returns (rows,
    file name). The view and the background export job call it."""
    rows = register_rows(user=user, params=params)
    if progress is not None:
        rows = _Counted(rows, progress)
    count = write_register(rows, stream)
    audit(
        actor=user,
        action="claims.export",
        summary=f"{count} rows",
        data={"filters": params.get("audit", {}), "rows": count},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return count, f"claims-{stamp}.xlsx"


class _Counted:
    """A queryset stand-in whose iterator() reports progress."""

    def __init__(self, queryset, progress):
        self.queryset, self.progress = queryset, progress

    def iterator(self, chunk_size=2000):
        return exports.counted(self.queryset.iterator(chunk_size=chunk_size), self.progress)
