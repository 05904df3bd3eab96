"""Role-aware navigation: each entry names the lowest role that may use it.

Entries whose URL does not exist yet are left out, so the menu grows as the
apps add their pages.
"""

import functools
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import Role


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    icon: str
    minimum: str
    exact: str | None = None  # only this role (e.g. the admin site)


NAV = [
    NavItem(_("Home"), "home", "house", Role.STAFF),
    NavItem(_("Customers"), "customers:list", "people", Role.STAFF),
    NavItem(_("Development"), "customers:development_list", "person-plus", Role.STAFF),
    NavItem(_("Visits due"), "visits:due", "calendar-check", Role.STAFF),
    NavItem(_("Daily reports"), "visits:report_list", "journal-text", Role.STAFF),
    NavItem(_("Intelligence"), "visits:intelligence", "binoculars", Role.STAFF),
    NavItem(_("Review"), "visits:review", "clipboard-check", Role.SUPERVISOR),
    NavItem(_("Compliance"), "visits:compliance", "graph-up", Role.SUPERVISOR),
    NavItem(_("Urgent reports"), "visits:urgent_list", "exclamation-triangle", Role.SUPERVISOR),
    NavItem(
        _("Monthly summaries"), "reports:monthly_list", "file-earmark-bar-graph", Role.SUPERVISOR
    ),
    NavItem(_("Analysis"), "reports:analysis", "pie-chart", Role.SUPERVISOR),
    NavItem(_("Complaints"), "complaints:list", "chat-left-dots", Role.STAFF),
    NavItem(_("Grading rules"), "customers:grading", "sliders", Role.ADMIN),
    NavItem(_("Audit log"), "audit_log", "shield-check", Role.ADMIN),
    NavItem(_("Administration"), "admin:index", "gear", Role.ADMIN),
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
                {"label": item.label, "url": url, "icon": item.icon, "name": item.url_name}
            )
    return items


def collect(paths: list[str], request) -> list[dict]:
    """Call each provider (dotted path) with the request; keep what they return."""
    results = []
    for path in paths:
        value = import_string(path)(request)
        if value:
            results.append(value)
    return results


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
        from crm_site.core.models import Notification

        unread = Notification.objects.visible_to(user).unread().count()
        badges = collect(settings.CRM_NAV_BADGES, request)
    return {
        "nav_items": items,
        "crm_name": settings.CRM_SITE_NAME,
        "unread_notifications": unread,
        "nav_badges": badges,
    }
