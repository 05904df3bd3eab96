"""The grading rule page: edit, preview who would move, save a version, old versions readable."""

import re

import pytest
from django.urls import reverse

from crm_site.core.models import AuditLog
from customers.models import Customer, GradeChange, GradingRule, RegradeRun
from customers.services import customer_pin_grade
from tests.customers.rules import definition, rule_post

pytestmark = pytest.mark.django_db

URL = "/customers/grading/"


def test_the_page_shows_the_rule_in_force_ready_to_edit(client, admin_user, book):
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    grades = response.context["editor"].grades
    assert [f.initial["code"] for f in grades.initial_forms] == ["A", "B", "C", "D"]
    assert "自 " in response.content.decode() and "起生效" in response.content.decode()


def test_the_preview_counts_who_would_move_between_which_grades(client, admin_user, book):
    # mine: 100 points (A); colleague: 42 (C); other unit: 52 (C).
    client.force_login(admin_user)
    response = client.post(URL, rule_post(definition(A=101, C=50)))
    preview = response.context["preview"]
    assert (preview.total, preview.moved, preview.pinned) == (3, 2, 0)
    assert dict(preview.moves) == {("A", "B"): 1, ("C", "D"): 1}
    html = response.content.decode()
    assert "3 位客户中将有 2 位变动等级" in html
    assert not GradingRule.objects.filter(version=2).exists()


def test_pinned_customers_do_not_move_in_the_preview(client, admin_user, supervisor_a, book):
    customer_pin_grade(customer=book["mine"], actor=supervisor_a, grade="A", reason="战略客户")
    client.force_login(admin_user)
    preview = client.post(URL, rule_post(definition(A=101, C=50))).context["preview"]
    assert dict(preview.moves) == {("C", "D"): 1}
    assert preview.pinned == 1


def test_the_preview_is_one_grouped_query_whatever_the_book_size(
    admin_user, book, django_assert_num_queries
):
    from customers.services import grading_rule_preview

    with django_assert_num_queries(1):
        grading_rule_preview(definition=definition(A=101))


def test_saving_without_the_matching_preview_shows_the_preview_again(client, admin_user, book):
    client.force_login(admin_user)
    response = client.post(URL, rule_post(definition(A=101), action="save", digest="stale"))
    assert response.status_code == 200
    assert "规则在预览后有改动" in response.content.decode()
    assert GradingRule.objects.count() == 1


def test_saving_creates_a_version_and_regrades_in_the_background(
    client, admin_user, book, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            URL, rule_post(definition(A=101, C=50), action="save", note="提高 A 级门槛")
        )
    rule = GradingRule.objects.get(version=2)
    run = RegradeRun.objects.get(rule=rule)
    assert response["Location"] == run.get_absolute_url()
    assert (run.state, run.customers_checked, run.customers_moved) == ("done", 3, 2)
    assert run.moves == {"A→B": 1, "C→D": 1}
    moved = GradeChange.objects.get(customer=book["mine"], run=run)
    assert (moved.old_grade, moved.new_grade, moved.rule, moved.reason) == (
        "A",
        "B",
        rule,
        "提高 A 级门槛",
    )
    assert AuditLog.objects.get(action="grading_rule.save").data["version"] == 2
    html = client.get(run.get_absolute_url()).content.decode()
    assert "已为 3 位客户重新评级，其中 2 位等级变动" in html and "1 A→B" in html


def test_an_impossible_rule_is_refused_in_chinese(client, admin_user, book):
    client.force_login(admin_user)
    response = client.post(URL, rule_post(definition(A=50, B=60)))
    assert "排序靠前的等级，最低分值必须高于其后的所有等级" in response.content.decode()
    assert "preview" not in response.context


def test_grades_can_be_renamed_and_counted_like_a_trading_company(
    client, admin_user, book, django_capture_on_commit_callbacks
):
    d = definition()
    d["grades"] = [
        {
            "code": "核心",
            "name": "核心客户",
            "order": 1,
            "min_points": 85,
            "visits_per_month": 4,
            "calls_per_week": 3,
        },
        {
            "code": "重点",
            "name": "重点客户",
            "order": 2,
            "min_points": 55,
            "visits_per_month": 2,
            "calls_per_week": 2,
        },
        {
            "code": "一般",
            "name": "一般客户",
            "order": 3,
            "min_points": 30,
            "visits_per_month": 1,
            "calls_per_week": 1,
        },
        {
            "code": "潜在",
            "name": "潜在客户",
            "order": 4,
            "min_points": 0,
            "visits_per_month": 0,
            "calls_per_week": 1,
        },
    ]
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, rule_post(d, action="save"))
    assert GradingRule.objects.current().cadence()["核心"].visits_per_month == 4
    assert dict(Customer.objects.values_list("code", "grade")) == {
        "A-001": "核心",
        "A-002": "一般",
        "B-001": "一般",
    }
    html = client.get(reverse("customers:list")).content.decode()
    assert "核心客户" in html


def test_old_versions_stay_readable(client, admin_user, book, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(URL, rule_post(definition(A=90), action="save"))
    html = client.get(reverse("customers:rule_version", args=[1])).content.decode()
    assert "分级规则 v1" in html and "已停用" in html and "≥ 80" in html
    start = client.get(URL, {"from": 1}).context["editor"]
    assert start.grades.initial_forms[0].initial["min_points"] == 80


def test_an_admin_can_regrade_everyone_now(
    client, admin_user, book, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("customers:regrade_now"))
    run = RegradeRun.objects.get()
    assert response["Location"] == run.get_absolute_url()
    assert (run.state, run.customers_moved) == ("done", 0)


def test_every_input_of_the_grade_and_band_tables_is_named_for_screen_readers(
    client, admin_user, book
):
    # The rows of the two tables have no <label>; axe-core flagged them (journey 4).
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    inputs = re.findall(r'<input[^>]*name="(?:grades|bands)-\d+-[^"]+"[^>]*>', html)
    named = [tag for tag in inputs if "DELETE" not in tag]
    assert len(named) == 5 * 6 + 6 * 2  # 4 grades and 5 bands, plus an empty row each
    assert all("aria-label=" in tag for tag in named)
    assert 'name="grades-1-min_points"' in html and 'aria-label="最低分值"' in html
    assert 'aria-label="起点（万元）"' in html


def test_a_run_in_progress_polls_for_its_end_instead_of_a_timed_refresh(client, admin_user, book):
    # A timed <meta refresh> reloads under the reader (WCAG 2.2.1, axe "meta-refresh");
    # the page now asks in the background and reloads when the run's state changes.
    run = RegradeRun.objects.create(rule=GradingRule.objects.current(), requested_by=admin_user)
    client.force_login(admin_user)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "正在后台重新评级，本页会自动刷新。" in html
    assert 'data-state="pending" data-poll-seconds="3"' in html
    assert "js/regrade-run" in html
    head, _body = html.split("</head>", 1)
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in head

    RegradeRun.objects.filter(pk=run.pk).update(state=RegradeRun.State.DONE)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "data-poll-seconds" not in html and "js/regrade-run" not in html
    assert 'http-equiv="refresh"' not in html
