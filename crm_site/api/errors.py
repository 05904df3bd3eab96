"""Every error as JSON `{code, message}` (and `fields` for a form's errors),
in the caller's language.

A service's ValidationError is a 400 (a stale edit a 409), PermissionDenied a
403 and Http404 a 404, as on the pages.
"""

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from crm_site.core.versioning import StaleEdit


class FormInvalid(exceptions.APIException):
    """The page's form refused the input: its messages, by field."""

    status_code = status.HTTP_400_BAD_REQUEST
    default_code = "invalid"

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        messages = [m for ms in errors.values() for m in ms]
        super().__init__(detail=" ".join(messages) or _("The input is not valid."))


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


def _messages(exc: DjangoValidationError) -> tuple[str, dict[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        fields = {
            ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
            for name, messages in exc.message_dict.items()
        }
        flat = [m for messages in fields.values() for m in messages]
        return " ".join(flat), fields
    return " ".join(str(m) for m in exc.messages), {}


def _flatten(detail) -> tuple[str, dict]:
    if isinstance(detail, dict):
        fields = {}
        for name, value in detail.items():
            items = value if isinstance(value, list) else [value]
            fields[name] = [str(item) for item in items]
        return " ".join(m for ms in fields.values() for m in ms), fields
    if isinstance(detail, list):
        return " ".join(str(d) for d in detail), {}
    return str(detail), {}


def body(code: str, message: str, fields: dict | None = None) -> dict:
    data: dict = {"code": code, "message": message}
    if fields:
        data["fields"] = fields
    return data


def exception_handler(exc, context):
    if isinstance(exc, StaleEdit):
        return Response(body("stale", " ".join(exc.messages)), status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoValidationError):
        message, fields = _messages(exc)
        return Response(body("invalid", message, fields), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, FormInvalid):
        response.data = body("invalid", str(exc.detail), exc.errors)
        return response
    if isinstance(exc, exceptions.ValidationError):
        message, fields = _flatten(exc.detail)
        response.data = body("invalid", message, fields)
        return response
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException):
        codes = exc.get_codes()
        if isinstance(codes, str):
            code = codes
    message, _fields = _flatten(getattr(exc, "detail", ""))
    response.data = body(code, message)
    return response
