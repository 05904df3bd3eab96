"""Form helpers shared by the apps."""

import uuid
from typing import TYPE_CHECKING

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from .versioning import StaleEdit

if TYPE_CHECKING:
    _FormBase = forms.BaseForm
else:
    _FormBase = object


class IdempotentFormMixin(_FormBase):
    """A hidden random token, so the same form sent twice creates one record.

    The service stores it in a unique column and returns the first record
    made with it (crm_site.core.idempotency.create_once). `token_field` names
    the form field (and, usually, the column).
    """

    token_field = "form_token"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Marked for static/js/drafts.js: a form kept offline is keyed by it.
        self.fields[self.token_field] = forms.UUIDField(
            widget=forms.HiddenInput(attrs={"data-idempotency-token": "1"})
        )
        if not self.is_bound and not self.initial.get(self.token_field):
            self.initial[self.token_field] = uuid.uuid4()

    def posted_token(self) -> uuid.UUID | None:
        """The token a bound form was sent with, read before validation: a
        resent form may no longer validate (its unique code is now the first
        one's), yet it should find the first one's record."""
        try:
            return uuid.UUID(str(self.data.get(self.add_prefix(self.token_field), "")))
        except ValueError:
            return None


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: messages for a field of the
    form beside that field, the rest (and a plain message) at the top. A stale
    edit is said with what changed, and the form then carries the new version
    (core.versioning.VersionedFormMixin)."""
    if isinstance(exc, StaleEdit) and hasattr(form, "stale_edit"):
        form.stale_edit(exc)
    elif hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def call_or_add_errors(form, service, **kwargs):
    """`service(**kwargs)` for a valid form, and what it returns; a
    ValidationError it raises goes on the form (add_service_errors) and None
    is returned, so the view shows the form again. For services that return
    a record (or a (record, created) pair), never None."""
    try:
        return service(**kwargs)
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None


def refuse_or_add_errors(request, form, exc: ValidationError, *, back_to):
    """A service refused a step taken from a detail page. A plain message (the
    record's state forbids it: a double submit, a colleague was quicker) is
    said on `back_to`'s page as it is now, and the redirect there is returned;
    field messages go on the form (add_service_errors) and None is returned,
    so the view shows the form again; so does a stale edit, which keeps the
    user's input on the form."""
    if not hasattr(exc, "error_dict") and not isinstance(exc, StaleEdit):
        messages.error(request, " ".join(exc.messages))
        return redirect(back_to)
    add_service_errors(form, exc)
    return None


def form_errors_to_messages(request, form) -> None:
    """A form posted from a list page that has no place for it: its errors
    are said as messages on the page the view goes back to."""
    for errors in form.errors.values():
        for error in errors:
            messages.error(request, error)
