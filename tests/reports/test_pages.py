"""The summary pages: scope per role, filters, the numbers on the page, commentary,
submission, review, "rebuild now" and "build this month"."""

from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core import months
from reports import services
from reports.models import MonthlyPatrolSummary, RollupRequest
from tests.factories import make_daily_report, make_entry, make_user
from tests.reports.conftest import OCTOBER

pytestmark = pytest.mark.django_db

LIST = reverse("reports:monthly_list")


@pytest.fixture
def summary_a(october, unit_a):
    return services.summary_build(unit_id=unit_a.pk, month=OCTOBER).summary


@pytest.fixture
def summary_b(october, unit_b):
    return services.summary_build(unit_id=unit_b.pk, month=OCTOBER).summary


def get(client, user, url, **params):
    client.force_login(user)
    return client.get(url, params)


def listed(response) -> set:
    return {(s.unit.code, f"{s.month:%Y-%m}") for s in response.context["page_obj"].object_list}


def test_staff_may_not_open_any_summary_page(client, staff_a, summary_a):
    client.force_login(staff_a)
    for url in (
        LIST,
        summary_a.get_absolute_url(),
        reverse("reports:monthly_export", args=[summary_a.pk]),
        reverse("reports:monthly_status", args=[summary_a.pk]),
    ):
        assert client.get(url).status_code == 403
    assert client.post(reverse("reports:monthly_rebuild", args=[summary_a.pk])).status_code == 403


def test_supervisors_see_their_units_summaries_and_not_the_others(
    client, supervisor_a, summary_a, summary_b
):
    assert listed(get(client, supervisor_a, LIST)) == {("A", "2026-10")}
    assert client.get(summary_a.get_absolute_url()).status_code == 200
    assert client.get(summary_b.get_absolute_url()).status_code == 404
    assert client.get(reverse("reports:monthly_export", args=[summary_b.pk])).status_code == 404
    assert client.post(reverse("reports:monthly_rebuild", args=[summary_b.pk])).status_code == 404


def test_managers_see_their_units_and_admins_all(
    client, manager_a, admin_user, unit_a, unit_b, summary_a, summary_b
):
    assert listed(get(client, manager_a, LIST)) == {("A", "2026-10")}
    assert client.get(summary_b.get_absolute_url()).status_code == 404
    both = make_user(Role.MANAGER, [unit_a, unit_b])
    assert listed(get(client, both, LIST)) == {("A", "2026-10"), ("B", "2026-10")}
    assert listed(get(client, admin_user, LIST)) == {("A", "2026-10"), ("B", "2026-10")}
    assert client.get(summary_b.get_absolute_url()).status_code == 200


def test_the_list_filters_by_unit_month_and_status(
    client, admin_user, unit_a, unit_b, summary_a, summary_b, supervisor_a
):
    services.summary_build(unit_id=unit_a.pk, month=date(2026, 9, 1))
    services.summary_submit(summary=summary_a, actor=supervisor_a, commentary="好")
    assert listed(get(client, admin_user, LIST, unit=unit_b.pk)) == {("B", "2026-10")}
    assert listed(get(client, admin_user, LIST, month="2026-09")) == {("A", "2026-09")}
    assert listed(get(client, admin_user, LIST, status="submitted")) == {("A", "2026-10")}
    # The list remembers its last filters (crm_site.core.sticky): reset shows all.
    assert len(listed(client.get(LIST, {"reset": 1}, follow=True))) == 3


def test_the_detail_page_shows_the_figures_and_the_lists(client, supervisor_a, summary_a):
    response = get(client, supervisor_a, summary_a.get_absolute_url())
    html = response.content.decode()
    assert "每月巡访情况报告书" in html
    assert "34.9%" in html  # overall compliance
    assert "50.0%" in html and "31.4%" in html
    for text in ("希望增加周末班次", "月底最后一条意见", "同行降价5%", "十月底提出仍未解决"):
        assert text in html
    assert "别的单位的意见" not in html
    assert 'id="kpi-behind">3<' in html
    assert 'id="urgent-open">2<' in html and 'id="complaints-received">3<' in html
    assert response.context["chart"]["grades"] == ["A", "B", "D"]
    assert response.context["chart"]["months"][-1] == "2026-10"


