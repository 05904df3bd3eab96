"""Enterprise customer service surveys (企业客户服务调查表): list, record, read,
and the department head's opinion (the unit's supervisor or higher)."""

import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from customers.fields import customer_label
from customers.models import CustomerChange
from customers.voice.models import EnterpriseSurvey
from tests.factories import make_customer, make_voice

pytestmark = pytest.mark.django_db


def enterprise_post(customer, visitor, **overrides):
    return {
        "customer": customer_label(customer),
        "visited_on": timezone.localdate().isoformat(),
        "visitor": visitor.pk,
        "interviewee": "王经理",
        "opinions": "旺季运力紧张，希望提前确认车辆。",
        "answers": "已与运输部协调预留运力。",
        "visitor_opinion": "建议列为重点跟进客户。",
        "form_token": str(uuid.uuid4()),
    } | overrides


def test_staff_record_a_survey_and_find_it_in_the_list(client, staff_a, mine):
    client.force_login(staff_a)
    create = reverse("customers:enterprise_survey_create")
    form = client.get(create, {"customer": mine.pk}).content.decode()
    assert customer_label(mine) in form  # opened from the card: the customer is filled in
    response = client.post(create, enterprise_post(mine, staff_a))
    survey = EnterpriseSurvey.objects.get()
    assert response["Location"] == survey.get_absolute_url()
    assert (survey.customer, survey.unit, survey.visitor, survey.created_by) == (
        mine,
        mine.unit,
        staff_a,
        staff_a,
    )
    detail = client.get(survey.get_absolute_url()).content.decode()
    for text in [
        "旺季运力紧张",
        "已与运输部协调预留运力",
        "建议列为重点跟进客户",
        "王经理",
        "尚未填写。",
    ]:
        assert text in detail, text
    listing = client.get(reverse("customers:enterprise_survey_list")).content.decode()
    assert survey.get_absolute_url() in listing and "待主管批示" in listing
    assert CustomerChange.objects.filter(customer=mine, kind=CustomerChange.Kind.VOICE).exists()


def test_a_survey_without_the_customers_opinions_is_refused_in_chinese(client, staff_a, mine):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:enterprise_survey_create"), enterprise_post(mine, staff_a, opinions="")
    )
    assert response.status_code == 200
    assert "请填写客户提出的意见。" in response.content.decode()
    assert not EnterpriseSurvey.objects.exists()


def test_staff_cannot_record_a_survey_of_a_colleagues_customer(client, staff_a, staff_a2, unit_a):
    colleagues = make_customer(unit_a, code="E-A2", visiting_person=staff_a2)
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:enterprise_survey_create"), enterprise_post(colleagues, staff_a)
    )
    assert "找不到该客户（不在您的客户范围内）" in response.content.decode()
    assert not EnterpriseSurvey.objects.exists()


def test_staff_name_only_themselves_as_the_visitor(client, staff_a, staff_a2, mine):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:enterprise_survey_create"), enterprise_post(mine, staff_a2)
    )
    assert response.status_code == 200
    assert not EnterpriseSurvey.objects.exists()


def test_sending_the_same_survey_twice_records_it_once(client, staff_a, mine):
    client.force_login(staff_a)
    data = enterprise_post(mine, staff_a)
    client.post(reverse("customers:enterprise_survey_create"), data)
    client.post(reverse("customers:enterprise_survey_create"), data)
    assert EnterpriseSurvey.objects.count() == 1


def test_the_units_supervisor_adds_the_department_heads_opinion(
    client, staff_a, supervisor_a, mine
):
    survey = make_voice(mine, staff_a).enterprise
    client.force_login(supervisor_a)
    detail = client.get(survey.get_absolute_url()).content.decode()
    assert reverse("customers:enterprise_survey_opinion", args=[survey.pk]) in detail
    response = client.post(
        reverse("customers:enterprise_survey_opinion", args=[survey.pk]),
        {"head_opinion": "同意，请信息部本月给出时间表。"},
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert survey.head_opinion == "同意，请信息部本月给出时间表。"
    assert survey.head_opinion_by == supervisor_a and survey.head_opinion_at is not None
    history = CustomerChange.objects.filter(customer=mine, actor=supervisor_a).get()
    assert history.changes["record"] == "enterprise_opinion"
    client.force_login(staff_a)
    html = client.get(survey.get_absolute_url()).content.decode()
    assert "同意，请信息部本月给出时间表。" in html and "赵主管" in html
    # Staff read the opinion but get no form to change it.
    assert reverse("customers:enterprise_survey_opinion", args=[survey.pk]) not in html


def test_staff_and_other_units_cannot_give_the_heads_opinion(client, staff_a, supervisor_b, mine):
    survey = make_voice(mine, staff_a).enterprise
    url = reverse("customers:enterprise_survey_opinion", args=[survey.pk])
    client.force_login(staff_a)
    assert client.post(url, {"head_opinion": "自己批示"}).status_code == 403
    client.force_login(supervisor_b)
    assert client.post(url, {"head_opinion": "外单位批示"}).status_code == 404
    survey.refresh_from_db()
    assert survey.head_opinion == ""


def test_an_empty_heads_opinion_gets_a_chinese_message(client, staff_a, supervisor_a, mine):
    survey = make_voice(mine, staff_a).enterprise
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:enterprise_survey_opinion", args=[survey.pk]), {"head_opinion": "  "}
    )
    assert response.status_code == 200
    assert "请填写部门主管意见。" in response.content.decode()
    survey.refresh_from_db()
    assert survey.head_opinion == ""


def test_the_list_shows_each_role_its_scope_and_filters_the_open_ones(
    client, staff_a, staff_b, supervisor_a, supervisor_b, manager_b, admin_user, mine, unit_b
):
    survey_a = make_voice(mine, staff_a).enterprise
    theirs = make_customer(unit_b, code="E-B1", visiting_person=staff_b)
    survey_b = make_voice(theirs, staff_b).enterprise
    survey_b.head_opinion = "已阅"
    survey_b.save()
    url = reverse("customers:enterprise_survey_list")

    def listed(user, **params):
        client.force_login(user)
        return {s.pk for s in client.get(url, params).context["page_obj"].object_list}

    assert listed(staff_a) == {survey_a.pk}
    assert listed(supervisor_a) == {survey_a.pk}
    assert listed(supervisor_b) == {survey_b.pk}
    assert listed(manager_b) == {survey_b.pk}
    assert listed(admin_user) == {survey_a.pk, survey_b.pk}
    assert listed(admin_user, open="on") == {survey_a.pk}
    assert listed(admin_user, q="E-B") == {survey_b.pk}


def test_anonymising_the_customer_removes_the_names_of_the_people_surveyed(
    client, staff_a, supervisor_a, mine
):
    from customers.privacy import customer_anonymise
    from tests.factories import make_service_survey

    voice = make_voice(mine, staff_a)
    voice.enterprise.interviewee = "王建国"
    voice.enterprise.save()
    make_service_survey(mine, staff_a, respondent="李晓燕")
    customer_anonymise(customer=mine, actor=supervisor_a, reason="客户申请")
    assert set(mine.enterprise_surveys.values_list("interviewee", flat=True)) == {""}
    assert set(mine.service_surveys.values_list("respondent", flat=True)) == {""}
    # The surveys themselves, and what they say, stay.
    assert mine.service_surveys.count() == 2
    assert mine.enterprise_surveys.get().opinions == "希望旺季保障运力。"
