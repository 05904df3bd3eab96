"""Demo waybills (运单号): on complaints, daily-report entries and urgent
reports, a repeat complaint and a merged pair.

Fixed facts the README promises:
- SF1234567890 is on a complaint about a customer staff1 visits (unit 1), and
  on one of staff1's daily-report entries and an urgent report of unit 1;
  a second complaint on it a few days later is flagged as a repeat;
- YT9876543210 is on a complaint about a customer staff3 visits (unit 2).
A merged pair: the sender's and the recipient's complaints about JD0012345678
(unit 1), the recipient's merged into the sender's.

Idempotent: each complaint is found by its text; links are set, not added.
Runs after the complaints and visits demo (it needs their customers and users).
"""

from datetime import timedelta

from django.utils import timezone

from complaints import services
from complaints.defaults import defaults_ensure
from complaints.models import Complaint, ComplaintCategory
from crm_site.accounts.models import Membership, User
from customers.models import Customer
from customers.waybills.services import waybills_set
from visits.models import DailyReportEntry, UrgentReport

SF = "SF1234567890"
YT = "YT9876543210"
MERGED = "JD0012345678"

FIRST = "运单SF1234567890：客户称包裹显示已签收，但收件人并未收到。"
REPEAT = "运单SF1234567890再次来电：仍未找到包裹，要求加急处理。"
UNIT2 = "运单YT9876543210：外包装破损，内件电子产品屏幕碎裂。"
SENDER = "寄件方投诉：运单JD0012345678 延误三天未派送。"
RECIPIENT = "收件方投诉：运单JD0012345678 至今未收到，催促派送。"


def _lead(unit_id: int) -> User | None:
    return (
        User.objects.filter(
            memberships__unit_id=unit_id,
            memberships__kind=Membership.Kind.SUPERVISOR,
            is_active=True,
        )
        .order_by("username")
        .first()
    )


def _customer_of(username: str) -> Customer | None:
    return Customer.objects.filter(visiting_person__username=username).order_by("code").first()


def _complaint(customer: Customer, actor: User, content: str, numbers, days_ago: float):
    existing = Complaint.objects.filter(content=content).first()
    if existing is not None:
        return existing, False
    received = timezone.now() - timedelta(days=days_ago)
    complaint = services.complaint_log(
        actor=actor,
        customer=customer,
        channel="phone",
        received_at=received,
        complainant=f"{customer.name[:2]}经理",
        contact_phone="13900001111",
        content=content,
        demand="尽快查明并回复",
        category=ComplaintCategory.objects.get(code="loss"),
        waybills=numbers,
    )
    return complaint, True


def seed(out) -> None:
    defaults_ensure()
    staff1 = User.objects.filter(username="staff1").first()
    staff3 = User.objects.filter(username="staff3").first()
    customer1, customer3 = _customer_of("staff1"), _customer_of("staff3")
    if not (staff1 and staff3 and customer1 and customer3):
        out.write("Waybills: no demo customers yet, none linked.")
        return
    created = 0
    first, new = _complaint(customer1, staff1, FIRST, [SF], days_ago=6)
    created += new
    _repeat, new = _complaint(customer1, staff1, REPEAT, [SF], days_ago=2)
    created += new
    _unit2, new = _complaint(customer3, staff3, UNIT2, [YT], days_ago=3)
    created += new

    # The merged pair: a second customer of unit 1 is the recipient.
    recipient_customer = (
        Customer.objects.filter(unit_id=customer1.unit_id).exclude(pk=customer1.pk).first()
        or customer1
    )
    sender, new = _complaint(customer1, staff1, SENDER, [MERGED], days_ago=4)
    created += new
    recipient, new = _complaint(
        recipient_customer,
        recipient_customer.visiting_person or staff1,
        RECIPIENT,
        [MERGED],
        days_ago=3.5,
    )
    created += new
    supervisor = _lead(customer1.unit_id)
    if supervisor and recipient.merged_into_id is None:
        services.complaint_merge(complaint=recipient, survivor=sender, actor=supervisor)

    # An entry of staff1's and an urgent report of unit 1 name SF1234567890;
    # a few more entries and urgent reports carry numbers of their own.
    entries = list(
        DailyReportEntry.objects.filter(report__user=staff1).order_by("-occurred_at", "pk")[:3]
    )
    for n, entry in enumerate(entries):
        waybills_set(record=entry, numbers=[SF] if n == 0 else [f"SF88800000{n:02d}"])
    for unit_id, number in ((customer1.unit_id, SF), (customer3.unit_id, YT)):
        urgent = UrgentReport.objects.filter(unit_id=unit_id).order_by("pk").first()
        if urgent is not None:
            waybills_set(record=urgent, numbers=[number])
    others = (
        Complaint.objects.exclude(content__in=[FIRST, REPEAT, UNIT2, SENDER, RECIPIENT])
        .filter(merged_into__isnull=True)
        .order_by("pk")[:4]
    )
    for n, complaint in enumerate(others):
        waybills_set(record=complaint, numbers=[f"YT55500000{n:02d}", f"YT55500001{n:02d}"])
    out.write(
        f"Waybills: {created} complaints created; {SF} (unit 1) and {YT} (unit 2) linked, "
        "a repeat and a merged pair."
    )
