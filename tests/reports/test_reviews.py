"""Quarterly big-customer reviews (大客户专员) at /reports/reviews/ (issue 12)."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.core.models import AuditLog
from reports import reviews
from reports.models import BigCustomerReview, BigCustomerReviewItem
from tests.factories import make_customer, make_visit

pytestmark = pytest.mark.django_db

LIST = reverse("reports:review_list")
OPEN = reverse("reports:review_open")


@pytest.fixture
def quarter():
    return reviews.quarter_of(timezone.localdate())


@pytest.fixture
def big(unit_a, unit_b, staff_a):
    """Unit A's A-grade customers (one lost), a B-grade one, and unit B's A-grade one."""
    return {
        "a1": make_customer(
            unit_a, code="A-001", name="远航物流", grade="A", visiting_person=staff_a
        ),
        "a2": make_customer(unit_a, code="A-002", name="恒达商贸", grade="A"),
        "lost": make_customer(unit_a, code="A-003", name="已流失", grade="A", status="lost"),
        "b": make_customer(unit_a, code="B-001", name="普通客户", grade="B"),
        "other": make_customer(unit_b, code="X-001", name="华南大客户", grade="A"),
    }


def open_review(client, unit, quarter_text):
    return client.post(OPEN, {"unit": unit.pk, "quarter": quarter_text})


def item_post(item, checks=(), findings=""):
    return {f"item{item.pk}-checks": list(checks), f"item{item.pk}-findings": findings}


@pytest.fixture
def review(big, unit_a, supervisor_a, quarter):
    opened, _added = reviews.review_open(unit=unit_a, quarter=quarter, actor=supervisor_a)
    return opened


# --- quarters ---------------------------------------------------------------------


def test_quarters_are_read_and_written_as_year_and_number():
    assert reviews.quarter_parse("2026Q4") == date(2026, 10, 1)
    assert reviews.quarter_parse("2026-q1") == date(2026, 1, 1)
    assert reviews.quarter_parse("2026Q5") is None and reviews.quarter_parse("") is None
    assert reviews.quarter_label(date(2026, 7, 1)) == "2026Q3"
    assert reviews.quarter_end(date(2026, 10, 1)) == date(2027, 1, 1)
    assert reviews.recent_quarters(date(2026, 2, 10), 3) == [
        date(2026, 1, 1),
        date(2025, 10, 1),
        date(2025, 7, 1),
    ]


# --- opening a review -------------------------------------------------------------------


def test_opening_lists_the_units_active_a_grade_customers(
    client, supervisor_a, unit_a, big, quarter
):
    client.force_login(supervisor_a)
    response = open_review(client, unit_a, reviews.quarter_label(quarter))
    review = BigCustomerReview.objects.get(unit=unit_a, quarter=quarter)
    assert response.status_code == 302 and response["Location"] == review.get_absolute_url()
    listed = set(review.items.values_list("customer__code", flat=True))
    assert listed == {"A-001", "A-002"}
    assert review.opened_by == supervisor_a
    page = client.get(review.get_absolute_url()).content.decode()
    assert "远航物流" in page and "普通客户" not in page and "华南大客户" not in page


def test_opening_twice_does_not_duplicate_and_adds_newcomers(
    client, supervisor_a, unit_a, big, quarter
):
    client.force_login(supervisor_a)
    open_review(client, unit_a, reviews.quarter_label(quarter))
    open_review(client, unit_a, reviews.quarter_label(quarter))
    assert BigCustomerReview.objects.count() == 1
    assert BigCustomerReviewItem.objects.count() == 2
    make_customer(unit_a, code="A-004", grade="A")
    open_review(client, unit_a, reviews.quarter_label(quarter))
    assert BigCustomerReviewItem.objects.count() == 3
    assert AuditLog.objects.filter(action="reports.review_open").count() == 2


def test_a_quarter_not_begun_is_refused_in_chinese(client, supervisor_a, unit_a, big, quarter):
    client.force_login(supervisor_a)
    next_quarter = reviews.quarter_end(quarter)
    response = open_review(client, unit_a, reviews.quarter_label(next_quarter))
    assert response.status_code == 302
    page = client.get(LIST).content.decode()
    assert "尚未开始的季度不能审核" in page
    assert not BigCustomerReview.objects.exists()


def test_a_badly_written_quarter_is_refused_in_chinese(client, supervisor_a, unit_a, big):
    client.force_login(supervisor_a)
    client.post(OPEN, {"unit": unit_a.pk, "quarter": "去年"})
    assert "请按“年份Q季度”填写季度" in client.get(LIST).content.decode()
    assert not BigCustomerReview.objects.exists()


def test_the_other_units_supervisor_cannot_open_unit_as_review(
    client, supervisor_b, unit_a, big, quarter
):
    client.force_login(supervisor_b)
    open_review(client, unit_a, reviews.quarter_label(quarter))
    assert not BigCustomerReview.objects.exists()
    assert "请选择您所在的营业单位" in client.get(LIST).content.decode()


# --- recording ----------------------------------------------------------------------


def test_recording_keeps_the_checklist_the_findings_who_and_when(client, supervisor_a, review, big):
    item = review.items.get(customer=big["a1"])
    client.force_login(supervisor_a)
    url = reverse("reports:review_item", args=[review.pk, item.pk])
    before = timezone.now()
    response = client.post(url, item_post(item, ["file", "contact"], " 对账周期偏长 "))
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.checks == ["file", "contact"]
    assert item.findings == "对账周期偏长"
    assert item.reviewed_by == supervisor_a and item.reviewed_at >= before
    page = client.get(review.get_absolute_url()).content.decode()
    assert "已审核 1 / 2" in page
    assert "赵主管 记录于" in page
    log = AuditLog.objects.get(action="reports.review_record")
    assert log.data["checks"] == ["file", "contact"] and "对账" not in str(log.data)


def test_an_empty_record_is_refused_in_chinese_and_nothing_saved(client, supervisor_a, review, big):
    item = review.items.get(customer=big["a1"])
    client.force_login(supervisor_a)
    url = reverse("reports:review_item", args=[review.pk, item.pk])
    response = client.post(url, item_post(item, [], "   "))
    assert response.status_code == 400
    assert "请勾选已完成的检查项，或写下审核发现" in response.content.decode()
    item.refresh_from_db()
    assert item.reviewed_at is None and item.checks == []


def test_an_unknown_checklist_item_is_refused(client, supervisor_a, review, big):
    item = review.items.get(customer=big["a1"])
    client.force_login(supervisor_a)
    url = reverse("reports:review_item", args=[review.pk, item.pk])
    response = client.post(url, item_post(item, ["file", "bribe"]))
    assert response.status_code == 400
    item.refresh_from_db()
    assert item.reviewed_at is None


def test_a_manager_of_the_unit_sees_and_records_the_other_units_manager_gets_404(
    client, manager_a, manager_b, review, big
):
    item = review.items.get(customer=big["a2"])
    url = reverse("reports:review_item", args=[review.pk, item.pk])
    client.force_login(manager_b)
    assert client.get(review.get_absolute_url()).status_code == 404
    assert client.post(url, item_post(item, ["service"])).status_code == 404
    assert review.pk not in [r.pk for r in client.get(LIST).context["page_obj"]]
    client.force_login(manager_a)
    assert client.get(review.get_absolute_url()).status_code == 200
    assert client.post(url, item_post(item, ["service"])).status_code == 302
    item.refresh_from_db()
    assert item.reviewed_by == manager_a


def test_staff_may_not_open_the_reviews(client, staff_a, review):
    client.force_login(staff_a)
    assert client.get(LIST).status_code == 403
    assert client.get(review.get_absolute_url()).status_code == 403


def test_an_item_of_another_review_is_404(client, supervisor_a, review, unit_a, big, quarter):
    other, _n = reviews.review_open(
        unit=unit_a, quarter=reviews.quarter_of(quarter - timedelta(days=1)), actor=supervisor_a
    )
    foreign = other.items.first()
    client.force_login(supervisor_a)
    url = reverse("reports:review_item", args=[review.pk, foreign.pk])
    assert client.post(url, item_post(foreign, ["file"])).status_code == 404


def test_the_page_counts_the_quarters_visits_and_calls(
    client, supervisor_a, staff_a, review, big, quarter
):
    from datetime import datetime

    def at(day):
        return timezone.make_aware(datetime.combine(day, datetime.min.time()).replace(hour=10))

    make_visit(big["a1"], staff_a, kind="visit", occurred_at=at(quarter))
    make_visit(big["a1"], staff_a, kind="call", occurred_at=at(quarter))
    make_visit(big["a1"], staff_a, kind="visit", occurred_at=at(quarter - timedelta(days=1)))
    client.force_login(supervisor_a)
    rows = client.get(review.get_absolute_url()).context["rows"]
    first = next(r for r in rows if r["item"].customer_id == big["a1"].pk)
    assert (first["item"].visits, first["item"].calls) == (1, 1)


# --- fixed number of queries ---------------------------------------------------------


def test_the_list_and_the_review_cost_the_same_queries_for_more_rows(
    client, supervisor_a, unit_a, review, quarter, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(supervisor_a)
    client.get(review.get_absolute_url())
    with CaptureQueriesContext(connection) as detail, CaptureQueriesContext(connection):
        client.get(review.get_absolute_url())
    with CaptureQueriesContext(connection) as listing:
        client.get(LIST)
    for n in range(10):
        make_customer(unit_a, grade="A", code=f"A-1{n:02d}")
    reviews.review_open(unit=unit_a, quarter=quarter, actor=supervisor_a)
    for back in range(1, 4):
        q = reviews.recent_quarters(quarter, 4)[back]
        reviews.review_open(unit=unit_a, quarter=q, actor=supervisor_a)
    with django_assert_num_queries(len(detail.captured_queries)):
        assert len(client.get(review.get_absolute_url()).context["rows"]) == 12
    with django_assert_num_queries(len(listing.captured_queries)):
        assert len(client.get(LIST).context["page_obj"].object_list) == 4
