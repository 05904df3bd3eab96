"""Nothing personal is kept by a browser or a shared cache: the pages of signed-in
users and every export answer `Cache-Control: private, no-store`."""

import pytest
from django.urls import reverse

from tests.security.conftest import sign_in
from tests.security.test_permission_matrix import MATRIX, PERSONAS

pytestmark = pytest.mark.django_db

# Every URL that answers a file (exports, downloads, the import template, a
# recording, the personal-data export in both formats).
FILE_URLS = sorted(
    name
    for name in MATRIX
    if any(word in name for word in ("export", "download", "recording", "template", "personal"))
)

SAMPLE_PAGES = [
    "home",
    "customers:list",
    "customers:detail",
    "complaints:list",
    "complaints:detail",
    "visits:report_list",
    "reports:monthly_detail",
    "core:notifications",
    "audit_log",
]


def _directives(response) -> set[str]:
    return {part.strip() for part in response.get("Cache-Control", "").split(",")}


def _open_as_a_persona_it_serves(client, world, name, query=""):
    case = MATRIX[name]
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None) + query
    for persona, token in zip(PERSONAS, case.get.split(), strict=True):
        if token == "200":
            sign_in(client, world, persona)
            response = client.get(url)
            assert response.status_code == 200, (name, persona)
            return response
    raise AssertionError(f"no persona opens {name}")


def test_the_file_urls_are_the_exports_the_site_has():
    assert {"customers:export", "complaints:export", "core:export_download"} <= set(FILE_URLS)


@pytest.mark.parametrize("name", FILE_URLS)
def test_every_export_answers_private_no_store(client, world, name):
    response = _open_as_a_persona_it_serves(client, world, name)
    assert {"private", "no-store"} <= _directives(response), response.get("Cache-Control")


def test_the_personal_data_export_as_json_answers_private_no_store(client, world):
    response = _open_as_a_persona_it_serves(
        client, world, "customers:personal_data", "?format=json"
    )
    assert {"private", "no-store"} <= _directives(response)


@pytest.mark.parametrize("name", SAMPLE_PAGES)
def test_pages_of_signed_in_users_answer_private_no_store(client, world, name):
    response = _open_as_a_persona_it_serves(client, world, name)
    assert response["Content-Type"].startswith("text/html")
    assert {"private", "no-store"} <= _directives(response), response.get("Cache-Control")
