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

A page whose batched statement is the same on every request but for its
values (the customer card, a list's page, the waybill search) may ask for it
to be planned once per connection (`plan_once=True`, see `_PlannedOnce`):
PostgreSQL spent longer planning the card's statement than running it.
"""

import enum
import functools
import hashlib
import json
import re
import uuid
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models import QuerySet
from django.db.models.base import ModelState
from django.db.models.signals import post_init, pre_init


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


def _sentinels(args: tuple, seed: int) -> tuple | None:
    """Values standing for `args` while a read's SQL is compiled, none equal to
    any other or to a constant the SQL might hold; None for an argument of
    another type."""
    out: list[Any] = []
    for i, arg in enumerate(args):
        n = seed * 100 + i + 1
        if isinstance(arg, bool) or arg is None:
            return None
        if isinstance(arg, int):
            out.append(1_900_000_000_000 + n)
        elif isinstance(arg, datetime):
            out.append(datetime(1901, 1, 1, tzinfo=UTC) + timedelta(seconds=n))
        elif isinstance(arg, date):
            out.append(date(1901, 1, 1) + timedelta(days=n))
        elif isinstance(arg, str):
            out.append(f"batch-sentinel-{n}")
        else:
            return None
    return tuple(out)


class prepared:  # noqa: N801 - used as a decorator
    """A read whose SQL is compiled once per process: `build(*args)` gives a
    `.values()` queryset whose shape does not depend on its arguments (ints,
    strings, dates and datetimes that only become parameters); calling the decorated
    function gives a Compiled read for rows_many with this call's parameters.
    Compiled with stand-in values twice, the SQL must come out the same and
    every argument must be found as a parameter of its own, or the read is
    compiled afresh on every call (as an ordinary queryset would be).

    `prepared_for_user`: the first argument is the user whose scope the read
    is limited to (`visible_to(user)`): it is passed as it is, and the read is
    compiled once per scope (crm_site.accounts.scope.scope_key: the user, the
    role that counts and the units, as read for this request)."""

    # Shapes kept per read at most; past that they are compiled afresh.
    LIMIT = 2048

    def __init__(self, build: Callable[..., QuerySet], *, for_user: bool = False):
        functools.update_wrapper(self, build)
        self.build = build
        self.for_user = for_user
        self.shapes: dict[tuple, Any] = {}

    def _shape(self, args: tuple, using: str, lead: tuple = ()):
        first, second = _sentinels(args, 1), _sentinels(args, 2)
        if first is None or second is None:
            return None
        try:
            sql1, params1, columns = _compiled(self.build(*lead, *first), using)
            sql2, params2, _columns = _compiled(self.build(*lead, *second), using)
        except EmptyResultSet:  # nothing in scope: read as an ordinary queryset
            return None
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
        lead: tuple = ()
        scope: tuple = ()
        if self.for_user:
            from crm_site.accounts.scope import scope_key

            lead, args = args[:1], args[1:]
            scope = (scope_key(lead[0]),)
        key = (queryset_db, *scope, *(type(arg) for arg in args))
        if key not in self.shapes:
            if len(self.shapes) >= self.LIMIT:
                self.shapes.clear()
            self.shapes[key] = self._shape(args, queryset_db, lead)
        shape = self.shapes[key]
        if shape is None:
            return self.build(*lead, *args)
        sql, slots, columns = shape
        params = [args[value] if is_arg else value for is_arg, value in slots]
        return Compiled(sql, params, columns, queryset_db)


def prepared_for_user(build: Callable[..., QuerySet]) -> prepared:
    """`prepared`, for a read whose first argument is the user it is scoped to."""
    return prepared(build, for_user=True)


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
    """A queryset to count (`queryset.count()`) among the reads of rows_many,
    or a prepared read (Compiled) whose rows to count."""

    def __init__(self, queryset: "QuerySet | Compiled"):
        self.queryset = queryset


_PLACEHOLDERS = re.compile("(%%|%s)")

# PostgreSQL's type of a value that stays a parameter of a planned-once
# statement: the type PostgreSQL gives the literal psycopg2 would otherwise
# have written (an integer literal is an integer, a bigint past its range; a
# number with a fraction is numeric), so that the statement means what it
# meant. A statement with a value of another type is run as it is.
_INT4 = range(-(2**31), 2**31)


def _parameter_type(value) -> str | None:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer" if value in _INT4 else "bigint"
    if isinstance(value, float | Decimal):
        return "numeric"
    if isinstance(value, str):
        return "text"
    if isinstance(value, datetime):
        return "timestamptz" if value.tzinfo is not None else "timestamp"
    if isinstance(value, date):
        return "date"
    if isinstance(value, uuid.UUID):
        return "uuid"
    return None


class _PlannedOnce:
    """The statements of one connection prepared on the server (PREPARE), so
    that each is parsed and planned once and then only run (EXECUTE): with
    PostgreSQL's default plan_cache_mode it plans the first five runs with
    their values and then keeps a generic plan unless that one is estimated
    dearer. A value that is a member of a choices enum (a status, a kind) is
    a constant of the code, not of the request: it is written into the
    statement so that the generic plan knows it. The PREPARE goes in the same
    round trip as the first EXECUTE. A connection keeps at most LIMIT
    statements (the least recently run is deallocated; each holds its parse
    tree and plan in the server's memory); after an error the connection's
    statements are dropped at the next use, as it is unknown whether the
    failed one was prepared. Off with DB_PREPARED_STATEMENTS=0 (a transaction
    pooler in between, which cannot keep them)."""

    LIMIT = 16

    def __init__(self, raw_connection):
        self.raw = raw_connection
        self.names: OrderedDict[str, None] = OrderedDict()
        self.unsure = False

    @classmethod
    def of(cls, connection) -> "_PlannedOnce":
        state = getattr(connection, "_crm_planned_once", None)
        if state is None or state.raw is not connection.connection:
            state = cls(connection.connection)
            connection._crm_planned_once = state
        return state

    @staticmethod
    def statement(cursor, sql: str, params: list) -> tuple[str, str, list] | None:
        """(name, the statement with $n placeholders and its types, values to
        pass) or None when a value has no parameter type here."""
        text: list[str] = []
        types: list[str] = []
        values: list[Any] = []
        given = iter(params)
        for token in _PLACEHOLDERS.split(sql):
            if token != "%s":  # text, or an escaped "%%" (the statement goes with values)
                text.append(token)
            elif isinstance(value := next(given), enum.Enum):
                literal = cursor.mogrify("%s", [value.value]).decode()
                text.append(literal.replace("%", "%%"))
            elif (kind := _parameter_type(value)) is None:
                return None
            else:
                types.append(kind)
                values.append(value)
                text.append(f"${len(values)}")
        body = "".join(text)
        signature = f"({', '.join(types)})" if types else ""
        name = "crm_" + hashlib.sha1(f"{signature}{body}".encode()).hexdigest()[:24]
        return name, f"{signature} AS {body}", values

    def execute(self, cursor, sql: str, params: list) -> None:
        planned = self.statement(cursor, sql, params)
        if planned is None:
            cursor.execute(sql, params)
            return
        name, definition, values = planned
        before = []
        if self.unsure:
            before.append("DEALLOCATE ALL")
            self.names.clear()
        if name in self.names:
            self.names.move_to_end(name)
        else:
            if len(self.names) >= self.LIMIT:
                before.append(f"DEALLOCATE {self.names.popitem(last=False)[0]}")
            before.append(f"PREPARE {name} {definition}")
        run = f"EXECUTE {name}({', '.join(['%s'] * len(values))})" if values else f"EXECUTE {name}"
        # Always with a list of values, so that psycopg2 reads "%%" as "%".
        try:
            cursor.execute("; ".join([*before, run]), values)
        except DatabaseError:
            self.unsure = True
            raise
        self.unsure = False
        self.names[name] = None


def _planned_once(connection) -> bool:
    return connection.vendor == "postgresql" and settings.DB_PREPARED_STATEMENTS


def rows_many(
    querysets: dict[str, "QuerySet | Counted | Compiled"], *, plan_once: bool = False
) -> dict[str, Any]:
    """{key: list(queryset)} for `.values()` querysets, and {key: count} for
    `Counted` ones, in one query (one database). `plan_once`: the statement is
    planned once per connection (_PlannedOnce) on PostgreSQL; for reads whose
    statement is the same on every request but for its values."""
    result: dict[str, Any] = {}
    parts: list[str] = []
    params: list[Any] = []
    shapes: list[tuple[str, list | None]] = []
    using = None
    for key, read in querysets.items():
        counted = isinstance(read, Counted)
        target = read.queryset if isinstance(read, Counted) else read
        using = using or target.db
        if isinstance(target, Compiled):
            sql, read_params, read_columns = target.sql, target.params, target.columns
        else:
            if counted and getattr(target, "_fields", None) is None:
                target = target.order_by().values("pk")
            try:
                sql, read_params, read_columns = _compiled(target, using)
            except EmptyResultSet:  # .none(), or an empty IN list
                result[key] = 0 if counted else []
                continue
        n = len(parts)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) c{n})::text" if counted else _rows_sql(sql, n))
        params.extend(read_params)
        shapes.append((key, None if counted else read_columns))
    if parts:
        connection = connections[using or DEFAULT_DB_ALIAS]
        with connection.cursor() as cursor:
            sql = "SELECT " + ", ".join(parts)
            if plan_once and _planned_once(connection):
                _PlannedOnce.of(connection).execute(cursor, sql, params)
            else:
                cursor.execute(sql, params)
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


@functools.cache
def _attnames(model) -> tuple[str, ...]:
    return tuple(field.attname for field in model._meta.concrete_fields)


def instance(model, row: dict, using: str = DEFAULT_DB_ALIAS):
    """A `model` instance as the ORM would load it from a row with some of its
    columns (by attname; the others deferred, as with `.only()`).

    What `Model.from_db` gives, without running `__init__` field by field: a
    loaded instance holds its columns in its `__dict__` (a deferred one is
    absent, and read on first use) and its `_state` says where it came from.
    A model with init signals' receivers goes through `from_db` itself."""
    names = [name for name in _attnames(model) if name in row]
    if pre_init.has_listeners(model) or post_init.has_listeners(model):
        return model.from_db(using, names, [row[name] for name in names])
    loaded = model.__new__(model)
    state = ModelState()
    state.adding = False
    state.db = using
    values = loaded.__dict__
    values["_state"] = state
    for name in names:
        values[name] = row[name]
    return loaded


@dataclass
class Pending:
    """A part of a page waiting for its rows: `build(rows)` makes its context
    from {key: rows of queries[key]}."""

    queries: Mapping[str, "QuerySet | Counted | Compiled"]
    build: Callable[[dict[str, list[dict]]], Any]


def resolve(pendings: list[Pending], *, plan_once: bool = False) -> list[Any]:
    """Run every pending part's queries in one round trip (planned once per
    connection with `plan_once`, see rows_many); their built contexts, in order."""
    batch = {
        f"{i}:{key}": queryset
        for i, pending in enumerate(pendings)
        for key, queryset in pending.queries.items()
    }
    rows = rows_many(batch, plan_once=plan_once) if batch else {}
    return [
        pending.build({key: rows[f"{i}:{key}"] for key in pending.queries})
        for i, pending in enumerate(pendings)
    ]


def resolve_one(pending: Pending) -> Any:
    return resolve([pending])[0]
