"""The scoped customer picker: autocomplete and the form field only offer the user's customers."""

import pytest
from django import forms
from django.urls import reverse

from customers.fields import CustomerField, customer_label
from customers.models import Customer
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


@pytest.fixture
def customers(unit_a, unit_b, staff_a, staff_b):
    return {
        "mine": make_customer(unit_a, name="上海远航物流", visiting_person=staff_a),
        "colleague": make_customer(unit_a, name="上海远东贸易"),
        "other_unit": make_customer(unit_b, name="上海远景电商", visiting_person=staff_b),
    }


def search(client, q):
    response = client.get(reverse("customers:autocomplete"), {"q": q})
    assert response.status_code == 200
    return {r["name"] for r in response.json()["results"]}


def test_staff_autocomplete_offers_only_their_own_customers(client, staff_a, customers):
    client.force_login(staff_a)
    assert search(client, "上海远") == {"上海远航物流"}


def test_supervisor_autocomplete_offers_the_units_customers(client, supervisor_a, customers):
    client.force_login(supervisor_a)
    assert search(client, "上海远") == {"上海远航物流", "上海远东贸易"}


def test_autocomplete_matches_code_prefix(client, admin_user, customers):
    client.force_login(admin_user)
    code = customers["other_unit"].code
    assert search(client, code) == {"上海远景电商"}


def test_autocomplete_needs_a_login(client, customers):
    assert client.get(reverse("customers:autocomplete"), {"q": "上海"}).status_code == 302


class PickForm(forms.Form):
    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["customer"] = CustomerField(queryset=Customer.objects.visible_to(user))


def test_field_accepts_a_label_or_a_bare_code_in_scope(staff_a, customers):
    mine = customers["mine"]
    assert PickForm({"customer": customer_label(mine)}, user=staff_a).is_valid()
    form = PickForm({"customer": mine.code}, user=staff_a)
    assert form.is_valid() and form.cleaned_data["customer"] == mine


def test_field_refuses_a_customer_outside_the_scope_in_chinese(staff_a, customers):
    form = PickForm({"customer": customers["other_unit"].code}, user=staff_a)
    assert not form.is_valid()
    assert "找不到该客户" in form.errors["customer"][0]


def test_field_shows_the_chosen_customer_as_code_and_name(staff_a, customers):
    mine = customers["mine"]
    html = str(PickForm(initial={"customer": mine}, user=staff_a)["customer"])
    assert f'value="{mine.code} · 上海远航物流"' in html
    assert "data-autocomplete-url" in html


# --- what a person types: a code in any case, an exact full name -------------------


@pytest.fixture
def suzhou(unit_a, staff_a):
    return make_customer(
        unit_a,
        code="JS-0025",
        name="苏州海川服饰有限公司",
        address="苏州市工业园区星湖街125号",
        visiting_person=staff_a,
    )


def test_field_accepts_a_code_typed_in_lower_case(staff_a, suzhou):
    form = PickForm({"customer": "js-0025"}, user=staff_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["customer"] == suzhou


def test_field_accepts_the_exact_full_name_of_a_customer_in_scope(staff_a, suzhou):
    form = PickForm({"customer": " 苏州海川服饰有限公司 "}, user=staff_a)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["customer"] == suzhou


def test_field_refuses_a_name_or_lower_case_code_outside_the_scope(staff_b, suzhou):
    for typed in ("苏州海川服饰有限公司", "js-0025"):
        form = PickForm({"customer": typed}, user=staff_b)
        assert not form.is_valid()
        assert "不在您的客户范围内" in form.errors["customer"][0]


def test_field_refuses_a_part_of_a_name(staff_a, suzhou):
    assert not PickForm({"customer": "苏州海川"}, user=staff_a).is_valid()


def test_a_name_two_customers_in_scope_share_is_refused_with_the_candidates(
    supervisor_a, unit_a, suzhou
):
    twin = make_customer(
        unit_a, code="SH-0107", name="苏州海川服饰有限公司", address="上海市浦东新区张江路8号"
    )
    form = PickForm({"customer": "苏州海川服饰有限公司"}, user=supervisor_a)
    assert not form.is_valid()
    message = form.errors["customer"][0]
    assert "多家名为“苏州海川服饰有限公司”的客户" in message
    assert "JS-0025（苏州）" in message and f"{twin.code}（上海）" in message
    # The code still picks one of them.
    assert PickForm({"customer": "sh-0107"}, user=supervisor_a).is_valid()


def test_a_same_named_customer_outside_the_scope_does_not_make_a_name_ambiguous(
    staff_a, unit_b, suzhou
):
    make_customer(unit_b, name="苏州海川服饰有限公司")
    form = PickForm({"customer": "苏州海川服饰有限公司"}, user=staff_a)
    assert form.is_valid() and form.cleaned_data["customer"] == suzhou


def test_autocomplete_gives_city_grade_and_main_contact(client, staff_a, suzhou):
    from tests.factories import make_contact

    make_contact(suzhou, name="王建国", is_primary=True)
    make_contact(suzhou, name="李晓燕")
    client.force_login(staff_a)
    [row] = client.get(reverse("customers:autocomplete"), {"q": "海川"}).json()["results"]
    assert row["code"] == "JS-0025"
    assert row["city"] == "苏州"
    assert row["contact"] == "王建国"
    assert row["grade_label"] == f"等级：{suzhou.grade}"
    assert row["label"] == "JS-0025 · 苏州海川服饰有限公司"


def test_the_picker_is_a_combobox_with_its_own_listbox(staff_a, suzhou):
    html = str(PickForm(user=staff_a)["customer"])
    assert 'role="combobox"' in html and 'role="listbox"' in html
    assert 'aria-controls="id_customer-listbox"' in html
    assert "<datalist" not in html


@pytest.fixture
def picker_forms(staff_a, supervisor_a):
    """The customer field of the three forms people fill in the field: a daily-report
    entry (staff), a complaint (staff) and an urgent report (supervisor)."""
    from complaints.forms import ComplaintLogForm
    from tests.factories import make_daily_report
    from visits.forms import EntryForm
    from visits.urgent.forms import UrgentReportForm

    report = make_daily_report(staff_a)
    return {
        "entry": EntryForm(user=staff_a, report=report).fields["customer"],
        "complaint": ComplaintLogForm(user=staff_a).fields["customer"],
        "urgent": UrgentReportForm(user=supervisor_a).fields["customer"],
    }


@pytest.mark.parametrize("form", ["entry", "complaint", "urgent"])
def test_each_form_takes_a_lower_case_code_and_the_full_name(picker_forms, suzhou, form):
    field = picker_forms[form]
    assert field.clean("js-0025") == suzhou
    assert field.clean("苏州海川服饰有限公司") == suzhou
    with pytest.raises(forms.ValidationError):
        field.clean("苏州海川")
