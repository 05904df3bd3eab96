"""Role-aware navigation: each entry names the lowest role that may use it.

Entries whose URL does not exist yet are left out, so the menu grows as the
apps add their pages.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from crm_site.accounts.models import Role
from crm_site.core import registry
from crm_site.core.nav import apply_badge_counts, badge_reads, collect


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    icon: str
    minimum: str
    exact: str | None = None  # only this role (e.g. the admin site)
    group: str | None = None  # a key of NAV_GROUPS: shown in that drop-down menu


# Drop-down menus of the top bar: (label, icon). Entries without a group are
# top-level links; a group with a single entry for the user shows as a link.
NAV_GROUPS = {
    "supervision": (_("Supervision"), "clipboard-data"),
    "market": (_("Market"), "binoculars"),
    "system": (_("System"), "gear"),
}

NAV = [
    NavItem(_("Home"), "home", "house", Role.STAFF),
    NavItem(_("Customers"), "customers:list", "people", Role.STAFF),
    NavItem(_("Visits due"), "visits:due", "calendar-check", Role.STAFF),
    NavItem(_("Calendar"), "visits:calendar", "calendar-week", Role.STAFF),
    NavItem(_("Daily reports"), "visits:report_list", "journal-text", Role.STAFF),
    NavItem(_("Complaints"), "complaints:list", "chat-left-dots", Role.STAFF),
    NavItem(_("Review"), "visits:review", "clipboard-check", Role.SUPERVISOR, group="supervision"),
    NavItem(_("Compliance"), "visits:compliance", "graph-up", Role.SUPERVISOR, group="supervision"),
    NavItem(
        _("Urgent reports"),
        "visits:urgent_list",
        "exclamation-triangle",
        Role.SUPERVISOR,
        group="supervision",
    ),
    NavItem(
        _("Service plans"), "visits:plan_list", "clipboard2-check", Role.STAFF, group="supervision"
    ),
    NavItem(
        _("Monthly summaries"),
        "reports:monthly_list",
        "file-earmark-bar-graph",
        Role.SUPERVISOR,
        group="supervision",
    ),
    NavItem(
        _("Development"), "customers:development_list", "person-plus", Role.STAFF, group="market"
    ),
    NavItem(_("Intelligence"), "visits:intelligence", "binoculars", Role.STAFF, group="market"),
    NavItem(_("Outlets"), "outlets:list", "shop", Role.STAFF, group="market"),
    NavItem(_("Analysis"), "reports:analysis", "pie-chart", Role.SUPERVISOR, group="market"),
    NavItem(
        _("Monthly turnover"), "customers:turnover_list", "cash-coin", Role.STAFF, group="market"
    ),
    NavItem(
        _("Turnover against target"),
        "reports:revenue_gap",
        "bullseye",
        Role.SUPERVISOR,
        group="market",
    ),
    NavItem(
        _("Big-customer revenue"),
        "reports:big_customers",
        "award",
        Role.STAFF,
        group="market",
    ),
    NavItem(
        _("Market share and cost ratios"),
        "reports:market",
        "globe2",
        Role.SUPERVISOR,
        group="market",
    ),
    NavItem(_("Grading rules"), "customers:grading", "sliders", Role.ADMIN, group="system"),
    NavItem(_("Audit log"), "audit_log", "shield-check", Role.ADMIN, group="system"),
    NavItem(_("Administration"), "admin:index", "gear", Role.ADMIN, group="system"),
]


# The phone's bottom tab bar: the four pages a visiting person opens all day,
# by the menu entry they stand for (short labels: the bar is 390 px wide).
NAV_TABS = {
    "home": pgettext_lazy("tab bar", "Home"),
    "visits:due": pgettext_lazy("tab bar", "Visits due"),
    "visits:report_list": pgettext_lazy("tab bar", "Daily report"),
    "complaints:list": pgettext_lazy("tab bar", "Complaints"),
}


def nav_tabs(items: list[dict]) -> list[dict]:
    """The tab bar's entries among the user's menu entries, in the bar's order."""
    by_name = {item["name"]: item for item in items}
    return [
        {**by_name[name], "label": label} for name, label in NAV_TABS.items() if name in by_name
    ]


@functools.lru_cache(maxsize=64)
def _resolved(url_name: str) -> str | None:
    try:
        return reverse(url_name)
    except NoReverseMatch:
        return None


def nav_items_for(user) -> list[dict]:
    if not user.is_authenticated:
        return []
    items = []
    for item in NAV:
        if not user.is_at_least(item.minimum):
            continue
        url = _resolved(item.url_name)
        if url:
            items.append(
                {
                    "label": item.label,
                    "url": url,
                    "icon": item.icon,
                    "name": item.url_name,
                    "group": item.group,
                }
            )
    return items


def nav_menu(items: list[dict]) -> list[dict]:
    """The top bar: links, and a drop-down per group (in the order of first use)."""
    menu, groups = [], {}
    for item in items:
        key = item["group"]
        if key is None:
            menu.append(item)
            continue
        if key not in groups:
            label, icon = NAV_GROUPS[key]
            groups[key] = {"label": label, "icon": icon, "key": key, "children": []}
            menu.append(groups[key])
        groups[key]["children"].append(item)
    flat = []
    for entry in menu:
        if "children" in entry and len(entry["children"]) == 1:
            entry = entry["children"][0]
        elif "children" in entry:
            entry["active"] = any(i.get("active") for i in entry["children"])
        flat.append(entry)
    return flat


def resolve_badge_counts(badges: list[dict], extra: dict | None = None) -> dict[str, int]:
    """Badges may give `count` (and `alert`: anything counted there turns the badge
    red) as querysets or prepared reads: count them all, with `extra`, in one
    query. Returns the counts of `extra`."""
    from crm_site.core import batch

    pending = badge_reads(badges, extra)
    counts = batch.rows_many({key: batch.Counted(read) for key, read in pending.items()})
    apply_badge_counts(badges, counts)
    return {key: counts[key] for key in extra or {}}


def navigation(request):
    user = getattr(request, "user", None)
    items = nav_items_for(user) if user is not None else []
    # The entry with the longest URL that prefixes the path is the current one
    # (/visits/reports/review/ is "Review", not also "Daily reports").
    path = request.path
    matches = [
        i for i in items if (path == i["url"] if i["url"] == "/" else path.startswith(i["url"]))
    ]
    current = max(matches, key=lambda i: len(i["url"]), default=None)
    for item in items:
        item["active"] = item is current
    unread, badges = 0, []
    if user is not None and user.is_authenticated:
        counted = getattr(request, "navigation_counts", None)
        if counted is not None:  # read with the page's own reads (crm_site.core.nav)
            badges, unread = counted
        else:
            from crm_site.core.selectors import unread_notifications_read

            badges = collect(registry.nav_badges.paths(), request)
            unread = resolve_badge_counts(badges, {"unread": unread_notifications_read(user)})[
                "unread"
            ]
    return {
        "nav_items": items,
        "nav_menu": nav_menu(items),
        "nav_tabs": nav_tabs(items),
        "crm_name": settings.CRM_SITE_NAME,
        "unread_notifications": unread,
        "nav_badges": badges,
    }