def test_the_detail_page_costs_a_fixed_number_of_queries(
    client, supervisor_a, summary_a, django_assert_max_num_queries
):
    client.force_login(supervisor_a)
    with django_assert_max_num_queries(22):
        assert client.get(summary_a.get_absolute_url()).status_code == 200


def test_the_supervisor_writes_the_commentary_and_submits(
    client, supervisor_a, manager_a, summary_a
):
    client.force_login(supervisor_a)
    url = reverse("reports:monthly_commentary", args=[summary_a.pk])
    response = client.post(url, {"commentary": "本月总体平稳。", "action": "save"})
    assert response.status_code == 302
    summary_a.refresh_from_db()
    assert (summary_a.commentary, summary_a.status) == ("本月总体平稳。", "draft")
    client.post(url, {"commentary": "本月总体平稳，已提交。", "action": "submit"})
    summary_a.refresh_from_db()
    assert summary_a.status == "submitted" and summary_a.commentary == "本月总体平稳，已提交。"
    assert manager_a.notifications.filter(kind="reports.summary_submitted").exists()
    page = client.get(summary_a.get_absolute_url()).content.decode()
    assert "本月总体平稳，已提交。" in page and 'name="commentary"' not in page


def test_a_refused_submission_keeps_what_was_typed_and_says_why_in_chinese(
    client, supervisor_a, summary_a
):
    client.force_login(supervisor_a)
    url = reverse("reports:monthly_commentary", args=[summary_a.pk])
    response = client.post(url, {"commentary": "", "action": "submit"})
    assert response.status_code == 400
    assert "请先填写主管意见再提交" in response.content.decode()


def test_the_manager_reviews_a_submitted_summary(client, supervisor_a, manager_a, summary_a):
    services.summary_submit(summary=summary_a, actor=supervisor_a, commentary="好")
    client.force_login(manager_a)
    page = client.get(summary_a.get_absolute_url()).content.decode()
    assert 'name="review_comment"' in page
    response = client.post(
        reverse("reports:monthly_review", args=[summary_a.pk]), {"review_comment": "已阅，同意。"}
    )
    assert response.status_code == 302
    summary_a.refresh_from_db()
    assert (summary_a.status, summary_a.review_comment) == ("reviewed", "已阅，同意。")
    assert supervisor_a.notifications.filter(kind="reports.summary_reviewed").exists()


def test_a_supervisor_cannot_review_and_a_manager_cannot_comment(
    client, supervisor_a, manager_a, summary_a
):
    client.force_login(manager_a)
    url = reverse("reports:monthly_commentary", args=[summary_a.pk])
    assert client.post(url, {"commentary": "x"}).status_code == 403
    services.summary_submit(summary=summary_a, actor=supervisor_a, commentary="好")
    client.force_login(supervisor_a)
    url = reverse("reports:monthly_review", args=[summary_a.pk])
    assert client.post(url, {"review_comment": "x"}).status_code == 403


def test_the_page_shows_a_stale_summary_and_what_changed(
    client, supervisor_a, staff_a, summary_a, october
):
    services.summary_submit(summary=summary_a, actor=supervisor_a, commentary="好")
    make_entry(make_daily_report(staff_a, date(2026, 10, 26)), october["d1"], kind="visit")
    html = get(client, supervisor_a, summary_a.get_absolute_url()).content.decode()
    assert "本月日报在报告生成后有变更" in html
    assert "3 → 4" in html  # daily reports
    assert "张三 10-26" in html
    summary_a.refresh_from_db()
    assert summary_a.stale


def test_rebuild_now_sends_the_task_on_commit_and_shows_the_new_build_time(
    client, supervisor_a, staff_a, summary_a, october, django_capture_on_commit_callbacks
):
    make_entry(make_daily_report(staff_a, date(2026, 10, 27)), october["d1"], kind="visit")
    client.force_login(supervisor_a)
    before = summary_a.built_at
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("reports:monthly_rebuild", args=[summary_a.pk]))
    assert response.status_code == 302 and len(callbacks) == 1
    summary_a.refresh_from_db()
    assert summary_a.built_at > before and summary_a.build_count == 2
    assert not RollupRequest.objects.pending().exists()
    status = client.get(reverse("reports:monthly_status", args=[summary_a.pk])).json()
    assert status["building"] is False and status["build_count"] == 2
    page = client.get(summary_a.get_absolute_url()).content.decode()
    assert timezone.localtime(summary_a.built_at).strftime("%Y-%m-%d %H:%M") in page


