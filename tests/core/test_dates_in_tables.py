"""The tables read their dates the Chinese way (12月7日 周一), the full date kept in a tooltip."""

import re
from datetime import datetime, timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone, translation

from crm_site.core import dates
from reports import reviews
from tests.factories import make_complaint, make_customer

pytestmark = pytest.mark.django_db

ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def table_text(html: str) -> str:
    """What a reader sees in the page's table body (tags and their attributes left out)."""
    body = re.search(r"<tbody[^>]*>(.*?)</tbody>", html, re.S)
    assert body, "the page has no table"
    return re.sub(r"<[^>]+>", " ", body.group(1))


def zh_page(client, user, url) -> str:
    client.force_login(user)
    response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    return response.content.decode()


def test_complaint_plan_and_review_lists_read_chinese_day_labels(
    client, unit_a, supervisor_a, manager_a, staff_a
):
    from visits.plans.services import service_plan_create

    today = timezone.localdate()
    customer = make_customer(unit_a, grade="A", visiting_person=staff_a)
    make_complaint(customer, by=supervisor_a)
    service_plan_create(
        actor=manager_a,
        unit=unit_a,
        title="本月服务计划",
        start=today,
        end=today + timedelta(days=3),
    )
    reviews.review_open(unit=unit_a, quarter=reviews.quarter_of(today), actor=supervisor_a)
    with translation.override("zh-hans"):
        label = dates.day_label(today)
    assert "周" in label and "月" in label

    for user, url in (
        (supervisor_a, reverse("complaints:list")),
        (manager_a, reverse("visits:plan_list")),
        (supervisor_a, reverse("reports:review_list")),
    ):
        html = zh_page(client, user, url)
        text = table_text(html)
        assert label in text, url
        assert not ISO_DAY.search(text), (url, ISO_DAY.findall(text))
        # The full date stays at hand for a screen reader or a tooltip.
        assert f'title="{today.isoformat()}' in html, url


def test_a_moment_reads_day_label_and_time_english_keeps_iso():
    at = timezone.make_aware(datetime(2026, 12, 7, 14, 30))
    template = Template("{% load crm_format %}{{ t|moment_time }}")
    with translation.override("zh-hans"):
        assert dates.moment_label(at, year=False) == "12月7日 周一 14:30"
        assert dates.moment_label(at, year=True) == "2026年12月7日 周一 14:30"
        html = template.render(Context({"t": at}))
    assert 'datetime="2026-12-07T14:30" title="2026-12-07 14:30"' in html
    with translation.override("en"):
        assert dates.moment_label(at) == "2026-12-07 14:30"
    assert Template("{% load crm_format %}{{ t|moment_time }}").render(Context({"t": None})) == ""
