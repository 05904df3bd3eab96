"""What the complaints app adds to other pages (registered in ComplaintsConfig.ready()).

- home panel: `home_panel(request)` — the user's open and overdue complaints.
- customer card section: `customer_card_section(request, customer)` — the
  customer's complaints the user may see.
"""

from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role
from crm_site.accounts.scope import is_staff_role
from crm_site.core import batch, dates, markup, registry
from crm_site.core.links import pk_url
from crm_site.core.templatetags.crm_status import status_tone

from . import selectors
from .models import Status

PANEL_ROWS = 5


@registry.home_panel("complaints/partials/_home_panel.html", width=6, at_least=Role.STAFF)
def home_panel(request):
    """Staff: complaints they logged or handle; supervisors and managers: their units'."""
    user = request.user
    now = timezone.now()
    figures = selectors.complaint_home_figures(user=user, now=now, rows=PANEL_ROWS)
    list_url = reverse("complaints:list")
    mine_param = "&mine=on" if is_staff_role(user) else ""
    return {
        "counts": figures["counts"],
        "complaints": figures["complaints"],
        "now": now,
        "open_url": f"{list_url}?status=open{mine_param}&sort=deadline",
        "overdue_url": f"{list_url}?overdue=on{mine_param}&sort=deadline",
        "approval_url": f"{list_url}?status=awaiting_approval&sort=deadline",
        "new_url": reverse("complaints:create"),
    }


def _card_rows(complaints, now) -> None:
    """What the card shows of each complaint, worked out once here rather than
    by template filters and an include per row."""
    statuses = {value: str(label) for value, label in Status.choices}
    detail_url = pk_url("complaints:detail")
    for complaint in complaints:
        complaint.url = detail_url(complaint.pk)
        complaint.received_on = dates.day_html(complaint.received_at)
        complaint.status_label = statuses.get(complaint.status, complaint.status)
        complaint.tone = status_tone(complaint.status)
        complaint.overdue = complaint.is_overdue(now)


def _card_rows_html(complaints) -> SafeString:
    """The <li> of each complaint on the card, written here once per row rather
    than by the template's loop (the same HTML; the status badge is
    complaints/partials/_status_badge.html's)."""
    overdue = markup.text(_("Overdue"))
    gap = "\n    "
    parts = []
    for c in complaints:
        badge = f'<span class="badge text-bg-{markup.text(c.tone)} complaint-status">{markup.text(c.status_label)}</span>'
        if c.overdue:
            badge += f' <span class="badge text-bg-danger">{overdue}</span>'
        parts.append(
            f'{gap}<li class="list-group-item d-flex flex-wrap justify-content-between gap-2">'
            f'\n      <div><a href="{markup.text(c.url)}" class="fw-semibold">{markup.text(c.number)}</a>'
            f' <span class="small text-body-secondary">{c.received_on} · {markup.text(c.category)}</span></div>'
            f"\n      \n      <div>{badge}</div>\n    </li>{gap}"
        )
    return markup.rows(parts)


def customer_card_reads(request, customer) -> batch.Pending:
    """The customer's complaints the user may see, newest first."""
    list_url = reverse("complaints:list")
    new_url = (
        f"{reverse('complaints:create')}?customer={customer.code}"
        if request.user.is_at_least(Role.STAFF)
        else ""
    )

    def build(rows: dict) -> dict:
        figures = selectors.complaint_card_figures_from(rows["complaints"])
        now = timezone.now()
        _card_rows(figures["complaints"], now)
        return {
            "template": "complaints/partials/_customer_card_complaints.html",
            "customer": customer,
            "complaints": figures["complaints"],
            "rows": _card_rows_html(figures["complaints"]),
            "total": figures["total"],
            "open": figures["open"],
            "now": now,
            "list_url": f"{list_url}?customer={customer.pk}",
            "new_url": new_url,
        }

    rows = selectors.complaint_card_read(request.user, customer.pk)
    return batch.Pending({"complaints": rows}, build)


customer_card_section = registry.batched_card_section(customer_card_reads)


def green_channel_reads(request, customer) -> batch.Pending | None:
    """A big customer's green channel (绿色通道, 限时服务): the deadlines its
    complaints are promised (the deadline policies for its grade, any
    category) and who answers its 24-hour hotline. Read with the card's other
    reads, and nothing for a customer without a grade; the hotline owner's
    name comes with the card's customer (customers.selectors.CARD_PEOPLE)."""
    if not customer.grade:
        return None

    def build(rows: dict) -> dict | None:
        promises = selectors.green_channel_promises_from(rows["promises"])
        if not promises:
            return None
        owner = getattr(customer, "hotline_owner_name", None)
        fallback = getattr(customer, "visiting_person_name", None)
        return {
            "template": "complaints/partials/_customer_card_green_channel.html",
            "customer": customer,
            "promises": promises,
            "hotline_owner": owner or fallback,
            "hotline_owner_is_fallback": not owner and bool(fallback),
        }

    return batch.Pending({"promises": selectors.green_channel_rows(customer.grade)}, build)


green_channel_section = registry.batched_card_section(green_channel_reads)
