from html import escape

from django import template
from django.urls import NoReverseMatch, reverse
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crm_site.core.templatetags.crm_status import status_tone

register = template.Library()

register.filter("status_tone", status_tone)


@register.filter
def customer_url(customer) -> str:
    """The customer card's address, or "" where the customers app has no card page."""
    try:
        return reverse("customers:detail", args=[customer.pk])
    except NoReverseMatch:
        return ""


@register.filter
def percent(value) -> str:
    return "–" if value is None else f"{value:.1f}%"


def moment(label: str, iso: str) -> str:
    """A date-time label in a <time> that keeps the full date and time as its title."""
    iso = escape(iso)
    return f'<time datetime="{iso.replace(" ", "T")}" title="{iso}">{escape(label)}</time>'


@register.simple_tag
def register_rows(rows) -> SafeString:
    """The register's table rows (complaints.selectors.RegisterRow), built in one
    pass: a template loop spent more on looking up each value than on the rows."""
    repeat = (
        ' <span class="badge text-bg-warning complaint-repeat" title="{}">'
        '<i class="bi bi-arrow-repeat" aria-hidden="true"></i> {}</span>'
    ).format(
        escape(_("The same waybill had another complaint in the 30 days before")),
        escape(_("Repeat")),
    )
    merged = (
        ' <span class="badge text-bg-secondary complaint-merged">'
        '<i class="bi bi-intersect" aria-hidden="true"></i> {}</span>'
    ).format(escape(_("Merged")))
    overdue_badge = f' <span class="badge text-bg-danger">{escape(_("Overdue"))}</span>'
    deadline_label = escape(_("Deadline"))
    out = []
    for c in rows:
        late = c.overdue
        status = (
            f'<span class="badge text-bg-{escape(c.status_tone)} complaint-status">'
            f"{escape(c.status_label)}</span>{overdue_badge if late else ''}"
        )
        severity_class = (
            "text-bg-danger-subtle text-danger-emphasis border border-danger-subtle"
            if c.severity == "major"
            else "text-bg-light border"
        )
        out.append(
            f'<tr class="{"table-danger complaint-overdue" if late else ""}">\n'
            f'      <td class="text-nowrap"><a href="{escape(c.url)}" class="fw-semibold">'
            f"{escape(c.number)}</a>{repeat if c.repeat else ''}{merged if c.merged else ''}\n"
            f'        <div class="d-sm-none mt-1">{status}</div>\n'
            f'        <div class="d-sm-none small'
            f'{" text-danger fw-semibold" if late else " text-body-secondary"}">'
            f"{deadline_label} {moment(c.deadline, c.deadline_iso)}</div></td>\n"
            f'      <td class="complaint-customer">{escape(c.customer)}'
            f'<div class="small text-body-secondary">{escape(c.unit)} · {escape(c.channel)}</div></td>\n'
            f'      <td class="d-none d-md-table-cell">{escape(c.category)}</td>\n'
            f'      <td class="d-none d-md-table-cell"><span class="badge {severity_class}">'
            f"{escape(c.severity_label)}</span></td>\n"
            f'      <td class="d-none d-sm-table-cell">{status}</td>\n'
            f'      <td class="d-none d-lg-table-cell text-nowrap small">'
            f"{moment(c.received, c.received_iso)}</td>\n"
            f'      <td class="d-none d-sm-table-cell text-nowrap small'
            f'{" fw-semibold text-danger" if late else ""}">{moment(c.deadline, c.deadline_iso)}</td>\n'
            f'      <td class="d-none d-lg-table-cell">{escape(c.handler or "–")}</td>\n'
            "    </tr>"
        )
    return mark_safe("\n    ".join(out))  # noqa: S308 - every value above is escaped
