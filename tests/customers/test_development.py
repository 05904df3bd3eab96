"""Customer development (客户开发管理表): prospects, the six steps, winning and dropping."""

import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from crm_site.accounts.models import User
from crm_site.core.models import AuditLog
from customers.models import Customer, CustomerChange, Prospect, ProspectEvent, Status
from customers.prospects import services as services
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("customers:development_list")


def make_prospect(owner, unit, **overrides) -> Prospect:
    fields = {"name": f"潜在客户{uuid.uuid4().hex[:6]}", "unit": unit, "owner": owner}
    prospect, _created = services.prospect_create(actor=owner, fields=fields | overrides)
    return prospect


def step(prospect, actor, n, **extra):
    return services.prospect_record_step(
        prospect=prospect,
        actor=actor,
        step=n,
        happened_on=timezone.localdate(),
        **extra,
    )[0]


def convert_data(**overrides) -> dict:
    return {
        "growth_rating": "4",
        "credit_rating": "5",
        "margin_rating": "3",
        "overall_rating": "4",
        "evaluation_note": "付款及时",
        "first_amount": "86500.00",
        "how_won": "三次上门后签订首单",
        "card": "new",
        "code": "NEW-001",
        "nature": "trading",
        "scale": "medium",
        "trend": "growing",
        "annual_revenue": "180",
    } | overrides


@pytest.fixture
def prospect(staff_a, unit_a):
    return make_prospect(staff_a, unit_a, name="苏州新锐光电")


# --- recording prospects and steps ----------------------------------------------


def test_staff_records_a_prospect_and_a_resent_form_does_not_make_a_second(client, staff_a, unit_a):
    client.force_login(staff_a)
    page = client.get(reverse("customers:development_create"))
    token = page.context["form"].initial["form_token"]
    data = {
        "name": "上海沪联冷链",
        "unit": unit_a.pk,
        "owner": staff_a.pk,
        "company_phone": "021-55550000",
        "key_people": "物流经理 李女士",
        "products": "冷冻食品",
        "form_token": str(token),
    }
    first = client.post(reverse("customers:development_create"), data)
    second = client.post(reverse("customers:development_create"), data)
    prospect = Prospect.objects.get()
    assert first["Location"] == second["Location"] == prospect.get_absolute_url()
    assert (prospect.owner, prospect.unit, prospect.step) == (staff_a, unit_a, 0)
    assert AuditLog.objects.filter(action="customers.prospect_create").count() == 1
    page = client.get(prospect.get_absolute_url())
    assert "上海沪联冷链" in page.text and "物流经理 李女士" in page.text


def test_staff_cannot_give_a_prospect_to_a_colleague(client, staff_a, staff_a2, unit_a):
    client.force_login(staff_a)
    client.post(
        reverse("customers:development_create"),
        {"name": "别人的客户", "unit": unit_a.pk, "owner": staff_a2.pk, "form_token": uuid.uuid4()},
    )
    # The owner field is fixed to the staff member themself.
    assert Prospect.objects.get().owner == staff_a


def test_a_prospect_without_a_name_is_refused_in_chinese(client, staff_a, unit_a):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:development_create"),
        {"name": "  ", "unit": unit_a.pk, "form_token": uuid.uuid4()},
    )
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.text
    assert not Prospect.objects.exists()


def test_recorded_steps_advance_the_prospect_and_fill_its_history(client, staff_a, prospect):
    client.force_login(staff_a)
    url = reverse("customers:development_step", args=[prospect.pk])
    today = timezone.localdate().isoformat()
    for n, rate in ((1, ""), (2, ""), (5, "60")):
        response = client.post(
            url,
            {"step": n, "happened_on": today, "success_rate": rate, "note": f"第{n}步",
             "form_token": uuid.uuid4()},
        )  # fmt: skip
        assert response.status_code == 302
    prospect.refresh_from_db()
    assert (prospect.step, prospect.success_rate) == (5, 60)
    page = client.get(prospect.get_absolute_url())
    assert page.context["events"][0].step == 5
    history = page.text.split("开发步骤记录")[1]
    assert "5. 预估达成率" in history and "2. 获取信息" in history and "1. 自我介绍" in history
    assert "预估达成率 60%" in history


