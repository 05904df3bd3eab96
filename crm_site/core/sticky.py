"""Sticky list filters: each list remembers the user's last filters.

Opening a list with no query string (from the menu, a breadcrumb, after
saving) brings back the filters last used on it in this session, by a redirect
so the address shows them and an export link carries them. `?reset=1` forgets
them and shows the list unfiltered. The page number is not remembered: a list
reopened starts at its first page.
"""

from django.http import HttpResponseRedirect
from django.utils.http import urlencode

from . import registry

SESSION_PREFIX = "sticky_filters:"
RESTORED_KEY = "sticky_filters_restored"
RESET_PARAM = "reset"
# Parameters that are not a filter: where you are in the list, or a one-off.
NOT_REMEMBERED = {"page", RESET_PARAM}


def remembered_params(query) -> list[list[str]]:
    """The non-empty filter parameters of a QueryDict, in their order."""
    return [
        [key, value]
        for key, values in query.lists()
        if key not in NOT_REMEMBERED
        for value in values
        if value != ""
    ]


def forget(request, *names: str) -> None:
    """Drop these parameters from what the current list remembers: a one-off
    the view acted on (a search that jumped straight to one record) must not
    bring the user back there each time the list is reopened."""
    match = request.resolver_match
    if match is None or not hasattr(request, "session"):
        return
    key = SESSION_PREFIX + match.view_name
    stored = request.session.get(key)
    if not stored:
        return
    kept = [pair for pair in stored if pair[0] not in names]
    if kept:
        request.session[key] = kept
    else:
        request.session.pop(key, None)


class StickyFiltersMiddleware:
    """Remember and restore the filters of the lists registered as sticky
    (crm_site.core.registry, each app's AppConfig.ready())."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if (
            request.method != "GET"
            or match is None
            or not registry.is_sticky_filter_view(match.view_name)
            or not request.user.is_authenticated
        ):
            return None
        key = SESSION_PREFIX + match.view_name
        request.sticky_filters = {"reset_url": f"{request.path}?{RESET_PARAM}=1"}
        if RESET_PARAM in request.GET:
            request.session.pop(key, None)
            return HttpResponseRedirect(request.path)
        if not request.GET:
            stored = request.session.get(key)
            if stored:
                request.session[RESTORED_KEY] = match.view_name
                return HttpResponseRedirect(f"{request.path}?{urlencode(stored)}")
            return None
        params = remembered_params(request.GET)
        if params:
            if request.session.get(key) != params:
                request.session[key] = params
        else:
            request.session.pop(key, None)
        request.sticky_filters["restored"] = (
            request.session.pop(RESTORED_KEY, None) == match.view_name
        )
        return None
