"""The core's own home panel (registered in CoreConfig.ready()).

- awaiting_me_panel: "awaiting me" — every workflow's objects whose move is
  the user's (crm_site.core.handoff), one list per workflow.
"""

from crm_site.accounts.models import Role

from . import registry, selectors

PANEL_ROWS = 5


@registry.home_panel("core/partials/_home_awaiting_me.html", width=12, at_least=Role.STAFF)
def awaiting_me_panel(request):
    groups = selectors.awaiting_me(user=request.user, rows=PANEL_ROWS)
    rows = [
        {
            "label": group["handoff"].label,
            "total": group["total"],
            "more": group["total"] > len(group["items"]),
            "items": [
                {"name": str(obj), "url": obj.get_absolute_url(), "step": move.step}
                for obj, move in group["items"]
            ],
        }
        for group in groups
    ]
    return {"awaiting_groups": rows, "awaiting_total": sum(g["total"] for g in groups)}