def test_an_earlier_step_again_does_not_move_the_prospect_back(staff_a, prospect):
    step(prospect, staff_a, 4)
    step(prospect, staff_a, 2, note="补充了解仓储需求")
    prospect.refresh_from_db()
    assert prospect.step == 4
    assert prospect.events.filter(kind=ProspectEvent.Kind.STEP).count() == 2


def test_step_five_needs_an_estimate_and_step_six_an_appointment(client, staff_a, prospect):
    client.force_login(staff_a)
    url = reverse("customers:development_step", args=[prospect.pk])
    today = timezone.localdate().isoformat()
    five = client.post(url, {"step": 5, "happened_on": today, "form_token": uuid.uuid4()})
    assert five.status_code == 200 and "请填写预估达成率。" in five.text
    six = client.post(url, {"step": 6, "happened_on": today, "form_token": uuid.uuid4()})
    assert six.status_code == 200 and "请填写预约的日期和时间。" in six.text
    rate = client.post(
        url, {"step": 5, "happened_on": today, "success_rate": "120", "form_token": uuid.uuid4()}
    )
    assert rate.status_code == 200 and "100" in rate.text
    assert not prospect.events.filter(kind=ProspectEvent.Kind.STEP).exists()


def test_a_step_cannot_be_dated_in_the_future(client, staff_a, prospect):
    client.force_login(staff_a)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("customers:development_step", args=[prospect.pk]),
        {"step": 1, "happened_on": tomorrow, "form_token": uuid.uuid4()},
    )
    assert response.status_code == 200 and "步骤日期不能晚于今天。" in response.text


def test_a_resent_step_is_recorded_once(client, staff_a, prospect):
    client.force_login(staff_a)
    data = {"step": 1, "happened_on": timezone.localdate().isoformat(), "form_token": uuid.uuid4()}
    url = reverse("customers:development_step", args=[prospect.pk])
    client.post(url, data)
    client.post(url, data)
    assert prospect.events.filter(kind=ProspectEvent.Kind.STEP).count() == 1


# --- the pipeline list and scope --------------------------------------------------


@pytest.fixture
def pipeline(unit_a, unit_b, staff_a, staff_a2, staff_b):
    mine = make_prospect(staff_a, unit_a, name="甲-我的")
    step(mine, staff_a, 5, success_rate=70)
    colleague = make_prospect(staff_a2, unit_a, name="乙-同事的")
    step(colleague, staff_a2, 2)
    other = make_prospect(staff_b, unit_b, name="丙-别的单位")
    step(other, staff_b, 5, success_rate=30)
    return {"mine": mine, "colleague": colleague, "other": other}


def _names(response) -> list[str]:
    return [p.name for p in response.context["page_obj"].object_list]


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("staff_a", {"甲-我的"}),
        ("staff_a2", {"乙-同事的"}),
        ("supervisor_a", {"甲-我的", "乙-同事的"}),
        ("manager_a", {"甲-我的", "乙-同事的"}),
        ("supervisor_b", {"丙-别的单位"}),
        ("admin_user", {"甲-我的", "乙-同事的", "丙-别的单位"}),
    ],
)
def test_each_role_sees_the_prospects_of_its_scope(client, request, pipeline, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    assert set(_names(client.get(LIST))) == expected


def test_a_prospect_outside_the_scope_is_not_found(client, pipeline, staff_a2, supervisor_b):
    mine = pipeline["mine"]
    for user in (staff_a2, supervisor_b):
        client.force_login(user)
        for name in ("development_detail", "development_convert"):
            assert client.get(reverse(f"customers:{name}", args=[mine.pk])).status_code == 404
        step_url = reverse("customers:development_step", args=[mine.pk])
        assert client.post(step_url, {"step": 6}).status_code == 404
    mine.refresh_from_db()
    assert mine.step == 5


def test_a_user_without_a_role_gets_403(client, pipeline):
    nobody = User.objects.create_user("nobody", password="x-pass-2026")
    client.force_login(nobody)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("customers:care_list")).status_code == 403
    detail = reverse("customers:development_detail", args=[pipeline["mine"].pk])
    assert client.get(detail).status_code == 403


