"""API test helpers: a key for a persona and a client that sends it."""

import json

import pytest
from django.test import Client

from crm_site.api import services


def key_for(user, *, read_only=False, expires_in_days=None) -> str:
    _row, key = services.api_key_create(
        actor=user, user=user, name="tests", read_only=read_only, expires_in_days=expires_in_days
    )
    return key


class ApiClient:
    """Sends `Authorization: Api-Key <key>` and JSON bodies."""

    def __init__(self, key: str, language: str | None = None):
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Api-Key {key}"}
        if language:
            self.headers["HTTP_ACCEPT_LANGUAGE"] = language

    def get(self, path, **extra):
        return self.client.get(path, **self.headers, **extra)

    def post(self, path, data=None, **extra):
        return self.client.post(
            path, json.dumps(data or {}), content_type="application/json", **self.headers, **extra
        )

    def patch(self, path, data=None, **extra):
        return self.client.patch(
            path, json.dumps(data or {}), content_type="application/json", **self.headers, **extra
        )


@pytest.fixture
def api_as():
    def make(user, **kwargs):
        language = kwargs.pop("language", None)
        return ApiClient(key_for(user, **kwargs), language=language)

    return make
