"""The REST API as an integrator uses it: keys, scope, errors, the resources,
idempotent creates."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from crm_site.api.models import ApiKey, IdempotentRequest
from crm_site.core.models import AuditLog
from customers.models import Customer
from tests import factories as f

from .conftest import key_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer_a(staff_a, unit_a):
    return f.make_customer(unit_a, visiting_person=staff_a)


@pytest.fixture
def customer_b(staff_b, unit_b):
    return f.make_customer(unit_b, visiting_person=staff_b)


def test_a_key_lists_exactly_its_users_customers(api_as, staff_a, customer_a, customer_b):
    response = api_as(staff_a).get("/api/v1/customers/")
    assert response.status_code == 200
    codes = [row["code"] for row in response.json()["results"]]
    assert codes == [customer_a.code]


def test_a_customer_outside_the_scope_is_not_found(api_as, staff_a, customer_b):
    response = api_as(staff_a).get(f"/api/v1/customers/{customer_b.pk}/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_errors_are_json_in_the_language_asked_for(api_as, staff_a, customer_b):
    english = api_as(staff_a, language="en").get(f"/api/v1/customers/{customer_b.pk}/")
    chinese = api_as(staff_a, language="zh-hans").get(f"/api/v1/customers/{customer_b.pk}/")
    assert english.json()["message"] == "Not found."
    assert chinese.json()["message"] == "未找到。"


def test_a_wrong_key_is_refused_with_401(client, staff_a):
    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION="Api-Key abc.def")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_no_credentials_is_401_not_a_redirect_to_the_login_page(client, db):
    response = client.get("/api/v1/customers/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Api-Key"


def test_a_revoked_key_is_refused(api_as, staff_a):
    api = api_as(staff_a)
    ApiKey.objects.filter(user=staff_a).update(revoked=True)
    assert api.get("/api/v1/customers/").status_code == 401


def test_an_expired_key_is_refused(api_as, staff_a):
    api = api_as(staff_a, expires_in_days=1)
    ApiKey.objects.filter(user=staff_a).update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert api.get("/api/v1/customers/").status_code == 401


def test_a_deactivated_users_key_is_refused(api_as, staff_a):
    api = api_as(staff_a)
    staff_a.is_active = False
    staff_a.save(update_fields=["is_active"])
    assert api.get("/api/v1/customers/").status_code == 401


def test_a_read_only_key_reads_but_never_writes(api_as, staff_a, unit_a):
    api = api_as(staff_a, read_only=True)
    assert api.get("/api/v1/customers/").status_code == 200
    response = api.post(
        "/api/v1/customers/", {"code": "RO-1", "name": "只读", "nature": "other", "unit": unit_a.pk}
    )
    assert response.status_code == 403
    assert not Customer.objects.filter(code="RO-1").exists()


def test_the_session_needs_csrf_for_writes(staff_a, unit_a):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_a)
    assert browser.get("/api/v1/customers/").status_code == 200
    response = browser.post(
        "/api/v1/customers/",
        '{"code": "S-1", "name": "x", "nature": "other"}',
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]


def test_creating_a_customer_grades_it_and_the_grade_cannot_be_set(api_as, staff_a, unit_a):
    response = api_as(staff_a).post(
        "/api/v1/customers/",
        {
            "code": "API-001",
            "name": "接口客户",
            "nature": "manufacturer",
            "scale": "large",
            "trend": "growing",
            "annual_revenue": "3000",
            "status": "active",
            "unit": unit_a.pk,
            "grade": "D",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    stored = Customer.objects.get(code="API-001")
    assert body["grade"] == stored.grade != ""
    # Staff keep their own customers, as on the page.
    assert stored.visiting_person == staff_a


def test_a_customer_create_uses_the_pages_rules(api_as, staff_a, unit_b):
    response = api_as(staff_a).post(
        "/api/v1/customers/",
        {"code": "API-002", "name": "别的单位", "nature": "other", "unit": unit_b.pk},
    )
    assert response.status_code == 400
    assert "unit" in response.json()["fields"]


def test_a_customer_update_with_a_stale_version_is_409(api_as, staff_a, customer_a):
    api = api_as(staff_a)
    first = api.patch(f"/api/v1/customers/{customer_a.pk}/", {"name": "新名字", "version": 0})
    assert first.status_code == 200, first.json()
    assert first.json()["name"] == "新名字"
    stale = api.patch(f"/api/v1/customers/{customer_a.pk}/", {"name": "又一个", "version": 0})
    assert stale.status_code == 409
    assert stale.json()["code"] == "stale"


def test_an_idempotency_key_retry_returns_the_first_answer_and_creates_nothing(
    api_as, staff_a, unit_a
):
    api = api_as(staff_a)
    data = {
        "code": "IDEM-1",
        "name": "幂等",
        "nature": "other",
        "scale": "small",
        "trend": "stable",
        "annual_revenue": "10",
        "status": "active",
        "unit": unit_a.pk,
    }
    first = api.post("/api/v1/customers/", data, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == 201, first.json()
    again = api.post("/api/v1/customers/", data, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Customer.objects.filter(code="IDEM-1").count() == 1
    other = api.post("/api/v1/customers/", data | {"name": "别的"}, HTTP_IDEMPOTENCY_KEY="abc-123")
    assert other.status_code == 409


def test_a_failed_create_keeps_no_idempotency_record(api_as, staff_a):
    api = api_as(staff_a)
    response = api.post("/api/v1/customers/", {"code": ""}, HTTP_IDEMPOTENCY_KEY="k1")
    assert response.status_code == 400
    assert not IdempotentRequest.objects.exists()


def test_contacts_are_read_and_added_under_their_customer(api_as, staff_a, customer_a, customer_b):
    api = api_as(staff_a)
    created = api.post(
        f"/api/v1/customers/{customer_a.pk}/contacts/", {"name": "王经理", "mobile": "13900000000"}
    )
    assert created.status_code == 201, created.json()
    listed = api.get(f"/api/v1/customers/{customer_a.pk}/contacts/").json()["results"]
    assert [c["name"] for c in listed] == ["王经理"]
    assert api.get(f"/api/v1/customers/{customer_b.pk}/contacts/").status_code == 404
    assert (
        api.post(f"/api/v1/customers/{customer_b.pk}/contacts/", {"name": "x"}).status_code == 404
    )


def test_an_entry_goes_into_the_callers_report_of_the_day(api_as, staff_a, customer_a, customer_b):
    api = api_as(staff_a)
    now = timezone.localtime().strftime("%H:%M")
    response = api.post(
        "/api/v1/entries/",
        {"customer": customer_a.pk, "kind": "call", "time": now, "opinions": "希望提速"},
    )
    assert response.status_code == 201, response.json()
    reports = api.get("/api/v1/daily-reports/").json()["results"]
    assert [r["date"] for r in reports] == [timezone.localdate().isoformat()]
    entries = api.get(f"/api/v1/daily-reports/{reports[0]['id']}/entries/").json()["results"]
    assert [e["opinions"] for e in entries] == ["希望提速"]
    refused = api.post(
        "/api/v1/entries/",
        {"customer": customer_b.pk, "kind": "call", "time": now, "opinions": "x"},
    )
    assert refused.status_code == 400
    assert "customer" in refused.json()["fields"]


def test_complaints_are_logged_with_channel_and_waybills(api_as, staff_a, customer_a):
    from complaints.defaults import defaults_ensure
    from complaints.models import ComplaintCategory

    defaults_ensure()
    category = ComplaintCategory.objects.get(code="delay")
    api = api_as(staff_a)
    response = api.post(
        "/api/v1/complaints/",
        {
            "customer": customer_a.pk,
            "channel": "phone",
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "complainant": "王先生",
            "content": "晚到两天",
            "category": category.pk,
            "severity": "normal",
            "waybills": "sf1234567890, YT9876543210",
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["channel"] == "phone"
    assert body["waybills"] == ["SF1234567890", "YT9876543210"]
    waybill = api.get("/api/v1/waybills/SF1234567890/").json()
    assert [c["number"] for c in waybill["complaints"]] == [body["number"]]


def test_a_complaint_step_runs_the_pages_workflow(api_as, staff_a, customer_a, customer_b):
    complaint = f.make_complaint(customer_a, by=staff_a)
    other = f.make_complaint(customer_b)
    api = api_as(staff_a)
    moved = api.post(f"/api/v1/complaints/{complaint.pk}/actions/start/", {"comment": "开始"})
    assert moved.status_code == 200, moved.json()
    assert moved.json()["status"] == "investigating"
    again = api.post(f"/api/v1/complaints/{complaint.pk}/actions/start/", {})
    assert again.status_code == 400
    assert api.post(f"/api/v1/complaints/{other.pk}/actions/start/", {}).status_code == 404
    assert api.post(f"/api/v1/complaints/{complaint.pk}/actions/nope/", {}).status_code == 404


def test_urgent_reports_are_for_supervisors_and_up(
    api_as, staff_a, supervisor_a, manager_a, django_capture_on_commit_callbacks
):
    assert api_as(staff_a).get("/api/v1/urgent-reports/").status_code == 403
    api = api_as(supervisor_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(
            "/api/v1/urgent-reports/",
            {
                "unit": supervisor_a.primary_unit.pk,
                "category": "competitor_policy",
                "title": "对手降价",
                "details": "整车线路降价约8%。",
                "waybills": "SF1234567890",
            },
        )
    assert response.status_code == 201, response.json()
    report = api.get(f"/api/v1/urgent-reports/{response.json()['id']}/").json()
    assert report["assignee"] == manager_a.pk
    assert report["waybills"] == ["SF1234567890"]
    acknowledged = api_as(manager_a).post(
        f"/api/v1/urgent-reports/{report['id']}/acknowledge/", {"comment": "收到"}
    )
    assert acknowledged.status_code == 200, acknowledged.json()
    assert acknowledged.json()["status"] == "acknowledged"


def test_notifications_are_read_and_marked_read(api_as, staff_a):
    from crm_site.core.services import notify

    notify(recipient=staff_a, kind="test", title="你好")
    api = api_as(staff_a)
    rows = api.get("/api/v1/notifications/?unread=true").json()["results"]
    assert [r["title"] for r in rows] == ["你好"]
    marked = api.post(f"/api/v1/notifications/{rows[0]['id']}/read/")
    assert marked.status_code == 200 and marked.json()["read_at"]
    assert api.get("/api/v1/notifications/?unread=true").json()["results"] == []


def test_cursor_pages_walk_every_row_once(api_as, admin_user, unit_a):
    for _ in range(7):
        f.make_customer(unit_a)
    api = api_as(admin_user)
    seen, url = [], "/api/v1/customers/?page_size=3"
    while url:
        page = api.get(url).json()
        seen += [row["id"] for row in page["results"]]
        url = page["next"]
    assert sorted(seen, reverse=True) == seen
    assert len(seen) == len(set(seen)) == Customer.objects.count()


def test_tracking_events_are_recorded_once_by_their_id(api_as, admin_user, staff_a, customer_a):
    api = api_as(admin_user)
    event = {"event_id": "E-1", "status": "到达分拨中心", "at": "2026-12-01T10:00:00+08:00"}
    first = api.post("/api/v1/waybills/SF1234567890/events/", event)
    again = api.post("/api/v1/waybills/SF1234567890/events/", event)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"]
    # Staff record events only for a waybill in their scope.
    assert (
        api_as(staff_a)
        .post("/api/v1/waybills/SF1234567890/events/", event | {"event_id": "E-2"})
        .status_code
        == 404
    )


def test_a_tracking_event_out_of_the_date_range_is_refused(api_as, admin_user):
    event = {"event_id": "E-9", "status": "已揽收", "at": "0322-04-16T07:18:12+02:07"}
    response = api_as(admin_user).post("/api/v1/waybills/SF1234567890/events/", event)
    assert response.status_code == 400
    assert "at" in response.json()["fields"]


def test_throttling_answers_429_with_retry_after(api_as, staff_a):
    from crm_site.api.auth import PerKeyThrottle

    original = PerKeyThrottle.THROTTLE_RATES
    PerKeyThrottle.THROTTLE_RATES = {"api": "2/min"}
    try:
        api = api_as(staff_a)
        answers = [api.get("/api/v1/notifications/") for _ in range(3)]
    finally:
        PerKeyThrottle.THROTTLE_RATES = original
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[-1]["Retry-After"]) > 0
    assert answers[-1].json()["code"] == "throttled"
    # Another key has its own allowance.
    assert api_as(staff_a).get("/api/v1/notifications/").status_code == 200


def test_the_command_prints_a_new_key_last_and_the_key_works(staff_a, capsys, client):
    call_command("api_key", "create", "--user", "staff_a", "--read-only", "--expires", "30")
    key = capsys.readouterr().out.strip().splitlines()[-1]
    stored = ApiKey.objects.get(user=staff_a)
    assert stored.read_only and stored.expiry_date is not None
    assert key.startswith(stored.prefix + ".") and stored.hashed_key != key
    response = client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    assert response.status_code == 200


def test_key_creation_and_use_are_audited(staff_a, client):
    key = key_for(staff_a)
    client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    client.get("/api/v1/customers/", HTTP_AUTHORIZATION=f"Api-Key {key}")
    actions = list(AuditLog.objects.filter(actor=staff_a).values_list("action", flat=True))
    assert actions.count("api_key.create") == 1
    assert actions.count("api_key.use") == 1


def test_users_manage_their_own_keys_and_admins_revoke_any(client, staff_a, staff_b, admin_user):
    client.force_login(staff_a)
    page = client.post("/accounts/api-keys/", {"name": "呼叫中心", "read_only": "on"})
    assert page.status_code == 200
    key = page.context["new_key"]
    assert key and key in page.content.decode()
    own = ApiKey.objects.get(user=staff_a)
    client.force_login(staff_b)
    assert own.prefix not in client.get("/accounts/api-keys/").content.decode()
    assert client.post(f"/accounts/api-keys/{own.prefix}/revoke/").status_code == 404
    client.force_login(admin_user)
    assert own.prefix in client.get("/accounts/api-keys/").content.decode()
    assert client.post(f"/accounts/api-keys/{own.prefix}/revoke/").status_code == 302
    own.refresh_from_db()
    assert own.revoked


def test_the_docs_are_served_from_this_site(client, staff_a):
    client.force_login(staff_a)
    for path in ("/api/v1/docs/", "/api/v1/redoc/"):
        page = client.get(path)
        assert page.status_code == 200
        html = page.content.decode()
        assert "https://" not in html and "<script>" not in html
    schema = client.get("/api/v1/schema/?lang=en")
    assert schema.status_code == 200
    assert b"/api/v1/customers/" in schema.content


def test_the_complaint_page_shows_its_waybills_latest_status_and_trail(
    api_as, admin_user, staff_a, customer_a, client
):
    from customers.models import Waybill

    complaint = f.make_complaint(customer_a, by=staff_a)
    complaint.waybills.add(Waybill.objects.create(number="SF1234567890"))
    api = api_as(admin_user)
    for event_id, status, hour in (("E-1", "已揽收", 8), ("E-2", "到达分拨中心", 12)):
        api.post(
            "/api/v1/waybills/SF1234567890/events/",
            {"event_id": event_id, "status": status, "at": f"2026-12-01T{hour}:00:00+08:00"},
        )
    client.force_login(staff_a)
    html = client.get(complaint.get_absolute_url()).content.decode()
    assert "运单跟踪" in html or "Waybill tracking" in html
    assert html.index("到达分拨中心") < html.index("已揽收")
    waybill = api_as(staff_a).get("/api/v1/waybills/SF1234567890/").json()
    assert waybill["latest_status"]["status"] == "到达分拨中心"
    assert [e["status"] for e in waybill["trail"]] == ["到达分拨中心", "已揽收"]
