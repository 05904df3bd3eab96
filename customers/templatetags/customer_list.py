"""Fast pieces of the customer list, rendered in Python.

The list is the busiest page of the product (100,000 customers, hundreds of
users); template includes and template-rendered <option>s were most of its
cost (README "Performance"). These tags give the same HTML, built with
format_html so every value is escaped.
"""

from html import escape as _escape

from django import template
from django.urls import reverse
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from crm_site.core import dates

register = template.Library()


@register.simple_tag
def fast_select(bound_field):
    """A <select> for a bound choice field, options built in one pass."""
    field = bound_field.field
    current = bound_field.value()
    current = "" if current is None else str(current)
    attrs = {**field.widget.attrs, "name": bound_field.html_name, "id": bound_field.auto_id}
    attributes = "".join(
        f' {k}="{_escape(str(v))}"' for k, v in attrs.items() if v not in (None, False)
    )
    options = []
    for value, label in field.choices:
        value = str(value)
        selected = " selected" if value == current else ""
        options.append(f'<option value="{_escape(value)}"{selected}>{_escape(str(label))}</option>')
    return mark_safe(f"<select{attributes}>{''.join(options)}</select>")  # noqa: S308 - escaped


@register.simple_tag
def person_options(people):
    return mark_safe(  # noqa: S308 - escaped
        "".join(
            f'<option value="{p.pk}">{_escape(p.get_full_name())} ({_escape(p.username)})</option>'
            for p in people
        )
    )


@register.simple_tag
def grade_badge(code, name="", tone=0, pinned=False, size=""):
    shown = name if name and name != code else code
    title = f"{_('Grade')} {code}"
    if name and name != code:
        title += f" · {name}"
    if pinned:
        title += f" · {_('pinned')}"
    pin = (
        format_html(
            '<i class="bi bi-pin-angle-fill ms-1" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
            _("pinned"),
        )
        if pinned
        else ""
    )
    size_class = f" grade-badge-{size}" if size else ""
    return format_html(
        '<span class="grade-badge grade-tone-{}{}" title="{}">{}{}</span>',
        tone or 0,
        size_class,
        title,
        shown or "—",
        pin,
    )


@register.simple_tag
def status_badge(value, label):
    return format_html('<span class="badge status-badge status-{}">{}</span>', value, label)


@register.simple_tag
def sort_link(link, label):
    direction = link.get("direction", "")
    icon = ""
    if direction == "asc":
        icon = format_html(
            ' <i class="bi bi-sort-up" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
            _("ascending"),
        )
    elif direction == "desc":
        icon = format_html(
            ' <i class="bi bi-sort-down" aria-hidden="true"></i><span class="visually-hidden">{}</span>',
            _("descending"),
        )
    sorted_class = " is-sorted" if direction else ""
    return format_html(
        '<a class="sort-link{}" href="{}">{}{}</a>', sorted_class, link["url"], label, icon
    )


def _e(value) -> str:
    # The standard library's escape: what Django's escape() does, without its
    # lazy-string wrapper and SafeString (ten thousand calls a page).
    return _escape("" if value is None else str(value))


def _detail_urls():
    """pk -> the card's address, with one reverse() per page instead of one per row."""
    marker = 2_147_483_647
    prefix, suffix = reverse("customers:detail", args=[marker]).split(str(marker))
    return lambda pk: f"{prefix}{pk}{suffix}"


class _Labels:
    """Translated labels looked up once per tag call, not once per row (gettext
    goes through thread-locals and was a third of the list's rendering time)."""

    def __init__(self):
        from customers.models import Nature, Status

        self.grade = _("Grade")
        self.pinned = _("pinned")
        self.pin = (
            '<i class="bi bi-pin-angle-fill ms-1" aria-hidden="true"></i>'
            f'<span class="visually-hidden">{escape(self.pinned)}</span>'
        )
        self.status = {value: escape(str(label)) for value, label in Status.choices}
        self.nature = {value: escape(str(label)) for value, label in Nature.choices}
        self.unassigned = escape(_("Unassigned"))
        self.exception = escape(_("Assigned by exception"))
        self.tick = _("Tick %(name)s")

    def grade_badge(self, c) -> str:
        code, name = c.grade, getattr(c, "grade_name", "") or ""
        shown = name if name and name != code else code
        title = f"{self.grade} {code}"
        if name and name != code:
            title += f" · {name}"
        if c.grade_pinned:
            title += f" · {self.pinned}"
        pin = self.pin if c.grade_pinned else ""
        tone = getattr(c, "grade_tone", 0) or 0
        return f'<span class="grade-badge grade-tone-{tone}" title="{_e(title)}">{_e(shown or "—")}{pin}</span>'

    def status_badge(self, c) -> str:
        label = self.status.get(c.status) or _e(c.status)
        return f'<span class="badge status-badge status-{_e(c.status)}">{label}</span>'


