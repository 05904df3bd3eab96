"""Who sees which reports and visits: the other unit gets 404, staff get 403 on supervisor pages."""

import pytest
from django.urls import reverse

from tests.factories import make_daily_report, make_entry, make_visit
from visits.models import DailyReport, DailyReportEntry, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def report_with_entry(report_a, customer_a):
    make_entry(report_a, customer_a)
    return report_a


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("staff_a", 200),
        ("supervisor_a", 200),
        ("manager_a", 200),
        ("admin_user", 200),
        ("staff_a2", 404),  # a colleague's report
        ("staff_b", 404),
        ("supervisor_b", 404),
        ("manager_b", 404),
    ],
)
def test_a_report_opens_only_for_its_author_their_units_leads_and_admins(
    client, request, report_with_entry, persona, status
):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(report_with_entry.get_absolute_url()).status_code == status


@pytest.mark.parametrize("persona", ["staff_b", "supervisor_b", "staff_a2"])
def test_entry_pages_of_a_report_out_of_scope_answer_404(
    client, request, report_with_entry, persona
):
    client.force_login(request.getfixturevalue(persona))
    entry = report_with_entry.entries.get()
    pk = report_with_entry.pk
    assert client.get(reverse("visits:entry_new", args=[pk])).status_code == 404
    assert client.get(reverse("visits:entry_edit", args=[pk, entry.pk])).status_code == 404
    assert client.post(reverse("visits:entry_delete", args=[pk, entry.pk])).status_code == 404
    assert client.post(reverse("visits:report_submit", args=[pk])).status_code == 404
    assert DailyReportEntry.objects.count() == 1


def test_a_supervisor_reads_but_cannot_edit_a_staff_members_entries(
    client, supervisor_a, report_with_entry
):
    client.force_login(supervisor_a)
    entry = report_with_entry.entries.get()
    url = reverse("visits:entry_edit", args=[report_with_entry.pk, entry.pk])
    assert client.get(url).status_code == 403


@pytest.mark.parametrize("name", ["visits:compliance", "visits:review"])
def test_staff_get_403_on_supervisor_pages(client, staff_a, name):
    client.force_login(staff_a)
    assert client.get(reverse(name)).status_code == 403


def test_staff_cannot_review_even_by_posting(client, staff_a2, staff_a, report_with_entry):
    from visits import services

    services.daily_report_submit(report=report_with_entry, actor=staff_a)
    client.force_login(staff_a2)
    url = reverse("visits:report_review", args=[report_with_entry.pk])
    assert client.post(url, {"action": "review"}).status_code == 403
    report_with_entry.refresh_from_db()
    assert report_with_entry.status == DailyReport.Status.SUBMITTED


def test_a_supervisor_of_another_unit_cannot_review_the_report(
    client, supervisor_b, staff_a, report_with_entry
):
    from visits import services

    services.daily_report_submit(report=report_with_entry, actor=staff_a)
    client.force_login(supervisor_b)
    url = reverse("visits:report_review", args=[report_with_entry.pk])
    assert client.post(url, {"action": "review"}).status_code == 404


def test_report_list_shows_staff_their_own_and_supervisors_their_unit(
    client, staff_a, staff_a2, staff_b, supervisor_a
):
    mine = make_daily_report(staff_a)
    colleague = make_daily_report(staff_a2)
    other_unit = make_daily_report(staff_b)
    client.force_login(staff_a)
    html = client.get(reverse("visits:report_list")).content.decode()
    assert mine.get_absolute_url() in html
    assert colleague.get_absolute_url() not in html
    client.force_login(supervisor_a)
    html = client.get(reverse("visits:report_list")).content.decode()
    assert mine.get_absolute_url() in html and colleague.get_absolute_url() in html
    assert other_unit.get_absolute_url() not in html
    html = client.get(reverse("visits:report_list"), {"person": staff_a2.pk}).content.decode()
    assert colleague.get_absolute_url() in html and mine.get_absolute_url() not in html


def test_visible_to_follows_the_roles(
    staff_a, staff_a2, supervisor_a, manager_b, admin_user, customer_a, customer_of_unit_b, staff_b
):
    mine = make_visit(customer_a, staff_a)
    colleagues = make_visit(customer_a, staff_a2)
    other = make_visit(customer_of_unit_b, staff_b)
    assert set(Visit.objects.visible_to(staff_a)) == {mine}
    assert set(Visit.objects.visible_to(supervisor_a)) == {mine, colleagues}
    assert set(Visit.objects.visible_to(manager_b)) == {other}
    assert set(Visit.objects.visible_to(admin_user)) == {mine, colleagues, other}


def test_logging_a_call_for_a_customer_out_of_scope_answers_404(
    client, staff_a, customer_of_unit_b
):
    client.force_login(staff_a)
    response = client.post(reverse("visits:log_call", args=[customer_of_unit_b.pk]))
    assert response.status_code == 404
    assert not Visit.objects.exists()


def test_a_supervisor_cannot_look_at_another_units_due_list(
    client, supervisor_a, staff_b, customer_of_unit_b
):
    client.force_login(supervisor_a)
    html = client.get(reverse("visits:due"), {"person": staff_b.pk}).content.decode()
    assert customer_of_unit_b.name not in html


def test_review_queue_holds_only_the_units_submitted_reports(
    client, supervisor_a, staff_a, staff_b, customer_a, customer_of_unit_b
):
    from visits import services

    mine = make_daily_report(staff_a)
    make_entry(mine, customer_a)
    services.daily_report_submit(report=mine, actor=staff_a)
    theirs = make_daily_report(staff_b)
    make_entry(theirs, customer_of_unit_b)
    services.daily_report_submit(report=theirs, actor=staff_b)
    client.force_login(supervisor_a)
    html = client.get(reverse("visits:review")).content.decode()
    assert mine.get_absolute_url() in html
    assert theirs.get_absolute_url() not in html


def test_drafts_are_private_and_history_follows_the_report(
    staff_a, staff_a2, supervisor_a, staff_b, report_with_entry
):
    from visits import services
    from visits.models import DailyReportEvent, EntryDraft

    services.entry_draft_save(report=report_with_entry, actor=staff_a, data={"opinions": "草稿"})
    assert EntryDraft.objects.visible_to(staff_a).count() == 1
    assert not EntryDraft.objects.visible_to(supervisor_a).exists()
    assert not EntryDraft.objects.visible_to(staff_a2).exists()
    services.daily_report_submit(report=report_with_entry, actor=staff_a)
    assert DailyReportEvent.objects.visible_to(supervisor_a).count() == 1
    assert not DailyReportEvent.objects.visible_to(staff_b).exists()