def test_the_pipeline_filters_by_unit_step_and_owner_and_sorts_by_rate(
    client, admin_user, pipeline, unit_a, staff_a2
):
    client.force_login(admin_user)
    assert set(_names(client.get(LIST, {"unit": unit_a.pk}))) == {"甲-我的", "乙-同事的"}
    assert _names(client.get(LIST, {"step": 5, "sort": "-rate"})) == ["甲-我的", "丙-别的单位"]
    assert _names(client.get(LIST, {"step": 5, "sort": "rate"})) == ["丙-别的单位", "甲-我的"]
    assert _names(client.get(LIST, {"owner": staff_a2.pk})) == ["乙-同事的"]
    assert _names(client.get(LIST, {"q": "别的"})) == ["丙-别的单位"]


def test_the_pipeline_is_paginated(client, staff_a, unit_a):
    for n in range(27):
        make_prospect(staff_a, unit_a, name=f"客户{n:02d}")
    client.force_login(staff_a)
    first = client.get(LIST, {"sort": "name"})
    assert len(first.context["page_obj"].object_list) == 25
    second = client.get(LIST, {"sort": "name", "page": 2})
    assert _names(second) == ["客户25", "客户26"]


# --- becoming a customer ----------------------------------------------------------


def test_winning_a_prospect_creates_an_active_graded_customer_with_the_report(
    client, staff_a, prospect
):
    step(prospect, staff_a, 6, appointment_at=timezone.now() + timedelta(days=2))
    client.force_login(staff_a)
    url = reverse("customers:development_convert", args=[prospect.pk])
    response = client.post(url, convert_data())
    assert response.status_code == 302
    customer = Customer.objects.get(code="NEW-001")
    assert (customer.name, customer.status, customer.unit) == (
        "苏州新锐光电",
        "active",
        prospect.unit,
    )
    assert customer.visiting_person == staff_a and customer.sales_owner == staff_a
    assert customer.grade  # graded at once under the current rule
    assert customer.changes.filter(kind=CustomerChange.Kind.CREATED).exists()
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.WON and prospect.customer == customer
    assert prospect.first_amount == Decimal("86500.00")
    assert (prospect.growth_rating, prospect.credit_rating, prospect.overall_rating) == (4, 5, 4)
    page = client.get(prospect.get_absolute_url())
    assert "86500.00 元" in page.text and "三次上门后签订首单" in page.text
    assert "信用度" in page.text and "优" in page.text
    entry = AuditLog.objects.get(action="customers.prospect_won")
    assert entry.data == {"customer": customer.pk, "linked": False}
    card = client.get(customer.get_absolute_url())
    section = card.text.split('id="customer-development-title"')[1]
    assert "86500.00 元" in section and "三次上门后签订首单" in section


def test_winning_can_link_a_potential_customer_already_in_the_book(
    client, supervisor_a, staff_a, prospect, unit_a
):
    card = f.make_customer(unit_a, code="POT-1", status=Status.POTENTIAL, visiting_person=staff_a)
    client.force_login(supervisor_a)
    data = convert_data(card="existing", customer="POT-1 · whatever", code="")
    response = client.post(reverse("customers:development_convert", args=[prospect.pk]), data)
    assert response.status_code == 302
    card.refresh_from_db()
    assert card.status == Status.ACTIVE
    prospect.refresh_from_db()
    assert prospect.customer == card and prospect.status == Prospect.Status.WON
    assert Customer.objects.count() == 1


def test_a_card_outside_the_scope_cannot_be_linked(client, staff_a, prospect, unit_b, staff_b):
    f.make_customer(unit_b, code="OTHER-1", status=Status.POTENTIAL, visiting_person=staff_b)
    client.force_login(staff_a)
    data = convert_data(card="existing", customer="OTHER-1", code="")
    response = client.post(reverse("customers:development_convert", args=[prospect.pk]), data)
    assert response.status_code == 200
    assert (
        "找不到该客户（不在您的客户范围内），请输入客户编号或完整名称，或从列表中选择。"
        in response.text
    )
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.OPEN


def test_a_taken_code_refuses_the_whole_conversion_in_chinese(client, staff_a, prospect, unit_a):
    f.make_customer(unit_a, code="NEW-001")
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:development_convert", args=[prospect.pk]), convert_data()
    )
    assert response.status_code == 200
    assert "该客户编码已被占用。" in response.text
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.OPEN and prospect.first_amount is None
    assert Customer.objects.count() == 1


