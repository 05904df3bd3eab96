"""Where to go after signing in when `next` names an address that only takes POST.

A form sent after the session expired is redirected to the sign-in page with
`next` set to the form's target (/complaints/5/do/resolve/). Opening that
address after signing in would be a GET on a POST-only view: an empty 405
page. The page that holds the form is one of the addresses above it
(/complaints/5/), so the first one that answers GET is opened instead; what
was typed is restored there from the copy kept on the device (drafts.js).
"""

import inspect
from urllib.parse import urlsplit

from django.urls import Resolver404, resolve


def _allowed_methods(func) -> set[str] | None:
    """The HTTP methods a resolved view accepts, or None for "any".

    Class-based views say it with their handlers; function views wrapped in
    require_POST / require_http_methods keep the list in the wrapper's
    closure, which is read down the chain of functools.wraps decorators.
    """
    view_class = getattr(func, "view_class", None)
    if view_class is not None:
        return {m.upper() for m in view_class.http_method_names if hasattr(view_class, m)}
    seen = 0
    while func is not None and seen < 20:
        seen += 1
        if getattr(func, "__closure__", None):
            methods = inspect.getclosurevars(func).nonlocals.get("request_method_list")
            if methods is not None:
                return {m.upper() for m in methods}
        func = getattr(func, "__wrapped__", None)
    return None


def accepts_get(path: str) -> bool:
    """Whether `path` resolves to a view that answers GET."""
    try:
        match = resolve(path)
    except Resolver404:
        return False
    methods = _allowed_methods(match.func)
    return methods is None or "GET" in methods


def page_for(url: str, fallback: str) -> str:
    """`url` if a GET can open it; else the nearest address above it that can
    (the object's page for a step posted from it); `fallback` if none."""
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return url  # a checked absolute address: not ours to walk
    path = parts.path
    if accepts_get(path):
        return url
    segments = [s for s in path.split("/") if s]
    while segments:
        segments.pop()
        parent = "/" + "/".join(segments) + ("/" if segments else "")
        if accepts_get(parent):
            return parent
    return fallback
