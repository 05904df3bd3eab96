"""Field definitions the apps' models repeat, written once.

Each returns a new field per call (a field belongs to one model); the
definitions are exactly those the migrations recorded, so using one changes
no schema.
"""

from typing import TYPE_CHECKING, Literal, overload

from django.conf import settings
from django.db import models

if TYPE_CHECKING:
    from crm_site.accounts.models import User


@overload
def user_fk(
    verbose_name, *, related_name: str = ..., optional: Literal[True] = ...
) -> "models.ForeignKey[User | None, User | None]": ...


@overload
def user_fk(
    verbose_name, *, related_name: str = ..., optional: Literal[False]
) -> "models.ForeignKey[User, User]": ...


def user_fk(verbose_name, *, related_name: str = "+", optional: bool = True):
    """A link to a user: who did something to the row or is responsible for it.

    Optional (the default): the row outlives the user (SET NULL), as for the
    "created by", "reviewed by" or "approved by" of a record. Required: the
    user cannot be deleted while the row names them (PROTECT), as for the
    author of a visit or a survey. `related_name` "+" gives the user no
    reverse accessor, which is what most of these links want.
    """
    if optional:
        return models.ForeignKey(
            settings.AUTH_USER_MODEL,
            on_delete=models.SET_NULL,
            null=True,
            blank=True,
            related_name=related_name,
            verbose_name=verbose_name,
        )
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name=related_name,
        verbose_name=verbose_name,
    )
