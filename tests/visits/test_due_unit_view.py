"""/visits/due/ for a supervisor opens on the whole unit (待巡访 of every
customer of the unit, with whose customer it is); staff keep their own list;
an empty list never says everything is done when it is not."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_customer, make_visit

pytestmark = pytest.mark.django_db

ALL_DONE_UNIT = "本单位每位客户都已完成"
ALL_DONE = "都已完成"


def due_page(client, user, **params) -> str:
    client.force_login(user)
    return client.get(reverse("visits:due"), params).content.decode()


def test_a_supervisors_due_list_opens_on_every_customer_of_the_unit(
    client, supervisor_a, staff_a, staff_a2, unit_a, customer_of_unit_b
):
    mine = make_customer(unit_a, name="张三的客户", grade="A", visiting_person=staff_a)
    theirs = make_customer(unit_a, name="李四的客户", grade="B", visiting_person=staff_a2)
    html = due_page(client, supervisor_a)
    assert "待巡访 · 本单位全部客户" in html
    assert mine.name in html and theirs.name in html
    assert "巡访专员 张三" in html and "巡访专员 李四" in html
    assert customer_of_unit_b.name not in html
    assert ALL_DONE not in html


def test_a_supervisor_without_customers_of_their_own_is_not_told_all_is_done(
    client, supervisor_a, staff_a, unit_a
):
    make_customer(unit_a, name="张三的客户", grade="A", visiting_person=staff_a)
    html = due_page(client, supervisor_a, person="me")
    assert "您名下没有客户。" in html
    assert ALL_DONE not in html
    assert 'href="/visits/due/">查看本单位的待巡访</a>' in html


def test_the_unit_view_says_all_done_only_when_every_customer_is(
    client, supervisor_a, staff_a, unit_a
):
    customer = make_customer(unit_a, name="勤快客户", grade="D", visiting_person=staff_a)
    assert ALL_DONE_UNIT not in due_page(client, supervisor_a)
    # Grade D (test cadence): two visits a month and one call a week.
    for kind in ("visit", "visit", "call"):
        make_visit(customer, staff_a, kind=kind, occurred_at=timezone.now())
    html = due_page(client, supervisor_a)
    assert f'id="due-{customer.pk}"' not in html
    assert ALL_DONE_UNIT in html


def test_the_supervisor_can_still_pick_their_own_list_or_a_staff_member(
    client, supervisor_a, staff_a, staff_a2, unit_a
):
    mine = make_customer(unit_a, name="张三的客户", grade="A", visiting_person=staff_a)
    theirs = make_customer(unit_a, name="李四的客户", grade="B", visiting_person=staff_a2)
    html = due_page(client, supervisor_a, person=staff_a.pk)
    assert mine.name in html and theirs.name not in html
    assert "待巡访 · 张三" in html


def test_staff_keep_their_own_list(client, staff_a, staff_a2, unit_a):
    mine = make_customer(unit_a, name="张三的客户", grade="A", visiting_person=staff_a)
    theirs = make_customer(unit_a, name="李四的客户", grade="B", visiting_person=staff_a2)
    for params in ({}, {"person": "unit"}, {"person": staff_a2.pk}):
        html = due_page(client, staff_a, **params)
        assert mine.name in html and theirs.name not in html
        assert "本单位全部客户" not in html


def test_a_manager_keeps_their_own_list_by_default(client, manager_a, staff_a, unit_a):
    make_customer(unit_a, name="张三的客户", grade="A", visiting_person=staff_a)
    html = due_page(client, manager_a)
    assert "张三的客户" not in html
    assert "您名下没有客户。" in html


def test_the_unit_view_runs_a_fixed_number_of_queries(
    client, supervisor_a, staff_a, staff_a2, unit_a, django_assert_max_num_queries
):
    for i in range(12):
        person = staff_a if i % 2 else staff_a2
        make_customer(unit_a, name=f"客户{i}", grade="ABCD"[i % 4], visiting_person=person)
    client.force_login(supervisor_a)
    client.get(reverse("visits:due"))
    with django_assert_max_num_queries(14):
        response = client.get(reverse("visits:due"))
    assert response.context["due_count"] == 12


def test_a_call_logged_from_the_unit_view_redraws_the_row_with_whose_customer_it_is(
    client, supervisor_a, staff_a, unit_a
):
    import uuid

    customer = make_customer(unit_a, name="张三的大客户", grade="A", visiting_person=staff_a)
    client.force_login(supervisor_a)
    reply = client.post(
        reverse("visits:log_call", args=[customer.pk]),
        {"form_token": str(uuid.uuid4()), "show_person": "1"},
        headers={"Accept": "application/json"},
    ).json()
    assert reply["ok"] and "巡访专员 张三" in reply["html"]
