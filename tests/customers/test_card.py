"""The customer card: every field, contacts, grade breakdown, histories, other apps' sections."""

import copy
import uuid
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import Role
from crm_site.core import registry
from customers.services import customer_pin_grade
from tests.factories import make_contact, make_user

pytestmark = pytest.mark.django_db

# Fixed whatever the number of contacts, services and history rows.
# The session, the user, its groups and memberships, the customer, then one
# round trip for what the card and the sections show (crm_site.core.batch:
# contacts, services, histories, visits, entries, the work calendar,
# complaints, surveys, the green channel's promises, the turnover figures and
# the nav badges), and the session's save (three statements); what matters is
# that it does not grow with contacts, visits or history
# (tests/customers/test_card_queries.py). One more each for a latest watch and
# a latest enterprise survey when there is one, and for the development
# section when the customer was won from a prospect the user may see.
CARD_QUERIES = 9


def section_from_a_test_app(request, customer):
    return {"template": "test_sections/visits.html", "count": 7, "name": customer.name}


def nothing_to_show(request, customer):
    return None


def test_the_card_shows_every_field_and_the_grade_breakdown(client, supervisor_a, book):
    customer = book["mine"]
    customer.industry = "电子制造"
    customer.address = "上海市浦东新区张江路 100 号"
    customer.notes = "年度框架合同"
    customer.save()
    client.force_login(supervisor_a)
    html = client.get(customer.get_absolute_url()).content.decode()
    for text in [
        "上海远航物流",
        "A-001",
        "生产企业",
        "大型",
        "1,200.00 万元",  # grouped in thousands, as on the list (crm_site/formats)
        "上升",
        "电子制造",
        "上海",
        "张江路",
        "华东营业部",
        "活跃",
        "年度框架合同",
        "张三",
    ]:
        assert text in html, text
    # Why grade A: points per criterion under rule v1 (50 + 20 + 15 + 15).
    assert "分级规则 v1" in html and "100 分" in html
    breakdown = client.get(customer.get_absolute_url()).context["breakdown"]
    assert [(row["label"], row["points"]) for row in breakdown] == [
        ("年营业额", 50),
        ("规模", 20),
        ("发展趋势", 15),
        ("客户性质", 15),
    ]


def test_the_card_lists_contacts_with_their_care_date(client, supervisor_a, book):
    make_contact(
        book["mine"],
        name="刘丽华",
        position="物流经理",
        care_kind="birthday",
        care_date="1980-04-04",
        is_primary=True,
    )
    client.force_login(supervisor_a)
    html = client.get(book["mine"].get_absolute_url()).content.decode()
    assert "刘丽华" in html and "物流经理" in html and "生日 04-04" in html and "主要" in html


def test_the_card_shows_the_pin_and_the_grade_history(client, supervisor_a, book):
    customer_pin_grade(customer=book["colleague"], actor=supervisor_a, grade="B", reason="总部指定")
    client.force_login(supervisor_a)
    html = client.get(book["colleague"].get_absolute_url()).content.decode()
    assert "等级已人工锁定" in html and "总部指定" in html
    assert "按规则 v1 应评为 C 级" in html
    assert "C → B" in html and "人工锁定" in html


def test_other_apps_add_sections_to_the_card(client, supervisor_a, book, settings):
    templates = copy.deepcopy(settings.TEMPLATES)
    templates[0]["DIRS"] = [*templates[0]["DIRS"], Path(__file__).parent / "templates"]
    settings.TEMPLATES = templates
    sections = [
        "tests.customers.test_card.section_from_a_test_app",
        "tests.customers.test_card.nothing_to_show",
    ]
    client.force_login(supervisor_a)
    with registry.customer_card_sections.replaced(sections):
        html = client.get(book["mine"].get_absolute_url()).content.decode()
    assert "近期巡访 7 次：上海远航物流" in html


def test_the_card_costs_a_bounded_number_of_queries(
    client, supervisor_a, book, django_assert_max_num_queries
):
    for i in range(5):
        make_contact(book["mine"], name=f"联系人{i}")
    client.force_login(supervisor_a)
    client.get(book["mine"].get_absolute_url())
    with django_assert_max_num_queries(CARD_QUERIES):
        client.get(book["mine"].get_absolute_url())


def test_a_contact_change_appears_in_the_history(client, supervisor_a, book):
    client.force_login(supervisor_a)
    url = reverse("customers:contact_create", args=[book["mine"].pk])
    client.post(
        url,
        {
            "name": "陈海涛",
            "mobile": "13500112648",
            "care_kind": "",
            "is_primary": "on",
            "form_token": str(uuid.uuid4()),
        },
    )
    contact = book["mine"].contacts.get()
    client.post(
        reverse("customers:contact_edit", args=[book["mine"].pk, contact.pk]),
        {"name": "陈海涛", "mobile": "13500112649", "position": "总经理助理"},
    )
    history = [
        item["title"] for item in client.get(book["mine"].get_absolute_url()).context["changes"]
    ]
    assert history == ["联系人变更: 陈海涛", "新增联系人: 陈海涛"]


def test_the_card_names_its_people_as_every_page_does(client, supervisor_a, book, unit_a):
    """Full name, else first and last name, else the login: the visiting person,
    the sales owner, who created the card, who pinned its grade and who
    assigned it by exception."""
    customer = book["mine"]
    customer.sales_owner = make_user(
        Role.STAFF, unit_a, full_name="", first_name="海", last_name="王"
    )
    customer.created_by = make_user(Role.STAFF, unit_a, username="creator9", full_name="")
    customer.assignment_override_by = make_user(Role.SUPERVISOR, unit_a, full_name="例外批准人")
    customer.assignment_override_reason = "区域销售兼任"
    customer.assignment_override_at = timezone.now()
    customer.save()
    customer_pin_grade(customer=customer, actor=supervisor_a, grade="B", reason="总部指定")
    client.force_login(supervisor_a)
    html = client.get(customer.get_absolute_url()).content.decode()
    for name in (
        customer.visiting_person.get_full_name(),
        "海 王",
        "creator9",
        "例外批准人",
        supervisor_a.get_full_name(),
    ):
        assert name in html, name
