"""Two people editing one customer card, contact or grading rule at once: the
second save is refused with what the first changed, and keeps its input."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer, GradingRule
from tests import factories as f
from tests.customers.rules import definition, rule_post
from tests.support.forms import page_post

pytestmark = pytest.mark.django_db


def opened(user, url):
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return client, response.context["form"]


def test_a_stale_card_save_is_refused_with_the_colleagues_change(supervisor_a, staff_a, book):
    mine = book["mine"]
    url = reverse("customers:edit", args=[mine.pk])
    first, first_form = opened(supervisor_a, url)
    second, second_form = opened(staff_a, url)

    saved = second.post(url, page_post(second_form, name="上海远航物流集团"))
    assert saved.status_code == 302

    refused = first.post(url, page_post(first_form, address="上海市浦东新区 88 号"))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "张三" in text and "在您打开表单后保存了此记录" in text
    assert "客户名称" in text and "上海远航物流集团" in text
    assert Customer.objects.get(pk=mine.pk).name == "上海远航物流集团"
    assert Customer.objects.get(pk=mine.pk).address == ""
    form = refused.context["form"]
    assert form["address"].value() == "上海市浦东新区 88 号"

    # Having seen the message, the user saves again: this time it goes through.
    again = first.post(url, page_post(form))
    assert again.status_code == 302
    mine.refresh_from_db()
    assert mine.address == "上海市浦东新区 88 号"


def test_a_save_without_a_colleagues_change_goes_through(supervisor_a, book):
    url = reverse("customers:edit", args=[book["mine"].pk])
    client, form = opened(supervisor_a, url)
    assert client.post(url, page_post(form, industry="汽车零部件")).status_code == 302
    assert Customer.objects.get(pk=book["mine"].pk).industry == "汽车零部件"


def test_a_stale_contact_save_is_refused_with_the_colleagues_change(staff_a, supervisor_a, book):
    contact = f.make_contact(book["mine"], name="刘丽华", mobile="13400007919")
    url = reverse("customers:contact_edit", args=[book["mine"].pk, contact.pk])
    first, first_form = opened(staff_a, url)
    second, second_form = opened(supervisor_a, url)

    assert second.post(url, page_post(second_form, mobile="13900001111")).status_code == 302

    refused = first.post(url, page_post(first_form, position="物流经理"))
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "赵主管" in text and "13900001111" in text
    contact.refresh_from_db()
    assert (contact.mobile, contact.position) == ("13900001111", "")
    assert refused.context["form"]["position"].value() == "物流经理"


def test_a_stale_grading_rule_save_is_refused_and_keeps_the_editors_rule(admin_user, book):
    other_admin = f.make_user("admin", username="admin2", full_name="吴管理员")
    first, second = Client(), Client()
    first.force_login(admin_user)
    second.force_login(other_admin)
    first.get("/customers/grading/")  # opened on v1
    loaded = {"version": GradingRule.objects.current().version}

    second.post("/customers/grading/", rule_post(definition(A=95), action="save") | loaded)
    assert GradingRule.objects.current().version == 2

    refused = first.post(
        "/customers/grading/", rule_post(definition(C=50), action="save", note="C 级") | loaded
    )
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "吴管理员" in text and "A ≥95" in text
    assert GradingRule.objects.current().version == 2
    editor = refused.context["editor"]
    assert [g["min_points"] for g in editor.definition()["grades"]][2] == 50
    assert editor.rule["version"].value() == "2"
