"""What the apps plug into shared pages and jobs, registered in AppConfig.ready().

Each app's apps.py registers its own contributions by dotted path (imported
when first used, so registering imports nothing). The core and the site code
read the registries and never name an app.

- home panels: `f(request) -> dict | None`, a box on the role home (the
  `home_panel` decorator adds its template and width, and who sees it);
- navigation badges: `f(request) -> dict | None` (url, label, icon, tone,
  count; `count` and `alert` may be querysets, context_processors.navigation);
- customer card sections: `f(request, customer) -> dict | None` with "template"
  (`batched_card_section` lets a section's reads go with the card's in one
  round trip);
- outlet page sections: `f(request, outlet) -> dict | None` with "template" and
  optionally "figures" for the page's head: (label, value, url, tone) tuples;
- exporters: `write(*, user, params, stream, progress=None, request=None) ->
  (rows, filename)` by kind, with the validated filters as params
  (crm_site.core.exports);
- handoffs: a workflow's `crm_site.core.handoff.Handoff` (whose move each
  state is), read by the "awaiting me" home panel and by `transition()`;
- sticky filter views: URL names of the lists that remember their filters
  (crm_site.core.sticky).

`position` fixes where an entry shows, whatever the order the apps load in.
"""

import contextlib
import functools

from django.utils.module_loading import import_string


class Providers:
    """Dotted paths of functions, kept in the order of their position."""

    def __init__(self, name: str):
        self.name = name
        self._entries: dict[str, int] = {}

    def register(self, path: str, *, position: int) -> None:
        self._entries[path] = position

    def paths(self) -> list[str]:
        return sorted(self._entries, key=self._entries.__getitem__)

    def functions(self) -> list:
        return [import_string(path) for path in self.paths()]

    def __contains__(self, path: str) -> bool:
        return path in self._entries

    @contextlib.contextmanager
    def replaced(self, paths: list[str]):
        """Tests: only these providers, in this order, for the block."""
        saved = self._entries
        self._entries = {path: i for i, path in enumerate(paths)}
        try:
            yield self
        finally:
            self._entries = saved


home_panels = Providers("home panels")
nav_badges = Providers("navigation badges")
customer_card_sections = Providers("customer card sections")
outlet_page_sections = Providers("outlet page sections")
handoffs = Providers("handoffs")

_exporters: dict[str, str] = {}
_sticky_filter_views: set[str] = set()


def register_home_panel(path: str, *, position: int) -> None:
    home_panels.register(path, position=position)


def home_panel(template: str, *, width: int, at_least=None, roles: tuple = ()):
    """Make `f(request) -> dict | None` (the panel's own context) a home panel:
    shown to users at least `at_least`, or of one of `roles`, with `template`
    in `width` of the page's 12 columns."""

    def decorate(build):
        @functools.wraps(build)
        def panel(request):
            user = request.user
            if not (user.is_at_least(at_least) if at_least else user.has_role(*roles)):
                return None
            context = build(request)
            return None if context is None else {"template": template, "width": width, **context}

        return panel

    return decorate


def register_handoff(path: str, *, position: int) -> None:
    handoffs.register(path, position=position)


def register_nav_badge(path: str, *, position: int) -> None:
    nav_badges.register(path, position=position)


def register_customer_card_section(path: str, *, position: int) -> None:
    customer_card_sections.register(path, position=position)


def batched_card_section(pending):
    """Make `pending(request, customer) -> batch.Pending | None` (its reads, and
    how the section's dict is built from their rows) a card section: called
    alone it reads and builds at once; the card runs the reads of all such
    sections, and its own, in one round trip (`section.pending`)."""
    from crm_site.core import batch

    @functools.wraps(pending)
    def section(request, customer):
        waiting = pending(request, customer)
        return None if waiting is None else batch.resolve_one(waiting)

    section.pending = pending
    return section


def register_outlet_page_section(path: str, *, position: int) -> None:
    outlet_page_sections.register(path, position=position)


def register_exporter(kind: str, path: str) -> None:
    _exporters[kind] = path


def exporter_kinds() -> set[str]:
    return set(_exporters)


def exporter(kind: str):
    """The write function of an export kind (KeyError if none is registered)."""
    return import_string(_exporters[kind])


def register_sticky_filter_view(view_name: str) -> None:
    _sticky_filter_views.add(view_name)


def is_sticky_filter_view(view_name: str) -> bool:
    return view_name in _sticky_filter_views
