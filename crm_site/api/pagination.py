from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    """Pages by an opaque cursor over the primary key (indexed and unique), newest
    first: the 1,000th page costs what the first does, and rows added meanwhile
    neither repeat nor vanish."""

    ordering = "-id"
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 100
