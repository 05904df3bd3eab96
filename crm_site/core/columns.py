"""A column of another table's row, read as a scalar subquery of a query.

`ColumnOf(Customer, "customer_id")` is the name of the customer a row points
to, as `(SELECT name FROM customers_customer WHERE id = <the row's
customer_id>)`: NULL when there is none, as a left join gives. A list that
shows a few names of rows it does not filter on reads them this way rather
than by joining their tables: every joined table more is weighed by the
planner (for a page of a few dozen rows, planning the joins took longer than
reading the rows), and the expression costs Django less to build and compile
than `Subquery(OuterRef(...))` (no inner queryset).
"""

from typing import Any

from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Expression, F, Field, Func, Model
from django.db.models.sql.compiler import SQLCompiler


class ColumnOf(Func):
    """`field` (a column of `model`, "name" unless told) of the `model` row whose
    `key` ("pk" unless told) equals `value`: a column of the outer row (a name
    or a path, "report__unit_id") or an expression (Value(...))."""

    def __init__(
        self, model: type[Model], value: str | Expression, field: str = "name", key: str = "pk"
    ) -> None:
        meta = model._meta
        target = meta.get_field(field)
        lookup = meta.pk if key == "pk" else meta.get_field(key)
        assert isinstance(target, Field) and isinstance(lookup, Field), (field, key)
        self.target_table = meta.db_table
        self.target_column = str(target.column)
        self.key_column = str(lookup.column)
        outer = F(value) if isinstance(value, str) else value
        super().__init__(outer, output_field=target)

    def as_sql(
        self,
        compiler: SQLCompiler,
        connection: BaseDatabaseWrapper,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        quote = connection.ops.quote_name
        alias = quote(f"{self.target_table}_of")
        template = template or (
            f"(SELECT {alias}.{quote(self.target_column)} FROM {quote(self.target_table)}"
            f" {alias} WHERE {alias}.{quote(self.key_column)} = %(expressions)s)"
        )
        return super().as_sql(compiler, connection, function, template, arg_joiner, **extra_context)
