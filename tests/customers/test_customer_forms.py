"""Creating and editing customers: Chinese validation, the visiting-person rule, history, grading."""

import uuid

import pytest
from django.urls import reverse

from customers.models import Customer, CustomerChange, GradeChange
from customers.services import customer_pin_grade

pytestmark = pytest.mark.django_db


def form_data(unit, **overrides):
    data = {
        "code": "N-001",
        "name": "苏州新元电器有限公司",
        "nature": "manufacturer",
        "scale": "large",
        "annual_revenue": "1500.00",
        "trend": "growing",
        "industry": "家电",
        "status": "active",
        "unit": unit.pk,
        "region": "",
        "address": "苏州工业园区星湖街 88 号",
        "sales_owner": "",
        "visiting_person": "",
        "notes": "",
        "form_token": str(uuid.uuid4()),
    }
    return data | overrides


def edit_data(customer, **changes):
    """The edit form of `customer` posted with its own code, name and visiting
    person, and `changes` to the other fields."""
    return form_data(
        customer.unit,
        code=customer.code,
        name=customer.name,
        visiting_person=customer.visiting_person_id,
        **changes,
    )


def create_by_exception(client, supervisor, unit, region, salesperson, *, reason):
    """As the supervisor, create N-001 visited by the region's own salesperson, with a reason."""
    client.force_login(supervisor)
    data = form_data(unit, region=region.pk, visiting_person=salesperson.pk, override_reason=reason)
    client.post(reverse("customers:create"), data)
    return Customer.objects.get(code="N-001"), data


def test_a_supervisor_creates_a_customer_graded_under_the_current_rule(
    client, supervisor_a, unit_a, staff_a
):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:create"), form_data(unit_a, visiting_person=staff_a.pk)
    )
    customer = Customer.objects.get(code="N-001")
    assert response.status_code == 302 and response["Location"] == customer.get_absolute_url()
    assert (customer.grade, customer.grade_points) == ("A", 100)
    assert customer.grade_rule.version == 1
    created = CustomerChange.objects.get(customer=customer)
    assert created.kind == "created" and created.actor == supervisor_a
    assert created.changes["name"] == ["", "苏州新元电器有限公司"]
    assert GradeChange.objects.get(customer=customer).new_grade == "A"


