"""Form helpers shared by the apps."""

import uuid

from django import forms
from django.core.exceptions import ValidationError


class IdempotentFormMixin:
    """A hidden random token, so the same form sent twice creates one record.

    The service stores it in a unique column and returns the first record
    made with it (crm_site.core.idempotency.create_once). `token_field` names
    the form field (and, usually, the column).
    """

    token_field = "form_token"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[self.token_field] = forms.UUIDField(widget=forms.HiddenInput)
        if not self.is_bound and not self.initial.get(self.token_field):
            self.initial[self.token_field] = uuid.uuid4()


def add_service_errors(form, exc: ValidationError) -> None:
    """Show a service's ValidationError on the form: messages for a field of the
    form beside that field, the rest (and a plain message) at the top."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)
