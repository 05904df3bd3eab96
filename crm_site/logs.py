"""Structured logs: one JSON object per line on stdout, with request and user ids.

No personal data and no secrets: messages name ids, never names, phones or
passwords; the request id ties a user's report to the log lines.
"""

import contextvars
import json
import logging
import re
import uuid
from datetime import UTC, datetime

request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")
user_id_var: contextvars.ContextVar[str] = contextvars.ContextVar("user_id", default="-")
# The X-Request-ID a client sent, if sane: logged beside ours, never instead of it
# (a client choosing our id could make its lines pass for another request's).
client_request_id_var: contextvars.ContextVar[str] = contextvars.ContextVar(
    "client_request_id", default="-"
)
# The signed-in user of the current request, for audit rows written by signals.
current_user_var: contextvars.ContextVar = contextvars.ContextVar("current_user", default=None)

_VALID_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class ContextFilter(logging.Filter):
    def filter(self, record):
        record.request_id = request_id_var.get()
        record.user_id = user_id_var.get()
        record.client_request_id = client_request_id_var.get()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record):
        payload = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "request_id": getattr(record, "request_id", "-"),
            "user_id": getattr(record, "user_id", "-"),
        }
        for key, value in vars(record).items():
            if key not in _STANDARD and key not in payload and not key.startswith("_"):
                if key in ("request", "args"):
                    continue
                payload[key] = (
                    value if isinstance(value, str | int | float | bool | None) else str(value)
                )
        if record.exc_info:
            payload["exception"] = self.formatException(record.exc_info)
        return json.dumps(payload, ensure_ascii=False)


requests_logger = logging.getLogger("crm_site.requests")


def _is_object_address(request) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and any(
        name in ("pk", "id") or name.endswith("_id") for name in match.kwargs
    )


class RequestIdMiddleware:
    """Give every request our own id for the logs (returned as X-Request-ID), and
    log every 4xx answer with it and the user id. A sane client-sent X-Request-ID
    is kept as `client_request_id`. A signed-in user's "not found" answers on object addresses
    are counted (crm_site.core.services.not_found_probe_count)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        incoming = request.headers.get("X-Request-ID", "")
        request.id = uuid.uuid4().hex
        request.client_request_id = incoming if _VALID_REQUEST_ID.match(incoming) else "-"
        token = request_id_var.set(request.id)
        client_token = client_request_id_var.set(request.client_request_id)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        user_token = user_id_var.set(str(user.pk) if signed_in else "-")
        current_token = current_user_var.set(user if signed_in else None)
        try:
            response = self.get_response(request)
            if 400 <= response.status_code < 500:
                self._client_error(request, response)
        finally:
            request_id_var.reset(token)
            client_request_id_var.reset(client_token)
            user_id_var.reset(user_token)
            current_user_var.reset(current_token)
        response["X-Request-ID"] = request.id
        return response

    def _client_error(self, request, response):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        requests_logger.warning(
            "%s %s answered %s",
            request.method,
            request.path,
            response.status_code,
            extra={
                "status_code": response.status_code,
                "method": request.method,
                "path": request.path,
                "request_id": request.id,
                "user_id": str(user.pk) if signed_in else "-",
                "client_request_id": request.client_request_id,
            },
        )
        # This line replaces django.request's, which is written after the
        # middleware has returned, without the ids.
        response._has_been_logged = True
        if signed_in and response.status_code == 404 and _is_object_address(request):
            from crm_site.core.services import not_found_probe_count

            try:
                not_found_probe_count(user=user, request=request)
            except Exception:
                # Counting must never fail the answer (Redis down, say): the
                # 404 itself is logged above.
                requests_logger.exception("not-found count failed")