def test_missing_fields_are_refused_in_chinese(client, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:create"), form_data(unit_a, name="", annual_revenue="-5")
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["name"] == ["这个字段是必填项。"]
    assert "大于或等于0" in errors["annual_revenue"][0]
    assert not Customer.objects.exists()


def test_a_duplicate_code_is_refused_clearly(client, supervisor_a, unit_a, book):
    client.force_login(supervisor_a)
    response = client.post(reverse("customers:create"), form_data(unit_a, code="A-001"))
    assert response.context["form"].errors["code"] == ["该客户编码已被占用。"]


def test_a_code_with_spaces_or_formula_characters_is_refused(client, supervisor_a, unit_a):
    client.force_login(supervisor_a)
    response = client.post(reverse("customers:create"), form_data(unit_a, code="=1+1"))
    assert "只能使用字母、数字" in response.context["form"].errors["code"][0]


def test_staff_create_customers_they_visit_themselves(client, staff_a, unit_a, staff_a2):
    client.force_login(staff_a)
    response = client.post(
        reverse("customers:create"), form_data(unit_a, visiting_person=staff_a2.pk)
    )
    assert response.status_code == 302
    assert Customer.objects.get(code="N-001").visiting_person == staff_a


def test_a_supervisor_cannot_file_a_customer_under_another_unit(client, supervisor_a, unit_b):
    client.force_login(supervisor_a)
    response = client.post(reverse("customers:create"), form_data(unit_b))
    assert "选择一个有效的选项" in response.context["form"].errors["unit"][0]


def test_the_visiting_person_must_belong_to_the_customers_unit(client, admin_user, unit_a, staff_b):
    client.force_login(admin_user)
    response = client.post(
        reverse("customers:create"), form_data(unit_a, visiting_person=staff_b.pk)
    )
    assert response.context["form"].errors["visiting_person"] == ["王五 不是华东营业部的成员。"]


class TestVisitingPersonRule:
    """Seed 003 第3条: a salesperson of the region does not visit its customers, save by exception."""

    def test_a_regions_salesperson_is_refused_without_a_reason(
        self, client, supervisor_a, unit_a, region_sh, salesperson_a
    ):
        client.force_login(supervisor_a)
        data = form_data(unit_a, region=region_sh.pk, visiting_person=salesperson_a.pk)
        response = client.post(reverse("customers:create"), data)
        assert "请填写例外指派理由" in response.context["form"].errors["override_reason"][0]
        assert not Customer.objects.exists()

    def test_a_supervisors_reason_is_kept_and_shown_on_the_card(
        self, client, supervisor_a, unit_a, region_sh, salesperson_a
    ):
        customer, _ = create_by_exception(
            client,
            supervisor_a,
            unit_a,
            region_sh,
            salesperson_a,
            reason="客户指定由周销售兼任巡访至年底",
        )
        assert customer.assignment_override_reason == "客户指定由周销售兼任巡访至年底"
        assert customer.assignment_override_by == supervisor_a
        html = client.get(customer.get_absolute_url()).content.decode()
        assert "例外指派" in html and "客户指定由周销售兼任巡访至年底" in html

    def test_staff_cannot_make_the_exception(self, client, staff_a, book, salesperson_a, region_sh):
        client.force_login(staff_a)
        mine = book["mine"]
        data = form_data(
            mine.unit, code=mine.code, sales_owner=salesperson_a.pk, region=region_sh.pk
        )
        # Staff cannot choose the visiting person; a region whose salesperson they are is the case.
        region_sh.salespeople.add(staff_a)
        response = client.post(reverse("customers:edit", args=[mine.pk]), data)
        assert (
            "只有主管或系统管理员可以例外指派"
            in response.context["form"].errors["visiting_person"][0]
        )

    def test_the_reason_stays_while_the_assignment_does_not_change(
        self, client, supervisor_a, unit_a, region_sh, salesperson_a
    ):
        customer, data = create_by_exception(
            client, supervisor_a, unit_a, region_sh, salesperson_a, reason="客户要求"
        )
        data |= {"notes": "旺季提前锁定运力", "override_reason": ""}
        assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
        customer.refresh_from_db()
        assert customer.assignment_override_reason == "客户要求"

    def test_choosing_someone_else_clears_the_exception(
        self, client, supervisor_a, unit_a, region_sh, salesperson_a, staff_a
    ):
        customer, data = create_by_exception(
            client, supervisor_a, unit_a, region_sh, salesperson_a, reason="客户要求"
        )
        client.post(
            reverse("customers:edit", args=[customer.pk]), data | {"visiting_person": staff_a.pk}
        )
        customer.refresh_from_db()
        assert customer.assignment_override_reason == "" and customer.assignment_override_by is None
        change = customer.changes.first()
        assert change.kind == "assigned"
        assert change.changes["visiting_person"] == ["周销售", "张三"]


def test_an_edit_records_who_changed_which_fields_and_regrades(client, supervisor_a, book):
    customer = book["colleague"]  # grade C
    client.force_login(supervisor_a)
    data = edit_data(
        customer,
        nature="retailer",
        scale="small",
        annual_revenue="2000",
        trend="stable",
        region=customer.region_id,
    )
    assert client.post(reverse("customers:edit", args=[customer.pk]), data).status_code == 302
    change = customer.changes.first()
    assert change.actor == supervisor_a and change.kind == "updated"
    assert change.changes["annual_revenue"] == ["60.00", "2000.00"]
    assert set(change.changes) >= {"annual_revenue", "industry", "address"}
    grade_change = customer.grade_changes.first()
    assert (grade_change.old_grade, grade_change.new_grade) == ("C", "B")  # 50+6+8+8 = 72
    html = client.get(customer.get_absolute_url()).content.decode()
    assert "赵主管" in html and "年营业额（万元）" in html


def test_a_pinned_grade_survives_an_edit(client, supervisor_a, book):
    customer = book["colleague"]
    customer_pin_grade(customer=customer, actor=supervisor_a, grade="A", reason="战略客户")
    client.force_login(supervisor_a)
    data = edit_data(customer, nature="other", scale="micro", annual_revenue="1", trend="declining")
    client.post(reverse("customers:edit", args=[customer.pk]), data)
    customer.refresh_from_db()
    assert customer.grade == "A" and customer.grade_points == 5


def test_another_units_code_is_only_said_to_be_taken_not_where(
    client, supervisor_a, unit_a, unit_b
):
    from tests.factories import make_customer

    make_customer(unit_b, code="B-777", name="深圳远景物流有限公司")
    client.force_login(supervisor_a)
    response = client.post(reverse("customers:create"), form_data(unit_a, code="B-777"))
    assert response.context["form"].errors["code"] == ["该客户编码已被占用。"]
    html = response.content.decode()
    assert "深圳远景" not in html and "华南" not in html and "已存在" not in html
