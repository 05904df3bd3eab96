"""A filtered, sorted list page: the page of rows (one helper for every list, capped
or not), its query string and column sort links."""

from collections.abc import Callable, Iterable
from functools import cached_property
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, QueryDict

from crm_site.core import batch

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


def capped_page(
    request: HttpRequest,
    items: Any,
    per_page: int,
    *,
    count_source: QuerySet[Any],
    count_column: str | None = None,
    rows: Callable[[Any], list[Any]] = list,
    number: Any = None,
    also: Iterable[batch.Pending] = (),
) -> Page:  # type: ignore[type-arg]  # not subscriptable at run time
    """paginate(capped=True) in one round trip when the page asked for is there
    (nearly always): the capped count and that page's rows (`items[a:b]`, a
    `.values()` queryset) are read together (crm_site.core.batch), then the
    rows go through `rows`; the reads of `also` go with them (every other case
    reads them alone). A bad or too large page number falls back to paginate's
    way: count, then read the page it gives."""
    return paged(
        items,
        per_page,
        number=request.GET.get("page") if number is None else number,
        count_source=count_source,
        count_column=count_column,
        rows=rows,
        also=also,
        cap=CappedPaginator.cap,
    )


def paged(
    items: Any,
    per_page: int,
    *,
    number: Any,
    count_source: QuerySet[Any],
    count_column: str | None = None,
    rows: Callable[[Any], list[Any]] = list,
    also: Iterable[batch.Pending] = (),
    cap: int | None = None,
) -> Page:  # type: ignore[type-arg]  # not subscriptable at run time
    """Page `number` of `items` (a `.values()` queryset) with its count (up to
    `cap` rows when given: CappedPaginator) and the reads of `also`, all in one
    round trip when the page asked for is there; the rows go through `rows`. A
    bad or too large page number gives the first or the last page, read after
    the count, as paginate does."""
    paginator: Paginator  # type: ignore[type-arg]  # not subscriptable at run time
    if cap is None:
        paginator = Paginator(items, per_page)
    else:
        paginator = CappedPaginator(
            items, per_page, count_source=count_source, count_column=count_column
        )
        paginator.cap = cap
    try:
        wanted = int(number) if number not in (None, "") else 1
    except (TypeError, ValueError):
        wanted = 0
    if wanted >= 1:
        counted = count_source.order_by()
        if count_column:
            counted = counted.values(count_column)
        if cap is not None:
            counted = counted[: cap + 1]
        bottom = (wanted - 1) * paginator.per_page
        page_reads = {
            "count": batch.Counted(counted),
            "rows": items[bottom : bottom + paginator.per_page],
        }
        found, *_also = batch.resolve(
            [batch.Pending(page_reads, lambda found: found), *also], plan_once=True
        )
        total = found["count"]
        if cap is not None:
            paginator.capped = total > cap  # type: ignore[attr-defined]
            total = min(total, cap)
        paginator.__dict__["count"] = total
        if wanted <= paginator.num_pages:
            return Page(rows(found["rows"]), wanted, paginator)
    else:
        batch.resolve(list(also))
    page = paginator.get_page(number)
    page.object_list = rows(page.object_list)
    return page


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


def sorted_list_context(
    request: HttpRequest,
    filterset: Any,
    rows: Any = None,
    *,
    per_page: int = 0,
    sort_keys: Any,
    page: Page | None = None,  # type: ignore[type-arg]  # not subscriptable at run time
) -> dict[str, Any]:
    """The context of a filtered, sortable, paginated list page: the filter
    set, the page (`page`, or `rows` paginated by `per_page`), the query for
    the page links, the column sort links and whether any filter is given."""
    return {
        "filter": filterset,
        "page_obj": page if page is not None else paginate(request, rows, per_page),
        "query_string": query_string(request),
        "sort_links": sort_links(request, filterset.active_sort(), sort_keys),
        "filters_active": bool(active_params(request, exclude=("page", "sort"))),
    }


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
