"""Field definitions the apps' models repeat, written once.

Each returns a new field per call (a field belongs to one model); the
definitions are exactly those the migrations recorded, so using one changes
no schema.
"""

from typing import TYPE_CHECKING, Literal, TypeVar, overload

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from crm_site.accounts.models import ServiceUnit

if TYPE_CHECKING:
    from crm_site.accounts.models import User

M = TypeVar("M", bound=models.Model)


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


SERVICE_UNIT = _("service unit")


def unit_fk(
    related_name: str, *, verbose_name=SERVICE_UNIT
) -> "models.ForeignKey[ServiceUnit, ServiceUnit]":
    """The service unit a row belongs to, kept on the row: the unit scope
    (ScopedQuerySet.unit_path) and the per-unit figures read it. A unit that
    still has rows cannot be deleted (PROTECT)."""
    return models.ForeignKey(
        ServiceUnit, on_delete=models.PROTECT, related_name=related_name, verbose_name=verbose_name
    )


def events_of(to: type[M], verbose_name, **options) -> "models.ForeignKey[M, M]":
    """An event table's link to the object whose history it is (see
    core.models.EventBase): the object reads its timeline as `events`, and
    the timeline goes when the object is deleted."""
    return models.ForeignKey(
        to, on_delete=models.CASCADE, related_name="events", verbose_name=verbose_name, **options
    )


def edit_version():
    """The version an edit form was loaded from is checked against this one, which
    every edit through the services claims (crm_site.core.versioning): a form
    loaded before another person's save is refused, not applied over it."""
    return models.PositiveIntegerField(_("version"), default=0, editable=False)


def create_token():
    """The token of the "new" form that created the row: a resent form (the same
    token) finds this row instead of creating a second one."""
    return models.UUIDField(_("form token"), unique=True, null=True, blank=True, editable=False)
