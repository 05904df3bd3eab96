"""What complaints add to other pages: the role home panel and the customer card section."""

from datetime import timedelta

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.utils import timezone

from complaints.models import Complaint
from complaints.panels import customer_card_section, home_panel
from crm_site.core import registry
from tests import factories as f

pytestmark = pytest.mark.django_db


def request_for(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture
def open_and_overdue(customer_a, customer_a2, staff_a, supervisor_a):
    mine = f.make_complaint(customer_a, by=staff_a)
    late = f.make_complaint(customer_a, by=staff_a, deadline=timezone.now() - timedelta(hours=3))
    others = f.make_complaint(customer_a2, by=supervisor_a)
    f.make_complaint(customer_a, by=staff_a, status="closed")
    return mine, late, others


def test_the_staff_home_shows_their_open_and_overdue_complaints(client, open_and_overdue, staff_a):
    mine, late, others = open_and_overdue
    client.force_login(staff_a)
    html = client.get("/").content.decode()
    assert 'id="home-complaints-open">2<' in html
    assert 'id="home-complaints-overdue">1<' in html
    assert mine.number in html and late.number in html
    assert others.number not in html
    assert "我的未结投诉" in html


def test_the_supervisor_home_counts_the_whole_unit(open_and_overdue, supervisor_a):
    panel = home_panel(request_for(supervisor_a))
    assert panel["counts"] == {"open": 3, "overdue": 1}
    # Most urgent first.
    assert panel["complaints"][0] == open_and_overdue[1]


def test_a_manager_also_sees_what_awaits_approval(customer_a, staff_a, manager_a):
    f.make_complaint(customer_a, by=staff_a, severity="major", status="awaiting_approval")
    panel = home_panel(request_for(manager_a))
    assert panel["counts"]["awaiting_approval"] == 1
    html = render_to_string(panel["template"], {"panel": panel, "user": manager_a})
    assert 'id="home-complaints-approval">1<' in html
    assert "status=awaiting_approval" in html


def test_the_home_panel_is_registered():
    assert "complaints.panels.home_panel" in registry.home_panels
    assert "complaints.panels.customer_card_section" in registry.customer_card_sections


def test_the_customer_card_lists_the_customers_complaints_the_user_may_see(
    customer_a, staff_a, supervisor_a, staff_b
):
    first = f.make_complaint(customer_a, by=staff_a)
    second = f.make_complaint(customer_a, by=supervisor_a, status="closed")
    section = customer_card_section(request_for(staff_a), customer_a)
    assert section["template"] == "complaints/partials/_customer_card_complaints.html"
    assert set(section["complaints"]) == {first, second}
    assert (section["total"], section["open"]) == (2, 1)
    html = render_to_string(section["template"], {"section": section})
    assert first.number in html and second.number in html
    assert "已结案" in html
    assert f"?customer={customer_a.code}" in html  # log another one for this customer
    assert f"?customer={customer_a.pk}" in html  # all of them in the register
    # A staff member of another unit is shown none of them.
    assert customer_card_section(request_for(staff_b), customer_a)["complaints"] == []


def test_the_card_counts_all_complaints_when_it_shows_only_the_latest(customer_a, staff_a):
    for _ in range(12):
        f.make_complaint(customer_a, by=staff_a)
    section = customer_card_section(request_for(staff_a), customer_a)
    assert len(section["complaints"]) == 10
    assert section["total"] == 12
    assert Complaint.objects.count() == 12


def test_an_empty_card_section_says_so(customer_a, staff_a):
    section = customer_card_section(request_for(staff_a), customer_a)
    html = render_to_string(section["template"], {"section": section})
    assert "该客户暂无投诉" in html


def test_the_register_filters_by_the_customer_from_the_card(
    client, customer_a, customer_a2, supervisor_a
):
    one = f.make_complaint(customer_a, by=supervisor_a)
    other = f.make_complaint(customer_a2, by=supervisor_a)
    client.force_login(supervisor_a)
    html = client.get("/complaints/", {"customer": customer_a.pk}).content.decode()
    assert one.number in html and other.number not in html


def test_the_log_form_starts_with_the_customer_from_the_card(client, customer_a, staff_a):
    client.force_login(staff_a)
    html = client.get("/complaints/new/", {"customer": customer_a.code}).content.decode()
    assert f'value="{customer_a.code}' in html
