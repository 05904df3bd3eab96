"""A filtered, sorted list page: the page of rows (one helper for every list, capped
or not), its query string and column sort links."""

from collections.abc import Iterable
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

# Counting stops here: past it the list says "10,000+" and asks for a filter,
# so the first and the last page cost the same on a book of 100,000.
COUNT_CAP = 10_000


class CappedPaginator(Paginator):  # type: ignore[type-arg]  # not subscriptable at run time
    """A paginator whose count stops at COUNT_CAP (one bounded COUNT query)."""

    cap = COUNT_CAP

    def __init__(
        self,
        object_list: Any,
        per_page: int | str,
        *,
        count_source: QuerySet[Any] | None = None,
        count_column: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(object_list, per_page, **kwargs)
        # The rows without their display-only columns (a count need not compute
        # a subquery per row), counting one column (the primary key unless told:
        # a column that the filter indexes cover lets the database count by an
        # index-only scan).
        self.count_source = object_list if count_source is None else count_source
        self.count_column = count_column

    @cached_property
    def count(self) -> int:
        rows = self.count_source.order_by()
        if self.count_column:
            rows = rows.values(self.count_column)
        counted: int = rows[: self.cap + 1].count()
        self.capped = counted > self.cap
        return min(counted, self.cap)


def query_string(request: HttpRequest, **replace: str) -> str:
    """The request's query without the page number, with `replace` applied."""
    params: QueryDict = request.GET.copy()
    params.pop("page", None)
    for key, value in replace.items():
        params[key] = value
    return params.urlencode()


def sort_links(request: HttpRequest, active: str, keys: Iterable[str]) -> dict[str, dict[str, str]]:
    """Per sortable column: the link that sorts by it (again: the other way) and
    the current direction ("asc", "desc" or "")."""
    links: dict[str, dict[str, str]] = {}
    for key in keys:
        direction = "asc" if active == key else "desc" if active == f"-{key}" else ""
        target = f"-{key}" if active == key else key
        links[key] = {"url": "?" + query_string(request, sort=target), "dir": direction}
    return links


def active_params(request: HttpRequest, *, exclude: Iterable[str] = ("page",)) -> dict[str, str]:
    """The request's non-empty query parameters, without the page number: what
    a list's "filtered" flag and its page links carry."""
    skipped = set(exclude)
    params: dict[str, str] = {}
    for key in request.GET:
        value = request.GET.get(key)
        if key not in skipped and value:
            params[key] = str(value)
    return params


def paginate(
    request: HttpRequest,
    items: Any,
    per_page: int,
    *,
    capped: bool = False,
    number: Any = None,
    **options: Any,
) -> Page:  # type: ignore[type-arg]  # not subscriptable at run time
    """The page of `items` the request asks for (?page=; a bad or too large number
    gives the first or the last page). `capped` counts at most COUNT_CAP rows
    (CappedPaginator: the page's paginator then tells `capped` and `cap`).
    `number` stands for ?page= (a second list on the same page); `options` go to
    the paginator (CappedPaginator's count_source, count_column)."""
    paginator_class = CappedPaginator if capped else Paginator
    if number is None:
        number = request.GET.get("page")
    return paginator_class(items, per_page, **options).get_page(number)
