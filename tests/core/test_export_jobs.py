"""Exports above the limit run as background jobs: progress page, then a download."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from crm_site.core.models import ExportJob, Notification
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(unit_a, unit_b, staff_a):
    for i in range(4):
        make_customer(unit_a, name=f"华东客户{i}", visiting_person=staff_a)
    make_customer(unit_b, name="华南客户")


def sheet_rows(content: bytes) -> list[tuple]:
    return list(
        load_workbook(io.BytesIO(content), read_only=True).worksheets[0].iter_rows(values_only=True)
    )


def test_a_large_customer_export_becomes_a_job_with_the_same_rows(
    client, supervisor_a, book, settings, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_a)
    direct = client.get(reverse("customers:export"), {"sort": "name"})
    assert direct.status_code == 200
    expected = sheet_rows(b"".join(direct.streaming_content))

    settings.CRM_EXPORT_SYNC_LIMIT = 2
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("customers:export"), {"sort": "name"})
    job = ExportJob.objects.get(user=supervisor_a)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == "done" and job.done == job.total == 4
    page = client.get(job.get_absolute_url()).content.decode()
    assert reverse("core:export_download", args=[job.pk]) in page
    status = client.get(reverse("core:export_status", args=[job.pk])).json()
    assert status == {"state": "done", "done": 4, "total": 4, "percent": 100}
    download = client.get(reverse("core:export_download", args=[job.pk]))
    assert sheet_rows(b"".join(download.streaming_content)) == expected
    assert Notification.objects.filter(recipient=supervisor_a, kind="export.done").count() == 1


def test_someone_elses_export_is_not_found(
    client, supervisor_a, supervisor_b, book, settings, django_capture_on_commit_callbacks
):
    settings.CRM_EXPORT_SYNC_LIMIT = 1
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.get(reverse("customers:export"))
    job = ExportJob.objects.get(user=supervisor_a)
    client.force_login(supervisor_b)
    for name in ("core:export_detail", "core:export_status", "core:export_download"):
        assert client.get(reverse(name, args=[job.pk])).status_code == 404


def test_a_large_complaint_export_becomes_a_job(
    client, supervisor_a, unit_a, settings, django_capture_on_commit_callbacks
):
    from tests.factories import make_complaint

    customer = make_customer(unit_a)
    for _ in range(3):
        make_complaint(customer=customer)
    settings.CRM_EXPORT_SYNC_LIMIT = 2
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("complaints:export"))
    job = ExportJob.objects.get(user=supervisor_a, kind="complaints")
    assert response["Location"] == job.get_absolute_url()
    job.refresh_from_db()
    assert job.state == "done" and job.total == 3
    rows = sheet_rows(
        b"".join(client.get(reverse("core:export_download", args=[job.pk])).streaming_content)
    )
    assert len(rows) == 4  # header + 3


def test_the_sweeper_resends_a_job_the_broker_lost_and_restarts_a_dead_one(supervisor_a):
    from datetime import timedelta

    from django.utils import timezone

    from crm_site.core.exports import export_jobs_sweep

    lost = ExportJob.objects.create(user=supervisor_a, kind="customers", total=1)
    dead = ExportJob.objects.create(user=supervisor_a, kind="customers", total=1, state="running")
    old = timezone.now() - timedelta(hours=1)
    ExportJob.objects.filter(pk=lost.pk).update(created_at=old)
    ExportJob.objects.filter(pk=dead.pk).update(created_at=old, progress_at=old)
    export_jobs_sweep()  # eager: runs the jobs now
    assert set(ExportJob.objects.values_list("state", flat=True)) == {"done"}


def test_an_eager_job_that_keeps_retrying_never_turns_the_request_into_a_500(
    client, supervisor_a, book, settings, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    """Without a broker (the embedded installation) tasks run in the request; a
    task a worker would retry later (a locked database) must leave the job for
    the sweeper instead of failing the user's request."""
    from django.db import OperationalError

    import crm_site.core.exports as exports

    calls = []

    def locked(*, job_id):
        calls.append(job_id)
        raise OperationalError("database is locked")

    monkeypatch.setattr(exports, "export_job_run", locked)
    settings.CRM_EXPORT_SYNC_LIMIT = 2
    client.force_login(supervisor_a)
    client.raise_request_exception = False
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(reverse("customers:export"), {"sort": "name"})
    job = ExportJob.objects.get(user=supervisor_a)
    assert response.status_code == 302 and response["Location"] == job.get_absolute_url()
    assert calls  # it ran, in the request
    assert job.state == "pending"
    assert "left for the sweeper" in caplog.text
