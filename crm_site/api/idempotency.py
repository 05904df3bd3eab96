"""`Idempotency-Key` on POST creates: a retry returns the first answer and
creates nothing.

The key's record is inserted first, in the transaction of the create itself:
a concurrent twin waits on the unique key until the first commits, then reads
its answer; a create that fails rolls its record back, so the retry runs again.
"""

import functools
import hashlib
import json

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from rest_framework.response import Response
from rest_framework.utils.encoders import JSONEncoder

from .errors import Conflict
from .models import IdempotentRequest

HEADER = "HTTP_IDEMPOTENCY_KEY"
MAX_KEY = 200


def _fingerprint(request) -> str:
    digest = hashlib.sha256()
    digest.update(request.method.encode())
    digest.update(request.path.encode())
    digest.update(request.body or b"")
    return digest.hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str) -> Response:
    if record.fingerprint != fingerprint:
        raise Conflict(_("This Idempotency-Key was already used for a different request."))
    response = Response(record.body, status=record.status)
    response["Idempotent-Replayed"] = "true"
    return response


def idempotent(method):
    """Wrap a view's create (`method(self, request, *args, **kwargs)`)."""

    @functools.wraps(method)
    def wrapper(self, request, *args, **kwargs):
        key = request.META.get(HEADER, "").strip()[:MAX_KEY]
        if not key:
            return method(self, request, *args, **kwargs)
        # Read the body before anything consumes the stream.
        fingerprint = _fingerprint(request._request)
        with transaction.atomic():
            try:
                with transaction.atomic():
                    record = IdempotentRequest.objects.create(
                        user=request.user,
                        key=key,
                        method=request.method,
                        path=request.path[:300],
                        fingerprint=fingerprint,
                        status=0,
                    )
            except IntegrityError:
                first = IdempotentRequest.objects.get(user=request.user, key=key)
                return _replay(first, fingerprint)
            response = method(self, request, *args, **kwargs)
            if response.status_code >= 400:
                transaction.set_rollback(True)
                return response
            record.status = response.status_code
            record.body = json.loads(json.dumps(response.data, cls=JSONEncoder))
            record.save(update_fields=["status", "body"])
        return response

    return wrapper
