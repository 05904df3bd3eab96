"""Links of a filtered, sorted list page: its query string and column sort links."""


def query_string(request, **replace) -> str:
    """The request's query without the page number, with `replace` applied."""
    params = request.GET.copy()
    params.pop("page", None)
    for key, value in replace.items():
        params[key] = value
    return params.urlencode()


def sort_links(request, active: str, keys) -> dict:
    """Per sortable column: the link that sorts by it (again: the other way) and
    the current direction ("asc", "desc" or "")."""
    links = {}
    for key in keys:
        direction = "asc" if active == key else "desc" if active == f"-{key}" else ""
        target = f"-{key}" if active == key else key
        links[key] = {"url": "?" + query_string(request, sort=target), "dir": direction}
    return links
