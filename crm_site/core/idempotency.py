"""Create-once by a form's idempotency token (see core.forms.IdempotentFormMixin).

A create form carries a hidden random token, stored in a unique column of the
row it creates. A resent POST (a double click, a retry after a timeout) finds
the row the first one created instead of creating a second one.
"""

import uuid
from collections.abc import Callable
from typing import TypeVar

from django.db import IntegrityError, models, transaction

T = TypeVar("T", bound=models.Model)


def first_by_token(
    model: type[T], token: uuid.UUID | None, *, field: str = "form_token"
) -> T | None:
    """The row created with `token`, or None (always None without a token)."""
    if token is None:
        return None
    return model._default_manager.filter(**{field: token}).first()


def create_once(
    model: type[T],
    token: uuid.UUID | None,
    create: Callable[[], T],
    *,
    field: str = "form_token",
) -> tuple[T, bool]:
    """(row, created): the row made with `token` if there is one, else what
    `create()` makes in its own transaction. Two requests with one token at
    the same moment: the unique column refuses the second, which then returns
    the first one's row."""
    existing = first_by_token(model, token, field=field)
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return create(), True
    except IntegrityError:
        existing = first_by_token(model, token, field=field)
        if existing is None:
            raise
        return existing, False
