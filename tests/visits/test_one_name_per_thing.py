"""One name per thing: a status, an action or a page is called the same on its
badge, in the filter, on the button and in the timeline (Chinese interface)."""

import re
import uuid

import pytest
from django.urls import reverse

from tests.factories import make_urgent_report

pytestmark = pytest.mark.django_db


def text_of(html: str, pattern: str) -> list[str]:
    """The inner texts (tags stripped, spaces squeezed) of what `pattern` captures."""
    found = re.findall(pattern, html, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", f).split()) for f in found]


def test_a_routed_report_is_called_routed_on_its_badge_in_the_filter_and_in_the_timeline(
    client, unit_a, supervisor_a, manager_a
):
    report = make_urgent_report(unit_a, supervisor_a, route=True)
    client.force_login(manager_a)
    queue = client.get(reverse("visits:urgent_list")).content.decode()
    detail = client.get(report.get_absolute_url()).content.decode()

    badges = text_of(queue, r'<span class="badge [^"]*urgent-status">(.*?)</span>')
    options = text_of(queue, r'<option value="routed"[^>]*>(.*?)</option>')
    timeline = text_of(detail, r'<li class="list-group-item urgent-event-routed">(.*?)</li>')
    assert badges and set(badges) == {"已分派"}
    assert options == ["已分派"]
    assert timeline and timeline[0].startswith("已分派 → 孙经理")
    assert text_of(detail, r'<span class="badge [^"]*urgent-status">(.*?)</span>') == ["已分派"]
    for page in (queue, detail):
        assert "待确认" not in page


def test_a_comment_is_called_a_comment_on_the_form_the_button_and_the_timeline(
    client, unit_a, supervisor_a, manager_a
):
    report = make_urgent_report(unit_a, supervisor_a, route=True)
    client.force_login(supervisor_a)
    page = client.post(
        reverse("visits:urgent_comment", args=[report.pk]),
        {"comment": "客户今天再次来电", "token": str(uuid.uuid4())},
        follow=True,
    ).content.decode()

    title = text_of(page, r'<h2 class="h6 mb-2" id="action-comment-title">(.*?)</h2>')
    button = text_of(
        page, r'<section[^>]*id="action-comment".*?<button type="submit"[^>]*>(.*?)</button>'
    )
    entry = text_of(page, r'<li class="list-group-item urgent-event-commented">(.*?)</li>')
    assert title == ["留言"]
    assert button == ["添加留言"]
    assert entry and entry[0].startswith("已留言")
    assert "留言已添加。" in page
    assert "批注" not in page


def test_the_due_list_is_called_visits_due_in_the_menu_the_breadcrumb_and_the_heading(
    client, staff_a
):
    client.force_login(staff_a)
    page = client.get(reverse("visits:due")).content.decode()
    menu = text_of(page, r'<a[^>]*href="/visits/due/"[^>]*>(.*?)</a>')
    heading = text_of(page, r"<h1[^>]*>(.*?)</h1>")
    title = text_of(page, r"<title>(.*?)</title>")
    crumb = text_of(page, r'<li class="breadcrumb-item active"[^>]*>(.*?)</li>')
    assert menu and all(m.startswith("待巡访") for m in menu)
    assert heading == ["待巡访"]
    assert title[0].startswith("待巡访")
    assert crumb == ["待巡访"]
    assert "待走访与待电话" not in page
