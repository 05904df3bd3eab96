"""Several small reads in one round trip.

A page that shows a few short lists (the customer card: contacts, histories,
the sections other apps add) paid a query each, and on a busy database server
each round trip costs more than the read itself. Here each `.values()`
queryset's own SQL becomes a JSON subquery of one SELECT, so scope, filters,
order and limits stay exactly those of the queryset, and the rows come back as
the dicts `.values()` gives, with the same Python types.

`Pending` lets a page collect the reads of several parts (each part names its
querysets and how it builds its context from their rows) and run them all at
once with `resolve`.
"""

import functools
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet


def _floats(value):
    """A JSON field's value as json.loads gives it (numbers with a fraction are
    floats; the batch reads them as Decimal for the decimal columns)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list):
        return [_floats(item) for item in value]
    if isinstance(value, dict):
        return {key: _floats(item) for key, item in value.items()}
    return value


def _converter(field) -> Callable[[Any], Any] | None:
    """How a JSON value of `field` becomes what `.values()` gives, or None when
    JSON already gives it (text, integers, booleans)."""
    kind = field.get_internal_type()
    if kind == "JSONField":
        return _floats
    if kind in ("DateTimeField", "DateField", "TimeField", "UUIDField", "DecimalField"):
        return field.to_python
    if kind == "DurationField":
        return field.to_python
    return None


class Compiled:
    """A read compiled already: its SQL, params and columns (prepared())."""

    def __init__(self, sql: str, params: list, columns: list, db: str):
        self.sql, self.params, self.columns, self.db = sql, params, columns, db


def _sentinels(args: tuple, seed: int) -> tuple:
    """Values standing for `args` while a read's SQL is compiled, none equal to
    any other or to a constant the SQL might hold."""
    out: list[Any] = []
    for i, arg in enumerate(args):
        n = seed * 100 + i + 1
        if isinstance(arg, bool) or arg is None:
            return ()
        if isinstance(arg, int):
            out.append(1_900_000_000_000 + n)
        elif isinstance(arg, datetime):
            out.append(datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n))
        elif isinstance(arg, date):
            out.append(date(1901, 1, 1) + timedelta(days=n))
        else:
            return ()
    return tuple(out)


class prepared:  # noqa: N801 - used as a decorator
    """A read whose SQL is compiled once per process: `build(*args)` gives a
    `.values()` queryset whose shape does not depend on its arguments (ints,
    dates and datetimes that only become parameters); calling the decorated
    function gives a Compiled read for rows_many with this call's parameters.
    Compiled with stand-in values twice, the SQL must come out the same and
    every argument must be found as a parameter of its own, or the read is
    compiled afresh on every call (as an ordinary queryset would be)."""

    def __init__(self, build: Callable[..., QuerySet]):
        functools.update_wrapper(self, build)
        self.build = build
        self.shapes: dict[tuple, Any] = {}

    def _shape(self, args: tuple, using: str):
        first, second = _sentinels(args, 1), _sentinels(args, 2)
        if not first:
            return None
        sql1, params1, columns = _compiled(self.build(*first), using)
        sql2, params2, _columns = _compiled(self.build(*second), using)
        if sql1 != sql2 or len(params1) != len(params2):
            return None
        slots: list[tuple[bool, Any]] = []  # (is an argument, its index or the constant)
        for p1, p2 in zip(params1, params2, strict=True):
            if p1 in first:
                if p2 != second[first.index(p1)]:
                    return None
                slots.append((True, first.index(p1)))
            elif p1 == p2 and p1 not in second:
                slots.append((False, p1))
            else:
                return None
        if {index for is_arg, index in slots if is_arg} != set(range(len(args))):
            return None
        return sql1, slots, columns

    def __call__(self, *args) -> "Compiled | QuerySet":
        queryset_db = DEFAULT_DB_ALIAS
        key = (queryset_db, *(type(arg) for arg in args))
        if key not in self.shapes:
            self.shapes[key] = self._shape(args, queryset_db)
        shape = self.shapes[key]
        if shape is None:
            return self.build(*args)
        sql, slots, columns = shape
        params = [args[value] if is_arg else value for is_arg, value in slots]
        return Compiled(sql, params, columns, queryset_db)


def _compiled(queryset: QuerySet, using: str):
    """The queryset's SQL and params, and (alias, converter) per selected column."""
    compiler = queryset.query.get_compiler(using=using)
    sql, params = compiler.as_sql()
    columns = []
    for expression, _sql, alias in compiler.select:
        field = getattr(expression, "output_field", None) or getattr(expression, "field", None)
        columns.append((alias, _converter(field) if field is not None else None))
    return sql, params, columns