def test_while_a_rebuild_is_pending_the_page_says_rebuilding(
    client, supervisor_a, summary_a, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_a)
    # The broker is down: the request is recorded, the task not run yet.
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("reports:monthly_rebuild", args=[summary_a.pk]))
    assert RollupRequest.objects.pending().count() == 1
    html = client.get(summary_a.get_absolute_url()).content.decode()
    assert "正在重新生成" in html
    assert client.get(reverse("reports:monthly_status", args=[summary_a.pk])).json()["building"]


def test_a_supervisor_builds_a_month_not_built_yet(
    client, supervisor_a, unit_a, october, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("reports:monthly_build"), {"unit": unit_a.pk, "month": "2026-10"}
        )
    build = RollupRequest.objects.get()
    assert response.url == reverse("reports:monthly_request", args=[build.pk])
    summary = MonthlyPatrolSummary.objects.get(unit=unit_a, month=OCTOBER)
    assert client.get(response.url).url == summary.get_absolute_url()
    assert client.get(response.url, HTTP_ACCEPT="application/json").json() == {
        "done": True,
        "url": summary.get_absolute_url(),
    }


def test_a_supervisor_cannot_build_another_unit_or_a_future_month(
    client, supervisor_a, unit_b, unit_a
):
    client.force_login(supervisor_a)
    client.post(reverse("reports:monthly_build"), {"unit": unit_b.pk, "month": "2026-10"})
    future = months.shift(months.first_of(timezone.localdate()), 2)
    client.post(reverse("reports:monthly_build"), {"unit": unit_a.pk, "month": f"{future:%Y-%m}"})
    assert not RollupRequest.objects.exists()
    assert not MonthlyPatrolSummary.objects.exists()


def test_the_list_offers_to_build_this_month_when_it_is_missing(client, supervisor_a, unit_a):
    response = get(client, supervisor_a, LIST)
    assert [u.pk for u in response.context["missing_this_month"]] == [unit_a.pk]
    assert "尚未生成" in response.content.decode()


def test_a_build_request_of_another_unit_is_not_found(
    client, supervisor_a, supervisor_b, unit_a, django_capture_on_commit_callbacks
):
    client.force_login(supervisor_a)
    with django_capture_on_commit_callbacks(execute=False):
        client.post(reverse("reports:monthly_build"), {"unit": unit_a.pk, "month": "2026-10"})
    build = RollupRequest.objects.get()
    response = client.get(reverse("reports:monthly_request", args=[build.pk]))
    assert response.status_code == 200 and "正在生成" in response.content.decode()
    client.force_login(supervisor_b)
    assert client.get(reverse("reports:monthly_request", args=[build.pk])).status_code == 404


def test_a_month_not_built_yet_is_offered_from_the_filtered_list(
    client, supervisor_a, manager_a, unit_a, summary_a
):
    response = get(client, supervisor_a, LIST, unit=unit_a.pk, month="2026-09")
    assert response.context["offer_build"] == {"unit": unit_a, "month": date(2026, 9, 1)}
    assert "生成 2026年9月" in response.content.decode()
    # Managers read summaries; they do not build them.
    assert (
        get(client, manager_a, LIST, unit=unit_a.pk, month="2026-09").context["offer_build"] is None
    )
    # The detail page's month links lead there.
    page = get(client, supervisor_a, summary_a.get_absolute_url()).content.decode()
    assert f"?unit={unit_a.pk}&amp;month=2026-09" in page


def test_managers_read_but_do_not_rebuild_or_build(client, manager_a, unit_a, summary_a):
    client.force_login(manager_a)
    assert client.post(reverse("reports:monthly_rebuild", args=[summary_a.pk])).status_code == 403
    page = client.get(summary_a.get_absolute_url()).content.decode()
    assert reverse("reports:monthly_rebuild", args=[summary_a.pk]) not in page
    client.post(reverse("reports:monthly_build"), {"unit": unit_a.pk, "month": "2026-09"})
    assert not RollupRequest.objects.exists()