def _badges(c, labels) -> tuple[str, str]:
    return labels.grade_badge(c), labels.status_badge(c)


def _contact(c) -> tuple[str, str] | None:
    """(name, phone) of the primary contact (customers.display.ListRow), or None."""
    if c.primary_contact_name is None:
        return None
    return c.primary_contact_name, c.primary_contact_phone or ""


@register.simple_tag
def customer_table_rows(customers, can_reassign):
    """The <tr>s of the customer table (see the module docstring for why in Python)."""
    labels = _Labels()
    unassigned, exception = labels.unassigned, labels.exception
    url = _detail_urls()
    parts = []
    for c in customers:
        grade, status = _badges(c, labels)
        name = _e(c.name)
        cells = []
        if can_reassign:
            tick = _e(labels.tick % {"name": c.name})
            cells.append(
                f'<td class="check-col"><input type="checkbox" class="form-check-input row-check" '
                f'name="customers" value="{c.pk}" form="bulk-form" aria-label="{tick}"></td>'
            )
        extra = f" · {_e(c.industry)}" if c.industry else ""
        cells.append(
            f'<td><a class="fw-semibold customer-name" href="{url(c.pk)}">{name}</a>'
            f'<div class="small text-body-secondary"><span class="font-monospace">{_e(c.code)}</span>'
            f" · {labels.nature.get(c.nature, _e(c.nature))}{extra}</div></td>"
        )
        cells.append(f"<td>{grade}</td><td>{status}</td>")
        cells.append(f'<td class="text-end tabular">{c.annual_revenue:,.2f}</td>')
        region = _e(c.region_name) if c.region_name is not None else "—"
        cells.append(
            f'<td><div>{region}</div><div class="small text-body-secondary">{_e(c.unit_name)}</div></td>'
        )
        if c.visiting_person_name:
            flag = (
                f' <i class="bi bi-exclamation-diamond text-warning" title="{exception}" aria-label="{exception}"></i>'
                if c.assignment_override_reason
                else ""
            )
            cells.append(f"<td>{_e(c.visiting_person_name)}{flag}</td>")
        else:
            cells.append(f'<td><span class="text-body-secondary">{unassigned}</span></td>')
        p = _contact(c)
        if p:
            cells.append(
                f'<td><div>{_e(p[0])}</div><div class="small text-body-secondary tabular">'
                f"{_e(p[1])}</div></td>"
            )
        else:
            cells.append('<td><span class="text-body-secondary">—</span></td>')
        updated = dates.day_html(c.updated_at)
        cells.append(f'<td class="small text-body-secondary text-nowrap">{updated}</td>')
        parts.append("<tr>" + "".join(cells) + "</tr>")
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped


@register.simple_tag
def customer_card_items(customers, can_reassign):
    """The phone layout's list items (same data as customer_table_rows)."""
    labels = _Labels()
    url = _detail_urls()
    parts = []
    for c in customers:
        grade, status = _badges(c, labels)
        tick = ""
        if can_reassign:
            label = _e(labels.tick % {"name": c.name})
            tick = (
                f'<input type="checkbox" class="form-check-input mt-1 row-check" name="customers" '
                f'value="{c.pk}" form="bulk-form" aria-label="{label}">'
            )
        region = _e(c.region_name) if c.region_name is not None else "—"
        person = _e(c.visiting_person_name) if c.visiting_person_name else labels.unassigned
        p = _contact(c)
        contact = (
            f'<span><i class="bi bi-telephone" aria-hidden="true"></i> {_e(p[0])} {_e(p[1])}</span>'
            if p
            else ""
        )
        parts.append(
            f'<li class="list-group-item"><div class="d-flex align-items-start gap-2">{tick}'
            f'<div class="flex-grow-1 min-w-0"><div class="d-flex justify-content-between gap-2">'
            f'<a class="fw-semibold customer-name text-truncate" href="{url(c.pk)}">{_e(c.name)}</a>'
            f"{grade}</div>"
            f'<div class="small text-body-secondary"><span class="font-monospace">{_e(c.code)}</span>'
            f" · {region} · {_e(c.unit_name)}</div>"
            f'<div class="small mt-1 d-flex flex-wrap gap-2 align-items-center">{status}'
            f'<span><i class="bi bi-person-badge" aria-hidden="true"></i> {person}</span>{contact}</div>'
            f"</div></div></li>"
        )
    return mark_safe("\n".join(parts))  # noqa: S308 - every value above is escaped
