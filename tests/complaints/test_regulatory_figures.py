"""The share of complaints closed within the regulatory limit (the customer told
the result by the regulatory due date), per unit, responsible outlet and month,
on the figures page; and the notice by phone, allowed for general complaints only."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from complaints import services
from complaints.forms import NotifyForm
from complaints.models import Complaint
from customers.outlets.models import Outlet
from tests import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def at(m, d, hh=10, y=2025):
    return datetime(y, m, d, hh, tzinfo=SHANGHAI)


@pytest.fixture
def answered(customer_a, customer_b, staff_a, staff_b, unit_a):
    """Unit A, worked out by hand (regulatory due = received + 7 days):

    March: #1 told on 5 Mar (due 9 Mar): met, outlet N1
           #2 told on 9 Mar, the due day itself: met, outlet N1
           #3 told on 12 Mar (due 10 Mar): missed, outlet N2
           #4 not told, due 15 Mar passed: missed, no outlet
    April: #5 told on 3 Apr (due 8 Apr): met, outlet N2
    Unit B, March: one met (another unit's: not seen by supervisor_a).
    """
    n1 = Outlet.objects.create(code="N1", name="浦东网点", unit=unit_a)
    n2 = Outlet.objects.create(code="N2", name="闵行网点", unit=unit_a)

    def make(received, told, outlet=None, customer=customer_a, by=staff_a):
        c = f.make_complaint(customer, by=by, received_at=received)
        fields = {"responsible_outlet": outlet}
        if told:
            fields |= {"status": "notified", "notified_on": told, "regulatory_answered_on": told}
        Complaint.objects.filter(pk=c.pk).update(**fields)
        return c

    make(at(3, 2), date(2025, 3, 5), n1)
    make(at(3, 2), date(2025, 3, 9), n1)
    make(at(3, 3), date(2025, 3, 12), n2)
    make(at(3, 8), None)
    make(at(4, 1), date(2025, 4, 3), n2)
    make(at(3, 2), date(2025, 3, 4), customer=customer_b, by=staff_b)


def _row(html, key):
    row = html.split(f'data-regulatory="{key}"', 1)[1].split("</tr>", 1)[0]
    cells = row.split("<td")[1:]
    return [c.split(">", 1)[1].split("<", 1)[0] for c in cells]


def test_the_share_within_the_regulatory_limit_per_unit_outlet_and_month(
    client, answered, supervisor_a, unit_a
):
    client.force_login(supervisor_a)
    response = client.get(
        reverse("complaints:stats"), {"month_from": "2025-03", "month_to": "2025-04"}
    )
    html = response.content.decode()
    assert 'id="kpi-regulatory">60.0%<' in html
    assert _row(html, f"unit:{unit_a.code}")[1:] == ["3", "2", "60.0%"]
    assert _row(html, "outlet:N1")[1:] == ["2", "0", "100.0%"]
    assert _row(html, "outlet:N2")[1:] == ["1", "1", "50.0%"]
    assert _row(html, "outlet:-")[1:] == ["0", "1", "0.0%"]
    assert _row(html, "month:2025-03")[1:] == ["2", "2", "50.0%"]
    assert _row(html, "month:2025-04")[1:] == ["1", "0", "100.0%"]


def test_another_units_complaints_are_not_in_a_supervisors_share(
    client, answered, supervisor_b, unit_b
):
    client.force_login(supervisor_b)
    html = client.get(
        reverse("complaints:stats"), {"month_from": "2025-03", "month_to": "2025-04"}
    ).content.decode()
    assert 'id="kpi-regulatory">100.0%<' in html
    assert "浦东网点" not in html


# --- the notice: by phone for a general complaint, in writing for a major one ------


def _resolved(customer, by, severity):
    c = f.make_complaint(customer, by=by, severity=severity)
    Complaint.objects.filter(pk=c.pk).update(status="resolved")
    c.refresh_from_db()
    return c


def test_a_general_complaints_outcome_may_be_told_by_phone(customer_a, staff_a):
    complaint = _resolved(customer_a, staff_a, "normal")
    services.complaint_notify_customer(
        complaint=complaint, actor=staff_a, notified_on=timezone.localdate(), means="phone"
    )
    complaint.refresh_from_db()
    assert (complaint.status, complaint.notice_means) == ("notified", "phone")


def test_a_major_complaints_outcome_must_be_told_in_writing(customer_a, staff_a):
    complaint = _resolved(customer_a, staff_a, "major")
    with pytest.raises(ValidationError) as refused:
        services.complaint_notify_customer(
            complaint=complaint, actor=staff_a, notified_on=timezone.localdate(), means="phone"
        )
    assert "means" in refused.value.message_dict
    complaint.refresh_from_db()
    assert complaint.status == "resolved"
    services.complaint_notify_customer(
        complaint=complaint, actor=staff_a, notified_on=timezone.localdate(), means="letter"
    )


def test_the_notice_form_offers_phone_only_for_a_general_complaint(customer_a, staff_a):
    general = _resolved(customer_a, staff_a, "normal")
    major = _resolved(customer_a, staff_a, "major")
    assert "phone" in dict(NotifyForm(complaint=general).fields["means"].choices)
    assert "phone" not in dict(NotifyForm(complaint=major).fields["means"].choices)
    posted = NotifyForm(
        {"notify-notified_on": timezone.localdate().isoformat(), "notify-means": "phone"},
        prefix="notify",
        complaint=major,
    )
    assert not posted.is_valid()
    assert "means" in posted.errors


def test_phone_notice_through_the_page(client, customer_a, staff_a):
    complaint = _resolved(customer_a, staff_a, "normal")
    client.force_login(staff_a)
    client.post(
        reverse("complaints:action", args=[complaint.pk, "notify"]),
        {"notify-notified_on": timezone.localdate().isoformat(), "notify-means": "phone"},
    )
    complaint.refresh_from_db()
    assert complaint.notice_means == "phone"
