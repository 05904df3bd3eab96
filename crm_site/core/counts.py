"""Several COUNT(*)s in one round trip.

Every page's top bar shows a few counts (unread notifications, reports awaiting
review, open urgent reports). Run one by one they were a query each on every
page; here each queryset's own SQL becomes a scalar subquery of one SELECT, so
scope and filters stay exactly those of the queryset.
"""

from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


def count_many(querysets: dict[str, QuerySet[Any]]) -> dict[str, int]:
    """{key: queryset.count()} for every key, in one query (querysets of one database)."""
    counts: dict[str, int] = {}
    parts: list[str] = []
    params: list[Any] = []
    keys: list[str] = []
    using = None
    for key, queryset in querysets.items():
        using = using or queryset.db
        try:
            sql, qs_params = (
                queryset.order_by().values("pk").query.get_compiler(using=using).as_sql()
            )
        except EmptyResultSet:  # .none(), or an empty IN list
            counts[key] = 0
            continue
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) AS counted_{len(parts)})")
        params.extend(qs_params)
        keys.append(key)
    if parts:
        with connections[using or DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            counts.update(zip(keys, (int(n) for n in cursor.fetchone()), strict=True))
    return counts
