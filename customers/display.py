"""How grades, breakdowns and history rows read on the pages (no queries here)."""

from decimal import Decimal, InvalidOperation

from django.core.exceptions import FieldDoesNotExist
from django.utils.formats import number_format
from django.utils.safestring import SafeString
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import display_name
from crm_site.core import dates, markup

from . import cargo, grading
from .models import (
    PAGE_VALUES,
    Contact,
    Customer,
    CustomerChange,
    Nature,
    Scale,
    Status,
    Trend,
)

CRITERIA = {
    "revenue": _("Annual revenue"),
    "scale": _("Scale"),
    "trend": _("Development trend"),
    "nature": _("Nature"),
}
CHOICES = {
    "nature": Nature,
    "scale": Scale,
    "trend": Trend,
    "status": Status,
    "cargo_density": cargo.Density,
    "load_type": cargo.LoadType,
}
CONTACT_CHOICES = {"care_kind": Contact.CareKind}
MAX_TONE = 6


def grade_styles(rule: grading.Rule) -> dict[str, dict]:
    """Per grade code: its display name and a tone 1 (best) .. 6 for the badge colour."""
    return {
        g.code: {"name": g.name, "tone": min(i, MAX_TONE)}
        for i, g in enumerate(rule.grades, start=1)
    }


# The customer's own columns of a list row (the joined ones are renamed).
_PLAIN_VALUES = tuple(name for name in PAGE_VALUES if "__" not in name)


class ListRow:
    """One row of the customer list, from Customer.objects.for_page() values: the
    attributes the list's template tags read, without a model instance."""

    __slots__ = (
        *_PLAIN_VALUES,
        "unit_name",
        "region_name",
        "visiting_person_name",
        "primary_contact_name",
        "primary_contact_phone",
        "grade_name",
        "grade_tone",
    )

    def __init__(self, values: dict):
        for key in _PLAIN_VALUES:
            setattr(self, key, values[key])
        self.unit_name = values["unit__name"]
        self.region_name = values["region__name"]
        self.visiting_person_name = values["visiting_person__username"] and display_name(
            values["visiting_person__full_name"],
            values["visiting_person__first_name"],
            values["visiting_person__last_name"],
            values["visiting_person__username"],
        )
        self.primary_contact_name = values["primary_contact_name"]
        self.primary_contact_phone = values["primary_contact_phone"]


def list_rows(values) -> list[ListRow]:
    return [ListRow(v) for v in values]


def decorate(customers, styles: dict) -> None:
    """Give each customer `grade_name` and `grade_tone` for the grade badge."""
    for customer in customers:
        style = styles.get(customer.grade)
        customer.grade_name = style["name"] if style else customer.grade
        customer.grade_tone = style["tone"] if style else 0


def money(value) -> str:
    try:
        return number_format(Decimal(value), decimal_pos=2, force_grouping=True)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)


def choice_text(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def breakdown_rows(breakdown: dict) -> list[dict]:
    rows = []
    for key, label in CRITERIA.items():
        item = breakdown.get(key)
        if not item:
            continue
        value = item.get("value", "")
        if key == "revenue":
            shown = _("%(amount)s (10k CNY)") % {"amount": money(value)}
        else:
            shown = choice_text(CHOICES[key], value)
        rows.append({"label": label, "value": shown, "points": item.get("points", 0)})
    return rows


def _label(model, name: str) -> str:
    if name == "services":
        return str(Customer._meta.get_field("services").verbose_name)
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        return name


def _value(name: str, value, choices: dict) -> str:
    if name in choices and value:
        return choice_text(choices[name], value)
    if name in cargo.MULTI_CHOICES and value:
        return "、".join(cargo.labels(value, cargo.MULTI_CHOICES[name]))
    if name == "annual_revenue" and value:
        return money(value)
    if name in ("is_primary", "appointment_required", "receipt_return"):
        return str(_("Yes")) if value else str(_("No"))
    return value


def change_rows(change: CustomerChange) -> list[dict]:
    """(field, old, new) of one history entry, labelled in the reader's language."""
    if change.kind == CustomerChange.Kind.VOICE:
        from .voice import display as voice_display

        return voice_display.change_rows(change)
    model: type[Contact] | type[Customer]
    choices: dict
    if change.kind == CustomerChange.Kind.CONTACT:
        model, choices, fields = Contact, CONTACT_CHOICES, change.changes.get("fields", {})
        created = change.changes.get("action") == "added"
    else:
        model, choices, fields = Customer, CHOICES, change.changes
        created = change.kind in (CustomerChange.Kind.CREATED, CustomerChange.Kind.IMPORTED)
    return [
        {
            "label": _label(model, name),
            # A new record has no old values, only what it was created with.
            "old": "" if created and not old else _value(name, old, choices),
            "new": _value(name, new, choices),
        }
        for name, (old, new) in fields.items()
    ]


CONTACT_ACTIONS = {
    "added": _("Contact added"),
    "changed": _("Contact changed"),
    "removed": _("Contact removed"),
    "anonymised": _("Personal data anonymised"),
}


def change_title(change: CustomerChange) -> str:
    if change.kind == CustomerChange.Kind.VOICE:
        from .voice import display as voice_display

        return voice_display.change_title(change)
    if change.kind == CustomerChange.Kind.CONTACT:
        action = CONTACT_ACTIONS.get(change.changes.get("action"), change.get_kind_display())
        name = change.changes.get("contact", "")
        return f"{action}: {name}" if name else str(action)
    return str(change.get_kind_display())


def run_summary(run) -> str:
    """ "1,203 customers regraded, 52 changed grade: 40 A→B, 12 C→D." in the reader's language."""
    summary = gettext("%(checked)s customers regraded, %(moved)s changed grade") % {
        "checked": f"{run.customers_checked:,}",
        "moved": f"{run.customers_moved:,}",
    }
    moves = pgettext("list separator", ", ").join(f"{n:,} {move}" for move, n in run.sorted_moves())
    if moves:
        return gettext("%(summary)s: %(moves)s.") % {"summary": summary, "moves": moves}
    return gettext("%(summary)s.") % {"summary": summary}


def grade_history_rows(rows: list[dict]) -> SafeString:
    """The <li> of each grade change (customers.selectors.grade_change_rows) of
    customers/partials/_grade_history.html, on the card and the history page:
    written here once per row rather than by the template's loop."""
    gap = "\n        "
    parts = []
    for g in rows:
        source = markup.text(g["source"])
        if g["rule"]:
            source += f" · {markup.text(g['rule'])}"
        if g["actor"]:
            source += f" · {markup.text(g['actor'])}"
        reason = f"<div>{markup.text(g['reason'])}</div>" if g["reason"] else ""
        parts.append(
            '<li class="list-group-item small">\n'
            '          <div class="d-flex justify-content-between gap-2">\n'
            f'            <span class="fw-semibold">{markup.text(g["old_grade"] or "—")}'
            f" → {markup.text(g['new_grade'])}</span>\n"
            f'            <span class="text-body-secondary">{dates.day_html(g["at"])}</span>\n'
            "          </div>\n"
            f'          <div class="text-body-secondary">{source}</div>\n'
            f"          {reason}\n"
            f"        </li>{gap}"
        )
    return markup.rows(parts)
