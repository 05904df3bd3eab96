"""One small world for the attack tests: objects of unit A, and a persona of
every role in unit A and unit B.

Every detail URL the tests open points at an object of unit A, owned by
staff_a (`world.staff`), so the personas of unit B must get 404 and roles
that may never use a page 403. Uploads go to a temporary MEDIA_ROOT.
"""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from complaints.defaults import defaults_ensure
from crm_site.core.services import notify
from customers import services as customer_services
from customers.models import Customer, CustomerImport, GradingRule, RegradeRun
from tests import factories as f
from visits.models import EntryDraft, UrgentReport

MP3 = b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# The persona columns of the permission matrix, in order.
PERSONAS = (
    "anonymous",
    "staff",
    "staff_other",
    "supervisor",
    "supervisor_other",
    "manager",
    "manager_other",
    "admin",
)


@dataclass
class World:
    people: dict
    objects: SimpleNamespace

    def __getattr__(self, name):
        objects = self.__dict__.get("objects")
        if objects is not None and hasattr(objects, name):
            return getattr(objects, name)
        people = self.__dict__.get("people", {})
        if name in people:
            return people[name]
        raise AttributeError(name)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def world(
    unit_a, unit_b, staff_a, staff_a2, staff_b, supervisor_a, supervisor_b, manager_a, manager_b,
    admin_user,
):  # fmt: skip
    """Objects of unit A (staff_a's), one customer of unit B, and the personas."""
    defaults_ensure()
    customer = f.make_customer(
        unit_a, code="SEC-A1", name="上海安全物流", visiting_person=staff_a, grade="B"
    )
    contact = f.make_contact(customer, name="陈联系人", email="chen@example.com", wechat="chen_wx")
    # An outlet of unit A (网点), serving the customer.
    outlet = f.make_outlet(unit_a, code="SEC-WD1", name="上海安全网点")
    Customer.objects.filter(pk=customer.pk).update(serving_outlet=outlet)
    customer_services.customer_pin_grade(
        customer=customer, actor=supervisor_a, grade="A", reason="战略客户"
    )
    customer_b = f.make_customer(
        unit_b, code="SEC-B1", name="广州对照客户", visiting_person=staff_b
    )
    visit = f.make_visit(customer, staff_a)
    report = f.make_daily_report(staff_a)
    entry = f.make_entry(report, customer, kind="visit", effect="客户满意")
    draft = EntryDraft.objects.create(report=report, data={"effect": "草稿"})
    complaint = f.make_complaint(
        customer,
        by=staff_a,
        recording=SimpleUploadedFile("通话.mp3", MP3, content_type="audio/mpeg"),
        waybills=["SEC1234567890"],
    )
    notification = notify(recipient=staff_a, kind="test", title="测试通知", url="/")
    rule = GradingRule.objects.current()
    run = RegradeRun.objects.create(rule=rule, state=RegradeRun.State.DONE, requested_by=admin_user)
    # For the urgent-report pages of issue 6: raised by supervisor_a, routed to manager_a.
    urgent = UrgentReport.objects.create(
        unit=unit_a,
        raised_by=supervisor_a,
        assignee=manager_a,
        customer=customer,
        category=UrgentReport.Category.OTHER,
        title="竞争对手降价",
        details="对手报价低于成本。",
    )
    # A monthly summary of unit A (issue 7), a pending build request, and a
    # finished background export of supervisor_a's.
    from crm_site.core.exports import export_dir
    from crm_site.core.models import ExportJob
    from reports.models import RollupRequest
    from reports.services import summary_build

    month = timezone.localdate().replace(day=1)
    summary = summary_build(unit_id=unit_a.pk, month=month).summary
    rollup_request = RollupRequest.objects.create(
        unit=unit_a, month=month, requested_by=supervisor_a
    )
    export_job = ExportJob.objects.create(
        user=supervisor_a, kind="customers", state=ExportJob.State.DONE, total=1, done=1,
        file="world.xlsx", filename="客户.xlsx",
    )  # fmt: skip
    (export_dir() / "world.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    upload = CustomerImport.objects.create(
        created_by=supervisor_a,
        original_name="客户.xlsx",
        state=CustomerImport.State.PREVIEWED,
        result={"rows": 1, "error_count": 0, "create_count": 1, "creates": []},
    )
    # Customer voice (issue 12): a survey, an enterprise survey and a watch of unit A.
    voice = f.make_voice(customer, staff_a)
    # A big-customer review of unit A (issue 12) listing the A-grade customer.
    from reports import reviews

    review, _added = reviews.review_open(
        unit=unit_a, quarter=reviews.quarter_of(timezone.localdate()), actor=supervisor_a
    )
    # A prospect of staff_a's in unit A (customer development, issue 12).
    from customers.prospects.services import prospect_create

    prospect, _created = prospect_create(
        actor=staff_a, fields={"name": "安全开发客户", "unit": unit_a, "owner": staff_a}
    )
    # A care reminder of the customer's contact, and a competitor named on the
    # entry: rows with no page of their own, checked by scope alone.
    from customers.prospects.models import CareReminder
    from visits.models import Competitor, EntryCompetitor

    care_reminder = CareReminder.objects.create(
        contact=contact, occasion=timezone.localdate(), recipient=staff_a
    )
    competitor = Competitor.objects.create(name="安全对手物流", created_by=staff_a)
    from customers.revenue.models import MonthlyTurnover, RevenueTarget

    turnover = MonthlyTurnover.objects.create(customer=customer, month=month, amount=1000)
    revenue_target = RevenueTarget.objects.create(
        unit=unit_a, month=month, amount=5000, set_by=manager_a
    )
    # The customer's region with a market estimate (visible with the customers
    # in it), and unit A's marketing costs of the month.
    from customers.revenue.market.models import MarketEstimate, MarketingCost

    region = f.make_region(code="SEC-R1", name="安全地区")
    Customer.objects.filter(pk=customer.pk).update(region=region)
    market_estimate = MarketEstimate.objects.create(
        region=region, year=month.year, market_size=100000, competitor_turnover=20000
    )
    marketing_cost = MarketingCost.objects.create(
        unit=unit_a, month=month, advertising=100, set_by=manager_a
    )
    entry_competitor = EntryCompetitor.objects.create(entry=entry, competitor=competitor)
    from visits.models import EntryFlag

    entry_flag = EntryFlag.objects.create(entry=entry, comment="请补充报价", by=supervisor_a)
    # A claim on the complaint (理赔), filed and assessed by staff_a under the
    # approval threshold (a supervisor of unit A approves it), with a photo.
    from complaints.claims import services as claim_services

    claim = claim_services.claim_create(
        actor=staff_a,
        complaint=complaint,
        kind="lost",
        amount_claimed=Decimal("300.00"),
        files=[SimpleUploadedFile("货损.png", PNG, content_type="image/png")],
    )
    claim_services.claim_assess(claim=claim, actor=staff_a, assessed_amount=Decimal("280.00"))
    # An API key of staff_a's (the key pages, the API's scope).
    from crm_site.api.services import api_key_create

    api_key, _key = api_key_create(actor=staff_a, user=staff_a, name="安全测试")
    # Planned contacts and service plans: a contact on staff_a's calendar
    # tomorrow, unit A's approved plan and staff_a's calendar feed.
    from visits.models import CalendarFeed, PlannedContact, ServicePlan

    planned = PlannedContact.objects.create(
        customer=customer,
        person=staff_a,
        unit=unit_a,
        day=timezone.localdate() + timedelta(days=1),
        kind="visit",
    )
    plan = ServicePlan.objects.create(
        unit=unit_a,
        title="安全服务计划",
        start=month,
        end=month + timedelta(days=27),
        status=ServicePlan.Status.APPROVED,
        created_by=manager_a,
    )
    feed = CalendarFeed.objects.create(user=staff_a)
    people = {
        "anonymous": None,
        "staff": staff_a,
        "staff_other": staff_b,
        "supervisor": supervisor_a,
        "supervisor_other": supervisor_b,
        "manager": manager_a,
        "manager_other": manager_b,
        "admin": admin_user,
        "colleague": staff_a2,
    }
    objects = SimpleNamespace(
        unit_a=unit_a,
        unit_b=unit_b,
        customer=customer,
        contact=contact,
        customer_b=customer_b,
        outlet=outlet,
        visit=visit,
        report=report,
        entry=entry,
        draft=draft,
        complaint=complaint,
        notification=notification,
        rule=rule,
        run=run,
        upload=upload,
        urgent=urgent,
        summary=summary,
        rollup_request=rollup_request,
        export_job=export_job,
        survey=voice.survey,
        enterprise=voice.enterprise,
        watch=voice.watch,
        review=review,
        review_item=review.items.get(customer=customer),
        prospect=prospect,
        care_reminder=care_reminder,
        competitor=competitor,
        entry_competitor=entry_competitor,
        entry_flag=entry_flag,
        claim=claim,
        claim_evidence=claim.evidence.get(),
        api_key=api_key,
        planned=planned,
        plan=plan,
        feed=feed,
        turnover=turnover,
        revenue_target=revenue_target,
        region=region,
        market_estimate=market_estimate,
        marketing_cost=marketing_cost,
    )
    return World(people=people, objects=objects)


def sign_in(client, world: World, persona: str):
    """Sign the test client in as `persona` (signed out for "anonymous")."""
    client.logout()
    user = world.people[persona]
    if user is not None:
        client.force_login(user)
    return user


# Apps whose rows an attack must not change (sessions are left out: every
# request refreshes the session's expiry).
SNAPSHOT_APPS = {"accounts", "core", "customers", "visits", "complaints", "reports", "auth"}


def database_snapshot() -> dict:
    """Every row of the project's tables, to compare before and after a request."""
    from django.apps import apps

    snapshot = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label not in SNAPSHOT_APPS or model._meta.proxy:
            continue
        snapshot[model._meta.label] = list(model._default_manager.order_by("pk").values())
    return snapshot


def snapshot_difference(before: dict, after: dict) -> list[str]:
    """The tables whose rows differ, with a hint of how."""
    changed = []
    for label, rows in after.items():
        old = before.get(label, [])
        if rows != old:
            changed.append(f"{label} ({len(old)} rows -> {len(rows)} rows)")
    return changed