def test_missing_evaluation_and_report_are_refused_in_chinese(client, staff_a, prospect):
    client.force_login(staff_a)
    data = convert_data(overall_rating="", how_won="", first_amount="-5")
    response = client.post(reverse("customers:development_convert", args=[prospect.pk]), data)
    assert response.status_code == 200
    assert "这个字段是必填项。" in response.text
    assert "确保该值大于或等于0" in response.text
    assert not Customer.objects.exists()


def test_a_failure_after_the_card_is_written_leaves_nothing_behind(
    client, staff_a, prospect, monkeypatch
):
    def broken_audit(**kwargs):
        raise RuntimeError("audit log unavailable")

    monkeypatch.setattr(services, "audit", broken_audit)
    client.raise_request_exception = False
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:development_convert", args=[prospect.pk]), convert_data()
    )
    assert response.status_code == 500
    assert not Customer.objects.exists()
    assert not CustomerChange.objects.exists()
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.OPEN and prospect.customer is None


def test_winning_twice_makes_one_customer(client, staff_a, prospect):
    client.force_login(staff_a)
    url = reverse("customers:development_convert", args=[prospect.pk])
    client.post(url, convert_data())
    again = client.post(url, convert_data(code="NEW-002"), follow=True)
    assert "该潜在客户的开发已结束（已成交）" in again.text
    assert list(Customer.objects.values_list("code", flat=True)) == ["NEW-001"]


def test_a_closed_prospect_takes_no_more_steps(client, staff_a, prospect):
    services.prospect_drop(prospect=prospect, actor=staff_a, reason="对方已签竞争对手")
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:development_step", args=[prospect.pk]),
        {"step": 1, "happened_on": timezone.localdate().isoformat(), "form_token": uuid.uuid4()},
        follow=True,
    )
    assert "该潜在客户的开发已结束（已放弃），未做任何更改。" in response.text
    assert not prospect.events.filter(kind=ProspectEvent.Kind.STEP).exists()


def test_dropping_needs_a_reason_and_is_kept(client, staff_a, prospect):
    client.force_login(staff_a)
    url = reverse("customers:development_drop", args=[prospect.pk])
    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 200 and "这个字段是必填项。" in refused.text
    client.post(url, {"reason": "对方已与竞争对手签订三年合同"})
    prospect.refresh_from_db()
    assert prospect.status == Prospect.Status.DROPPED
    assert prospect.drop_reason == "对方已与竞争对手签订三年合同"
    assert AuditLog.objects.filter(action="customers.prospect_drop").count() == 1
    page = client.get(prospect.get_absolute_url())
    assert "对方已与竞争对手签订三年合同" in page.text


def test_the_demo_seeds_prospects_at_every_step_once(db):
    from io import StringIO

    from django.core.management import call_command

    call_command("seed_demo", stdout=StringIO())
    first = set(Prospect.objects.values_list("name", "step", "status"))
    call_command("seed_demo", stdout=StringIO())
    assert set(Prospect.objects.values_list("name", "step", "status")) == first
    assert {s for _n, s, _st in first} >= {1, 2, 3, 4, 5, 6}
    won = Prospect.objects.get(status=Prospect.Status.WON)
    assert won.customer.status == Status.ACTIVE


def test_a_supervisor_files_a_prospect_for_a_unit_member_but_not_for_another_unit(
    client, supervisor_a, staff_a2, staff_b, unit_a, unit_b
):
    client.force_login(supervisor_a)
    url = reverse("customers:development_create")
    data = {
        "name": "给同事开发",
        "unit": unit_a.pk,
        "owner": staff_a2.pk,
        "form_token": uuid.uuid4(),
    }
    assert client.post(url, data).status_code == 302
    assert Prospect.objects.get().owner == staff_a2
    outsider = client.post(url, data | {"owner": staff_b.pk, "form_token": uuid.uuid4()})
    assert outsider.status_code == 200 and "选择一个有效的选项" in outsider.text
    other_unit = client.post(url, data | {"unit": unit_b.pk, "form_token": uuid.uuid4()})
    assert other_unit.status_code == 200 and "选择一个有效的选项" in other_unit.text
    assert Prospect.objects.count() == 1


def test_a_manager_of_two_units_sees_both_units_prospects(client, pipeline, unit_a, unit_b):
    manager = f.make_user("manager", [unit_a, unit_b], username="manager_ab")
    client.force_login(manager)
    assert set(_names(client.get(LIST))) == {"甲-我的", "乙-同事的", "丙-别的单位"}