def _rows_sql(sql: str, n: int) -> str:
    # The rows keep the queryset's order: numbered as they come out of it.
    return (
        f"(SELECT COALESCE(json_agg(to_json(r{n}) ORDER BY r{n}.batch_row), '[]')::text"
        f" FROM (SELECT s{n}.*, row_number() OVER () AS batch_row FROM ({sql}) s{n}) r{n})"
    )


class Counted:
    """A queryset to count (`queryset.count()`) among the reads of rows_many."""

    def __init__(self, queryset: QuerySet):
        self.queryset = queryset


def rows_many(querysets: dict[str, "QuerySet | Counted | Compiled"]) -> dict[str, Any]:
    """{key: list(queryset)} for `.values()` querysets, and {key: count} for
    `Counted` ones, in one query (one database)."""
    result: dict[str, Any] = {}
    parts: list[str] = []
    params: list[Any] = []
    shapes: list[tuple[str, list | None]] = []
    using = None
    for key, read in querysets.items():
        if isinstance(read, Compiled):
            using = using or read.db
            n = len(parts)
            parts.append(_rows_sql(read.sql, n))
            params.extend(read.params)
            shapes.append((key, read.columns))
            continue
        queryset = read.queryset if isinstance(read, Counted) else read
        using = using or queryset.db
        if isinstance(read, Counted):
            queryset = (
                queryset.order_by().values("pk")
                if getattr(queryset, "_fields", None) is None
                else queryset
            )
        try:
            sql, qs_params, columns = _compiled(queryset, using)
        except EmptyResultSet:  # .none(), or an empty IN list
            result[key] = 0 if isinstance(read, Counted) else []
            continue
        n = len(parts)
        if isinstance(read, Counted):
            parts.append(f"(SELECT COUNT(*) FROM ({sql}) c{n})::text")
            params.extend(qs_params)
            shapes.append((key, None))
            continue
        parts.append(_rows_sql(sql, n))
        params.extend(qs_params)
        shapes.append((key, columns))
    if parts:
        with connections[using or DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(parts), params)
            texts = cursor.fetchone()
        for (key, columns), text in zip(shapes, texts, strict=True):
            if columns is None:
                result[key] = int(text)
                continue
            rows = []
            for item in json.loads(text, parse_float=Decimal):
                row = {}
                for alias, convert in columns:
                    value = item[alias]
                    row[alias] = (
                        convert(value) if convert is not None and value is not None else value
                    )
                rows.append(row)
            result[key] = rows
    return result


def instance(model, row: dict, using: str = DEFAULT_DB_ALIAS):
    """A `model` instance as the ORM would load it from a row with some of its
    columns (by attname; the others deferred, as with `.only()`)."""
    names = [f.attname for f in model._meta.concrete_fields if f.attname in row]
    return model.from_db(using, names, [row[name] for name in names])


@dataclass
class Pending:
    """A part of a page waiting for its rows: `build(rows)` makes its context
    from {key: rows of queries[key]}."""

    queries: Mapping[str, "QuerySet | Counted | Compiled"]
    build: Callable[[dict[str, list[dict]]], Any]


def resolve(pendings: list[Pending]) -> list[Any]:
    """Run every pending part's queries in one round trip; their built contexts,
    in order."""
    batch = {
        f"{i}:{key}": queryset
        for i, pending in enumerate(pendings)
        for key, queryset in pending.queries.items()
    }
    rows = rows_many(batch) if batch else {}
    return [
        pending.build({key: rows[f"{i}:{key}"] for key in pending.queries})
        for i, pending in enumerate(pendings)
    ]


def resolve_one(pending: Pending) -> Any:
    return resolve([pending])[0]
