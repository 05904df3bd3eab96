"""customer_list: the one read behind the list page, its export and the export job."""

import pytest
from django.urls import reverse

from crm_site.core.models import ExportJob
from customers import selectors
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed(unit_a, unit_b, staff_a):
    return {
        "b": make_customer(unit_a, code="S-002", name="Bravo", visiting_person=staff_a),
        "a": make_customer(unit_a, code="S-001", name="Charlie", visiting_person=staff_a),
        "other": make_customer(unit_b, code="S-003", name="Alpha"),
    }


def codes(customers) -> list[str]:
    return [c.code for c in customers]


def test_the_list_holds_only_the_users_customers_in_the_asked_order(supervisor_a, mixed):
    rows = selectors.customer_list(user=supervisor_a, filters={}, sort="-code")
    assert codes(rows) == ["S-002", "S-001"]


def test_filters_are_taken_as_a_form_cleans_them_or_as_a_job_keeps_them(supervisor_a, mixed):
    unit = mixed["a"].unit
    by_instance = selectors.customer_list(user=supervisor_a, filters={"unit": unit}, sort="name")
    by_pk = selectors.customer_list(user=supervisor_a, filters={"unit": unit.pk}, sort="name")
    assert codes(by_instance) == codes(by_pk) == ["S-002", "S-001"]
    searched = selectors.customer_list(user=supervisor_a, filters={"q": "S-002"}, sort="code")
    assert codes(searched) == ["S-002"]


def test_another_units_filter_value_shows_nothing_outside_the_scope(staff_b, mixed):
    rows = selectors.customer_list(user=staff_b, filters={"unit": mixed["a"].unit_id}, sort="code")
    assert codes(rows) == []


def test_an_unknown_sort_falls_back_to_the_code(supervisor_a, mixed):
    assert selectors.customer_sort("password") == "code"
    rows = selectors.customer_list(user=supervisor_a, filters={}, sort="password")
    assert codes(rows) == ["S-001", "S-002"]


def test_an_export_job_keeps_validated_filters_not_the_pages_parameters(
    client, supervisor_a, mixed, settings, django_capture_on_commit_callbacks
):
    settings.CRM_EXPORT_SYNC_LIMIT = 1
    client.force_login(supervisor_a)
    unit = mixed["a"].unit_id
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("customers:export"), {"unit": unit, "sort": "-name", "page": "3"})
    job = ExportJob.objects.get(user=supervisor_a)
    assert job.params["filters"] == {"unit": unit}
    assert job.params["sort"] == "-name"
    job.refresh_from_db()
    assert job.state == "done" and job.done == 2


def test_a_job_recorded_with_raw_page_parameters_still_runs(supervisor_a, mixed):
    from crm_site.core.exports import export_job_run

    job = ExportJob.objects.create(
        user=supervisor_a, kind="customers", total=2, params={"q": ["S-00"], "sort": ["name"]}
    )
    assert export_job_run(job_id=str(job.pk))
    job.refresh_from_db()
    assert job.state == "done" and job.done == 2


def test_no_code_outside_the_tests_builds_a_request():
    from pathlib import Path

    from django.conf import settings

    root = Path(settings.BASE_DIR)
    found = [
        str(path.relative_to(root))
        for folder in ("crm_site", "customers", "complaints", "reports", "visits")
        for path in (root / folder).rglob("*.py")
        if "RequestFactory" in path.read_text(encoding="utf-8")
    ]
    assert found == []
