"""List pages: the page of rows (one paginator for every list), the query string
and the column sort links."""

from functools import cached_property

from django.core.paginator import Page, Paginator

# Counting stops here on the capped lists (CappedPaginator).
COUNT_CAP = 10_000


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


def active_params(request, *, exclude=("page",)) -> dict:
    """The request's non-empty query parameters, without the page number: what
    a list's "filtered" flag and its page links carry."""
    return {k: v for k, v in request.GET.items() if k not in exclude and v}


class CappedPaginator(Paginator):
    """A paginator whose count stops at `cap` (one bounded COUNT query): past it
    the list says "10,000+" and asks for a filter, so the first and the last page
    cost the same on a large table."""

    cap = COUNT_CAP

    def __init__(self, object_list, per_page, *, count_source=None, count_column=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        # What to count: the rows without their display-only columns, counting
        # one column (the primary key unless told; a column the filter's indexes
        # cover lets the database count by an index-only scan).
        self.count_source = object_list if count_source is None else count_source
        self.count_column = count_column
        self.capped = False

    @cached_property
    def count(self) -> int:
        rows = self.count_source.order_by()
        if self.count_column:
            rows = rows.values(self.count_column)
        counted = rows[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def paginate(request, items, per_page: int, *, capped: bool = False, number=None) -> Page:
    """The page of `items` the request asks for (?page=; a bad or too large number
    gives the first or the last page). `capped` counts at most COUNT_CAP rows; the
    page's paginator then tells `capped` and `cap`. `number` overrides ?page=."""
    paginator_class = CappedPaginator if capped else Paginator
    if number is None:
        number = request.GET.get("page")
    return paginator_class(items, per_page).get_page(number)
