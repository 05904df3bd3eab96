"""Refuse a stale edit instead of overwriting a colleague's change silently.

A shared record (a customer card, a contact, a complaint's findings, a
summary's commentary ...) has a `version` column. Its edit form carries, in
hidden fields, the version it was loaded from and a short digest of each
field's value as loaded (VersionedFormMixin). The service that writes the
record claims the next version in its transaction by a conditional

    UPDATE … SET version = version + 1 WHERE pk = … AND version = <loaded>

(claim_version): no row means someone saved in between, and StaleEdit (a
ValidationError) is raised with the record as stored now and who saved it.
The form then names the fields that changed since it was loaded, with the
other person's values, and keeps the user's input so they can check it and
save again (the re-rendered form carries the new version).

A record type adopts it with a `version` column, the mixin on its edit form
and `claim_version(record, version, history=…)` in its update service.
"""

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object

VALUE_CHARS = 60  # a changed value is quoted up to this length in the message


@dataclass(frozen=True)
class LastChange:
    """Who saved the record last, and when (either may be unknown)."""

    actor: Any = None
    at: datetime | None = None


class StaleEdit(ValidationError):
    """The record was saved by someone else after the form was loaded.

    `record` is the record as stored now; `changes` lists (label, value) of
    what differs from the loaded form when the service knows it (a form
    fills it in from its digests otherwise, VersionedFormMixin.stale_edit).
    """

    def __init__(
        self,
        *,
        record: models.Model | None,
        last: LastChange,
        changes: Iterable[tuple[str, str]] = (),
    ):
        self.record = record
        self.last = last
        self.changes = list(changes)
        super().__init__(stale_message(last=last, changes=self.changes), code="stale")


def _person(actor) -> str:
    if actor is None:
        return _("Someone else")
    name = actor.get_full_name() if hasattr(actor, "get_full_name") else ""
    return name or str(actor)


def stale_message(*, last: LastChange, changes: Iterable[tuple[str, str]]) -> str:
    """The refusal in the user's language: who saved, when, and what changed."""
    person = _person(last.actor)
    if last.at is not None:
        said = _("%(person)s saved this record at %(time)s, after you opened the form.") % {
            "person": person,
            "time": timezone.localtime(last.at).strftime("%Y-%m-%d %H:%M"),
        }
    else:
        said = _("%(person)s saved this record after you opened the form.") % {"person": person}
    changes = list(changes)
    if changes:
        # Translators: between two changed fields in the message of a refused stale save.
        listed = _("; ").join(
            _("%(field)s: “%(value)s”") % {"field": label, "value": value}
            for label, value in changes
        )
        said += " " + _("Their values: %(changes)s.") % {"changes": listed}
    return (
        said
        + " "
        + _(
            "Your changes were not saved; they are still in the form. Check them against "
            "the values above and save again."
        )
    )


def last_change(record: models.Model, history=None) -> LastChange:
    """The newest row of `history` (an EventBase queryset: actor, at), else the
    record's own updated_at."""
    if history is not None:
        row = history.select_related("actor").order_by("-at", "-pk").first()
        if row is not None:
            return LastChange(actor=row.actor, at=row.at)
    return LastChange(at=getattr(record, "updated_at", None))


def claim_version(
    record: models.Model, loaded: int | None, *, history=None, field: str = "version"
) -> None:
    """Move `record` to its next version, inside the caller's transaction.

    With `loaded` (the version the form was loaded from), only if the stored
    version is still that one; otherwise StaleEdit. Without it (an import,
    a caller with no form), unconditionally: a form loaded before still sees
    the change. The conditional UPDATE also locks the row until the commit.
    """
    manager = type(record)._default_manager
    rows = manager.filter(pk=record.pk)
    if loaded is not None:
        rows = rows.filter(**{field: loaded})
    if not rows.update(**{field: F(field) + 1}):
        current = manager.filter(pk=record.pk).first()
        raise StaleEdit(record=current, last=last_change(current or record, history))
    setattr(record, field, manager.filter(pk=record.pk).values_list(field, flat=True).get())


def value_digest(value) -> str:
    """A short, stable digest of a field's stored value (ids for related rows)."""
    if isinstance(value, models.Model):
        value = value.pk
    elif isinstance(value, list | tuple | set | models.QuerySet):
        value = sorted(str(v.pk if isinstance(v, models.Model) else v) for v in value)
    return hashlib.sha256(repr(value).encode()).hexdigest()[:10]


def display_value(record: models.Model, name: str) -> str:
    """A stored field's value as a person reads it (labels of choices, names of rows)."""
    field = record._meta.get_field(name)
    if field.many_to_many:
        text = "、".join(str(row) for row in getattr(record, name).all())
    elif getattr(field, "choices", None):
        text = str(getattr(record, f"get_{name}_display")())
    else:
        value = getattr(record, name)
        if isinstance(value, bool):
            text = _("Yes") if value else _("No")
        else:
            text = "" if value is None else str(value)
    if not text:
        return _("(empty)")
    return text if len(text) <= VALUE_CHARS else text[: VALUE_CHARS - 1] + "…"


class VersionedFormMixin(_FormBase):
    """Hidden `version` and `version_digest` fields: the record's version and
    its fields' digests as loaded. The record is `self.<record_attr>` (the
    instance of a ModelForm by default); the digested fields are the form's
    fields that are also fields of the record's model."""

    record_attr = "instance"
    version_field = "version"
    digest_field = "version_digest"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.version_field] = forms.IntegerField(
            widget=forms.HiddenInput, required=False, min_value=0
        )
        self.fields[self.digest_field] = forms.CharField(
            widget=forms.HiddenInput, required=False, max_length=4000
        )
        record = self.versioned_record()
        if not self.is_bound and record is not None and record.pk:
            self.initial[self.version_field] = getattr(record, self.version_field)
            self.initial[self.digest_field] = self._digests_text(record)

    def versioned_record(self) -> models.Model | None:
        return getattr(self, self.record_attr, None)

    def loaded_version(self) -> int | None:
        """The version the form was loaded from (None: a form without one)."""
        return self.cleaned_data.get(self.version_field)

    def _versioned_names(self, record) -> list[str]:
        names = []
        for name in self.fields:
            if name in (self.version_field, self.digest_field):
                continue
            try:
                field = record._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if (field.concrete or field.many_to_many) and field.editable:
                names.append(name)
        return names

    def _digests(self, record) -> dict[str, str]:
        result = {}
        for name in self._versioned_names(record):
            field = record._meta.get_field(name)
            value = (
                list(getattr(record, name).all())
                if field.many_to_many
                else field.value_from_object(record)
            )
            result[name] = value_digest(value)
        return result

    def _digests_text(self, record) -> str:
        return ",".join(f"{k}={v}" for k, v in self._digests(record).items())

    def stale_edit(self, exc: StaleEdit) -> None:
        """Say the refusal on the form, with the fields that changed since it was
        loaded, and carry the new version so that saving again goes through."""
        record = exc.record
        changes = list(exc.changes)
        if record is not None and not changes:
            posted = self.data.get(self.add_prefix(self.digest_field)) or ""
            loaded = dict(pair.split("=", 1) for pair in posted.split(",") if "=" in pair)
            for name, digest in self._digests(record).items():
                if loaded.get(name, digest) != digest:
                    label = self.fields[name].label or name
                    changes.append((str(label), display_value(record, name)))
        self.add_error(None, stale_message(last=exc.last, changes=changes))
        if record is not None:
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data[self.add_prefix(self.version_field)] = str(getattr(record, self.version_field, ""))
            data[self.add_prefix(self.digest_field)] = self._digests_text(record)
            self.data = data
