"""Complaints and outlets (网点): the pickers of the log and findings forms, the
outlets on the complaint page, the register's responsible-outlet filter and
the outlet page's complaints and figures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.models import Complaint
from tests import factories as f
from tests.support.complaints import complaint_post

pytestmark = pytest.mark.django_db


@pytest.fixture
def outlets(unit_a, unit_b):
    return {
        "pudong": f.make_outlet(unit_a, code="SH001", name="上海浦东网点"),
        "hub": f.make_outlet(unit_a, code="SH-HUB", name="上海分拨中心", kind="hub"),
        "closed": f.make_outlet(unit_a, code="SH009", name="上海闵行网点", is_active=False),
        "gz": f.make_outlet(unit_b, code="GZ001", name="广州天河网点"),
    }


def test_the_log_form_offers_the_active_outlets_of_the_users_units(
    client, customer_a, staff_a, outlets
):
    client.force_login(staff_a)
    form = client.get(reverse("complaints:create")).context["form"]
    offered = set(form.fields["responsible_outlet"].queryset.values_list("code", flat=True))
    assert offered == {"SH001", "SH-HUB"}
    assert set(form.fields["destination_outlet"].queryset) == set(
        form.fields["responsible_outlet"].queryset
    )


def test_a_complaint_logged_with_its_outlets_shows_them(client, customer_a, staff_a, outlets):
    client.force_login(staff_a)
    data = complaint_post(
        customer_a,
        responsible_outlet=outlets["pudong"].pk,
        origin_outlet=outlets["hub"].pk,
        destination_outlet=outlets["pudong"].pk,
    )
    response = client.post(reverse("complaints:create"), data, follow=True)
    complaint = Complaint.objects.get()
    assert complaint.responsible_outlet == outlets["pudong"]
    assert complaint.origin_outlet == outlets["hub"]
    html = response.content.decode()
    assert "责任网点" in html and outlets["pudong"].get_absolute_url() in html
    assert "上海分拨中心" in html


def test_an_outlet_of_another_unit_or_a_closed_one_is_refused(
    client, customer_a, supervisor_a, outlets, admin_user
):
    client.force_login(admin_user)  # an admin is offered every unit's outlets
    data = complaint_post(customer_a, responsible_outlet=outlets["gz"].pk)
    response = client.post(reverse("complaints:create"), data)
    assert response.status_code == 200
    assert "请选择该客户所属营业单位的网点" in str(response.context["form"].errors)
    client.force_login(supervisor_a)
    data = complaint_post(customer_a, responsible_outlet=outlets["closed"].pk)
    assert client.post(reverse("complaints:create"), data).status_code == 200
    assert not Complaint.objects.exists()


def test_the_service_refuses_an_outlet_of_another_unit(customer_a, staff_a, outlets):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        f.make_complaint(customer_a, by=staff_a, responsible_outlet=outlets["gz"])
    assert "responsible_outlet" in refused.value.message_dict
    assert not Complaint.objects.exists()


def test_findings_record_the_responsible_outlet(client, complaint_a, supervisor_a, outlets):
    services.complaint_start_investigation(complaint=complaint_a, actor=supervisor_a)
    client.force_login(supervisor_a)
    page = client.get(complaint_a.get_absolute_url())
    findings = {a["name"]: a["form"] for a in page.context["actions"]}["findings"]
    offered = set(findings.fields["responsible_outlet"].queryset.values_list("code", flat=True))
    assert offered == {"SH001", "SH-HUB"}
    response = client.post(
        reverse("complaints:action", args=[complaint_a.pk, "findings"]),
        {
            "findings-cause": "分拨中心错分",
            "findings-responsible_department": "运营部",
            "findings-responsible_outlet": outlets["hub"].pk,
        },
    )
    assert response.status_code == 302
    complaint_a.refresh_from_db()
    assert complaint_a.responsible_outlet == outlets["hub"]
    assert complaint_a.cause == "分拨中心错分"


def test_the_register_filters_by_responsible_outlet(
    client, customer_a, staff_a, supervisor_a, outlets
):
    charged = f.make_complaint(customer_a, by=staff_a, responsible_outlet=outlets["pudong"])
    f.make_complaint(customer_a, by=staff_a)
    client.force_login(supervisor_a)
    response = client.get(reverse("complaints:list"), {"responsible_outlet": outlets["pudong"].pk})
    assert [c.pk for c in response.context["page_obj"]] == [charged.pk]
    assert 'name="responsible_outlet"' in response.content.decode()


def test_the_outlet_page_counts_its_complaints(client, customer_a, staff_a, supervisor_a, outlets):
    pudong = outlets["pudong"]
    now = timezone.now()
    f.make_complaint(customer_a, by=staff_a, responsible_outlet=pudong)
    f.make_complaint(
        customer_a, by=staff_a, responsible_outlet=pudong, deadline=now - timedelta(hours=1)
    )
    f.make_complaint(
        customer_a,
        by=staff_a,
        responsible_outlet=pudong,
        status="closed",
        received_at=now - timedelta(days=70),
    )
    f.make_complaint(customer_a, by=staff_a, responsible_outlet=outlets["hub"])
    client.force_login(supervisor_a)
    response = client.get(pudong.get_absolute_url())
    figures = {str(label): value for label, value, _url, _tone in response.context["figures"]}
    assert figures["本月投诉"] == 2
    assert figures["未结投诉"] == 2
    assert figures["超期投诉"] == 1
    html = response.content.decode()
    assert "责任归属本网点的投诉" in html
    assert f"{reverse('complaints:list')}?responsible_outlet={pudong.pk}" in html


def test_staff_count_only_the_complaints_they_may_see(
    client, customer_a, customer_a2, staff_a, staff_a2, outlets
):
    pudong = outlets["pudong"]
    f.make_complaint(customer_a, by=staff_a, responsible_outlet=pudong)
    f.make_complaint(customer_a2, by=staff_a2, responsible_outlet=pudong)
    client.force_login(staff_a)
    response = client.get(pudong.get_absolute_url())
    figures = {str(label): value for label, value, _url, _tone in response.context["figures"]}
    assert figures["未结投诉"] == 1


def test_another_units_outlet_page_is_not_found_for_its_complaints_either(client, staff_b, outlets):
    client.force_login(staff_b)
    assert client.get(outlets["pudong"].get_absolute_url()).status_code == 404
