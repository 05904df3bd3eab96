"""Journey 4: the administrator lowers grade B's threshold, previews who would
move, saves the rule as a new version, and reads the regrade summary once the
real Celery worker has regraded every customer.

Under the shipped rule (DESIGN.md, customers/grading.py) a medium, stable
manufacturer with 100 (10k CNY) revenue scores 20 + 12 + 8 + 15 = 55 points:
grade C (35), just under B (60). With B at 50, three such customers move C → B;
a fourth, pinned by hand at C, keeps its grade.
"""

import re

import pytest
from django.utils import timezone

from tests.e2e.conftest import DESKTOP
from tests.factories import make_customer

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

MOVERS = ["上海远航物流", "苏州恒达商贸", "杭州顺达仓储"]


@pytest.fixture
def customers(unit_a, supervisor_a):
    movers = [make_customer(unit_a, name=name) for name in MOVERS]
    assert {c.grade for c in movers} == {"C"}
    big = make_customer(
        unit_a,
        name="南京长江运输",
        annual_revenue=1200,
        scale="large",
        trend="growing",
    )
    small = make_customer(
        unit_a, name="无锡小件快运", annual_revenue=5, scale="micro", trend="declining"
    )
    assert (big.grade, small.grade) == ("A", "D")
    make_customer(
        unit_a,
        name="宁波港联货代",
        grade="C",
        grade_pinned=True,
        grade_pin_reason="战略客户，主管按合同约定定级",
        grade_pinned_by=supervisor_a,
        grade_pinned_at=timezone.now(),
    )
    return movers


def preview_row(page, grade: str) -> list[str]:
    row = page.locator(".preview-grades tbody tr", has=page.locator(f"td:text-is('{grade}')"))
    return row.locator("td").all_inner_texts()


def test_admin_edits_the_grading_rule_previews_saves_and_reads_the_regrade_summary(
    journey, celery_worker, admin_user, customers
):
    j = journey(DESKTOP)
    page = j.login("admin_user", then="/customers/grading/")
    assert "v1" in page.locator("h1").inner_text()
    j.check_accessibility()
    j.shot("rule-v1")

    b_min = page.locator("#grades-table tbody tr", has=page.locator("input[value=B]")).locator(
        "input[name$=min_points]"
    )
    assert b_min.input_value() == "60"
    b_min.fill("50")
    page.get_by_role("button", name="预览影响").click()
    page.locator("#preview").wait_for()
    assert "6 位客户中将有 3 位变动等级。" in page.locator(".preview-summary").inner_text()
    assert "1 位锁定客户保持原等级。" in page.locator(".preview-summary").inner_text()
    assert preview_row(page, "B") == ["B", "0", "3", "+3"]
    assert preview_row(page, "C") == ["C", "4", "1", "-3"]
    assert page.locator(".preview-moves li").all_inner_texts() == ["C → B\n3"]
    # Nothing is saved by a preview; the edited value is still in the form.
    assert b_min.input_value() == "50"
    assert "v1" in page.locator("h1").inner_text()
    j.check_accessibility()
    j.shot("preview")

    page.locator("textarea[name$=note], input[name$=note]").first.fill("B级门槛下调到50分")
    page.get_by_role("button", name="保存为 v2 并重新评级").click()
    page.wait_for_url(re.compile(r".*/customers/grading/runs/\d+/$"))
    assert "v2" in page.locator("h1").inner_text()
    j.check_accessibility()
    j.shot("regrade-started")

    # The run page refreshes itself every 5 s until the worker has finished.
    summary = page.locator(".run-summary")
    summary.wait_for(timeout=45_000)
    assert summary.inner_text() == (
        "已为 6 位客户重新评级，其中 3 位等级变动：3 C→B。 1 位锁定客户保持原等级。"
    )
    assert "已完成" in page.locator("h1").inner_text()
    stats = dict(
        zip(
            page.locator(".stat-card .small").all_inner_texts(),
            page.locator(".stat-card .stat-value").all_inner_texts(),
            strict=True,
        )
    )
    assert stats["等级变动"] == "3"
    moved = page.locator("section[aria-labelledby=moved-title] tbody tr")
    assert sorted(r.split("\t")[0].split(" ")[0] for r in moved.all_inner_texts()) == sorted(MOVERS)
    for text in moved.all_inner_texts():
        assert text.split("\t")[1:] == ["C", "B"]
    assert "宁波港联货代" in page.locator(".pinned-list").inner_text()
    # The admin who saved the rule is told that the run is done.
    assert page.locator("#notification-bell .nav-count").inner_text() == "1"
    j.check_accessibility()
    j.shot("regrade-summary")

    # A moved customer's card shows the new grade, the old one and the rule version.
    page.get_by_role("link", name="上海远航物流").click()
    page.wait_for_url(re.compile(r".*/customers/\d+/$"))
    history = page.locator(".grade-history").inner_text()
    assert "C → B" in history
    assert "规则 v2" in history
    assert "B级门槛下调到50分" in history
    j.check_accessibility()
    j.shot("customer-regraded")

    page = j.goto("/customers/grading/")
    assert "v2" in page.locator("h1").inner_text()
    assert "B级门槛下调到50分" in page.content()
    assert b_min.input_value() == "50"
    j.shot("rule-v2")
    assert not j.console_errors, j.console_errors
