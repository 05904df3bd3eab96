"""Faults with real processes: a worker killed half way, Redis down, PostgreSQL
cut under load, and a day of missed beat fires.

Each process test starts and stops its own extra processes by their ids (a
redis-server on a spare port, celery workers, gunicorn, a TCP proxy in front
of PostgreSQL); the machine's shared services are never stopped. They need
PostgreSQL (the workers and the web server share the test database) and are
marked slow: `SKIP_SLOW=1` skips them locally, CI always runs them.
"""

import signal
import threading
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string

from complaints import services as complaint_services
from complaints.defaults import defaults_ensure
from complaints.models import Complaint, ComplaintEvent
from crm_site.core.models import Notification, WorkCalendarDay
from crm_site.core.services import work_calendar
from customers import grading
from customers import services as customer_services
from customers.fields import customer_label
from customers.models import Customer, CustomerImport, GradeChange, GradingRule, RegradeRun
from customers.services.rules import STALE_AFTER
from tests.conftest import require
from tests.customers.conftest import workbook_bytes
from tests.customers.rules import definition
from tests.factories import make_complaint, make_customer, make_daily_report
from tests.support.complaints import complaint_post
from tests.support.processes import RedisServer, WebServer
from tests.support.services import (
    closed_on_the_server,
    database_url_through,
    start_worker,
    stop_process,
    use_broker,
    wait_until,
)
from tests.support.tcpproxy import TcpProxy
from visits import reminders
from visits import tasks as visit_tasks
from visits.models import DailyReport, DailyReportEntry, Visit


@pytest.fixture
def redis_server(postgres_required, tmp_path):
    """A redis-server of this test's own, on a spare port."""
    require(RedisServer.binary is not None, "the redis-server program")
    server = RedisServer(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def worker(tmp_path, name: str, redis: RedisServer, pauses: dict | None = None, **env):
    """A celery worker of this test on its own Redis (started and stopped by the test)."""
    return start_worker(tmp_path / f"{name}.log", {"REDIS_URL": redis.url} | env, pauses=pauses)


# --- a worker killed in the middle of a regrade ---------------------------------------

BOOK_SIZE = 2500  # three batches of 1,000


def a_book_of_grade_a(unit) -> None:
    rule = GradingRule.objects.current()
    customers = []
    for i in range(BOOK_SIZE):
        customer = Customer(
            code=f"K-{i:05d}",
            name=f"批量客户{i}",
            unit=unit,
            annual_revenue=1000 + i,
            scale="large",
            grade_rule=rule,
        )
        result = grading.grade(customer.attributes(), rule.as_rule())
        customer.grade, customer.grade_points = result.grade, result.points
        customer.grade_breakdown = result.breakdown
        customers.append(customer)
    Customer.objects.bulk_create(customers, batch_size=1000)
    assert set(Customer.objects.values_list("grade", flat=True)) == {"A"}


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.slow
@pytest.mark.services
@pytest.mark.real_broker
def test_a_worker_killed_mid_regrade_is_finished_by_a_new_worker_with_nothing_lost_or_twice(
    redis_server, tmp_path, admin_user, unit_a
):
    a_book_of_grade_a(unit_a)
    with use_broker(redis_server.url):
        # This worker waits 4 s after each batch of 1,000 (each batch commits).
        pauses = {"customers.services.rules._regrade_batch": {"after": 4}}
        first = worker(tmp_path, "first", redis_server, pauses=pauses)
        try:
            run = customer_services.grading_rule_save(
                actor=admin_user, definition=definition(A=101), note="故障演练"
            )
            wait_until(lambda: GradeChange.objects.filter(run=run).exists(), timeout=60)
        finally:
            stop_process(first, sig=signal.SIGKILL)  # mid-run: between two batches

        run.refresh_from_db()
        regraded = Customer.objects.filter(grade_rule=run.rule).count()
        assert run.state == RegradeRun.State.RUNNING
        assert 0 < regraded < BOOK_SIZE, "the worker was not killed half way"

        # Fifteen minutes without progress make the run stalled (claimable again).
        RegradeRun.objects.filter(pk=run.pk).update(
            progress_at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
        )
        # The new worker gets the killed worker's unacknowledged message back
        # (visibility timeout), and the beat's sweeper sends the stalled run too.
        second = worker(tmp_path, "second", redis_server, CELERY_VISIBILITY_TIMEOUT="1")
        try:
            customer_services.regrade_runs_sweep()
            done = wait_until(
                lambda: RegradeRun.objects.filter(pk=run.pk, state="done").first(), timeout=90
            )
        finally:
            stop_process(second)

    assert (done.customers_checked, done.customers_moved, done.moves) == (
        BOOK_SIZE,
        BOOK_SIZE,
        {"A→B": BOOK_SIZE},
    )
    assert Customer.objects.exclude(grade_rule=run.rule).count() == 0
    assert set(Customer.objects.values_list("grade", flat=True)) == {"B"}
    changes = GradeChange.objects.filter(rule=run.rule)
    assert changes.count() == BOOK_SIZE
    assert changes.values("customer").distinct().count() == BOOK_SIZE
    assert (
        Notification.objects.filter(recipient=admin_user, kind="customers.regrade_done").count()
        == 1
    )
    assert customer_services.regrade_runs_sweep(now=timezone.now() + timedelta(hours=1)) == 0


# --- Redis down while users work ------------------------------------------------------


def entry_form(customer, **extra) -> dict:
    return {
        "customer": customer_label(customer),
        "kind": "visit",
        "time": "00:10",
        "opinions": "希望增加夜间配送",
        "effect": "客户满意",
        "form_token": str(uuid.uuid4()),
    } | extra


def complaint_form(customer, **extra) -> dict:
    return complaint_post(customer, content="货物晚到两天。", **extra)


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.slow
@pytest.mark.services
@pytest.mark.real_broker
def test_with_redis_down_every_request_succeeds_and_the_background_work_catches_up(
    redis_server, tmp_path, media, client, staff_a, supervisor_a, admin_user, unit_a
):
    defaults_ensure()
    customer = make_customer(unit_a, code="R-001", name="杭州断网物流", visiting_person=staff_a)
    background = worker(tmp_path, "worker", redis_server, DJANGO_MEDIA_ROOT=str(media))
    try:
        with use_broker(redis_server.url):
            redis_server.kill()

            client.force_login(staff_a)
            response = client.post(reverse("visits:report_new"))
            assert response.status_code == 302
            report = DailyReport.objects.get(user=staff_a)
            response = client.post(
                reverse("visits:entry_new", args=[report.pk]), entry_form(customer)
            )
            assert response.status_code == 302
            response = client.post(reverse("visits:report_submit", args=[report.pk]), {"note": ""})
            assert response.status_code == 302
            response = client.post(reverse("complaints:create"), complaint_form(customer))
            assert response.status_code == 302

            client.force_login(supervisor_a)
            upload = SimpleUploadedFile(
                "客户.xlsx",
                workbook_bytes([{"code": "R-NEW", "name": "断网新客户", "unit": unit_a.name}]),
            )
            response = client.post(
                reverse("customers:import"),
                {"file": upload, "form_token": uuid.uuid4()},
                follow=True,
            )
            assert response.status_code == 200
            assert "正在逐行检查文件" in response.content.decode()  # and it refreshes itself

            client.force_login(admin_user)
            response = client.post(reverse("customers:regrade_now"), follow=True)
            assert response.status_code == 200
            assert "正在后台重新评级" in response.content.decode()

            # Nothing the users did was lost, and what waits for the broker is recorded.
            report.refresh_from_db()
            assert report.status == DailyReport.Status.SUBMITTED
            entry = DailyReportEntry.objects.get(report=report)
            assert entry.visit.customer == customer
            complaint = Complaint.objects.get(customer=customer)
            assert complaint.events.filter(kind=ComplaintEvent.Kind.LOGGED).exists()
            record = CustomerImport.objects.get()
            run = RegradeRun.objects.get()
            assert (record.state, run.state) == ("checking", "pending")

            redis_server.start()  # back, on the same port, empty
            later = timezone.now() + timedelta(minutes=15)  # the sweepers' next runs
            assert customer_services.regrade_runs_sweep(now=later) == 1
            assert customer_services.customer_imports_sweep(now=later) == 1
            wait_until(
                lambda: RegradeRun.objects.filter(pk=run.pk, state="done").exists(), timeout=90
            )
            record = wait_until(
                lambda: CustomerImport.objects.filter(pk=record.pk, state="previewed").first(),
                timeout=90,
            )
    finally:
        stop_process(background)
    assert record.result["create_count"] == 1


# --- PostgreSQL cut under load ---------------------------------------------------------


class Load:
    """Requests of a signed-in staff member against the web server, from threads."""

    def __init__(self, server: WebServer, cookies: dict, report, customers, complaint_customer):
        self.server, self.cookies = server, cookies
        self.report, self.customers = report, list(customers)
        self.complaint_customer = complaint_customer
        self.saved_tokens: list[str] = []
        self.complaints_ok = 0
        self.complaints_tried = 0
        self.lock = threading.Lock()
        # Read here: the threads touch no database connection of this process.
        self.complaint_data = complaint_form(complaint_customer)

    def one(self, i: int) -> int:
        token = self.cookies["csrftoken"]
        kind = i % 4
        try:
            if kind == 0:
                status, _, _ = self.server.request("GET", "/customers/", cookies=self.cookies)
            elif kind == 1:
                path = reverse("visits:report_detail", args=[self.report.pk])
                status, _, _ = self.server.request("GET", path, cookies=self.cookies)
            elif kind == 2:
                data = entry_form(self.customers.pop()) | {"csrfmiddlewaretoken": token}
                path = reverse("visits:entry_new", args=[self.report.pk])
                status, _, _ = self.server.request("POST", path, cookies=self.cookies, data=data)
                if status == 302:
                    with self.lock:
                        self.saved_tokens.append(data["form_token"])
            else:
                data = self.complaint_data | {
                    "csrfmiddlewaretoken": token,
                    "form_token": str(uuid.uuid4()),
                }
                with self.lock:
                    self.complaints_tried += 1
                status, _, _ = self.server.request(
                    "POST", reverse("complaints:create"), cookies=self.cookies, data=data
                )
                with self.lock:
                    self.complaints_ok += status == 302
        except OSError:
            return 599  # the connection itself failed
        return status

    def fire(self, count: int, start: int = 0, during=None) -> list[int]:
        with ThreadPoolExecutor(max_workers=4) as pool:
            futures = [pool.submit(self.one, start + i) for i in range(count)]
            if during is not None:
                during()
            return [f.result() for f in futures]


@pytest.mark.usefixtures("transactional_db")
@pytest.mark.slow
@pytest.mark.services
def test_after_postgresql_comes_back_no_request_fails_and_no_row_is_half_saved(
    postgres_required, tmp_path, client, staff_a, unit_a
):
    defaults_ensure()
    customers = [
        make_customer(unit_a, code=f"L-{i:03d}", name=f"负载客户{i}", visiting_person=staff_a)
        for i in range(60)
    ]
    report = make_daily_report(staff_a)
    client.force_login(staff_a)
    cookies = {"sessionid": client.cookies["sessionid"].value, "csrftoken": get_random_string(32)}

    host = connection.settings_dict["HOST"] or "127.0.0.1"
    proxy = TcpProxy(host, int(connection.settings_dict["PORT"] or 5432)).start()
    server = WebServer(
        tmp_path,
        {"DATABASE_URL": database_url_through(proxy), "REDIS_URL": "", "LOG_LEVEL": "ERROR"},
    )
    load = Load(server, cookies, report, customers[1:], customers[0])
    try:
        server.start()
        assert set(load.fire(16)) <= {200, 302}

        # 1. The database restarts while the server is idle: its kept connections are dead.
        proxy.cut()
        proxy.restore()
        after_idle_restart = load.fire(12, start=16)
        assert set(after_idle_restart) <= {200, 302}, after_idle_restart

        # 2. The database goes away under load, for a moment, and comes back.
        def cut_for_a_moment():
            wait_until(lambda: proxy.connections > 0, timeout=10)
            proxy.cut()
            time_cut = timezone.now()
            wait_until(lambda: timezone.now() - time_cut > timedelta(seconds=2), timeout=10)
            proxy.restore()

        during = load.fire(16, start=28, during=cut_for_a_moment)
        assert all(status < 600 for status in during)
        after = load.fire(24, start=44)
        assert set(after) <= {200, 302}, after
    finally:
        server.stop()
        proxy.stop()
        # Before the test database is dropped at the end of the session.
        wait_until(lambda: closed_on_the_server(proxy), timeout=20)

    # Nothing half-saved: every entry has its visit, no entry visit without its entry,
    # every complaint has its first event; nothing a 302 confirmed was lost.
    assert not Visit.objects.filter(source=Visit.Source.ENTRY, entry__isnull=True).exists()
    saved = {str(t) for t in DailyReportEntry.objects.values_list("form_token", flat=True)}
    assert set(load.saved_tokens) <= saved
    complaints = Complaint.objects.filter(customer=customers[0])
    assert load.complaints_ok <= complaints.count() <= load.complaints_tried
    assert all(c.events.filter(kind=ComplaintEvent.Kind.LOGGED).exists() for c in complaints)
    numbers = sorted(int(n.rsplit("-", 1)[1]) for n in complaints.values_list("number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))  # no gap, no repeat


# --- a day of missed beat fires ------------------------------------------------------

MONDAY = date(2026, 11, 23)
TUESDAY = date(2026, 11, 24)


@pytest.fixture
def staff_since_last_month(staff_a, staff_a2):
    month_ago = timezone.now() - timedelta(days=40)
    for user in (staff_a, staff_a2):
        type(user).objects.filter(pk=user.pk).update(date_joined=month_ago)
    return staff_a, staff_a2


@pytest.mark.django_db
def test_a_day_without_the_report_reminder_is_made_up_the_next_working_day(
    staff_since_last_month,
):
    staff_a, staff_a2 = staff_since_last_month
    make_daily_report(staff_a2, MONDAY, status=DailyReport.Status.SUBMITTED)
    # Both of Monday's beat fires were missed; Tuesday's run also reminds Monday's.
    assert reminders.remind_missing_reports_catch_up(day=TUESDAY) == 1
    assert reminders.remind_missing_reports_catch_up(day=TUESDAY) == 0
    note = Notification.objects.get()
    assert (note.recipient, note.title) == (staff_a, "您 2026-11-23 的日报表尚未提交")


@pytest.mark.django_db
def test_the_catch_up_reminds_nobody_when_the_day_was_not_missed(staff_since_last_month):
    visit_tasks.remind_missing_daily_reports(MONDAY.isoformat())  # Monday's beat fired
    assert reminders.remind_missing_reports_catch_up(day=TUESDAY) == 0
    assert Notification.objects.count() == 2


@pytest.mark.django_db
def test_the_catch_up_skips_days_off_and_people_who_joined_later(staff_since_last_month, unit_a):
    from tests.factories import make_user

    make_user("staff", unit_a, username="newcomer")  # joined today
    WorkCalendarDay.objects.create(date=MONDAY, is_working=False, note="节假日")
    # Tuesday's catch-up is for the last working day before it: Friday the 20th.
    assert reminders.remind_missing_reports_catch_up(day=TUESDAY) == 2
    titles = set(Notification.objects.values_list("title", flat=True))
    assert titles == {"您 2026-11-20 的日报表尚未提交"}


@pytest.mark.django_db
def test_the_beat_run_of_the_reminder_includes_the_catch_up(staff_since_last_month):
    today = timezone.localdate()
    calendar = work_calendar(today - timedelta(days=30), today)
    previous = today - timedelta(days=1)
    while not calendar.is_working_day(previous):
        previous -= timedelta(days=1)
    visit_tasks.remind_missing_daily_reports()  # as the beat calls it: no day
    keys = set(Notification.objects.values_list("dedupe_key", flat=True))
    assert f"visits.report_missing:{previous.isoformat()}" in keys


@pytest.mark.django_db
def test_a_day_without_deadline_sweeps_escalates_everything_that_fell_due_once(
    unit_a, staff_a, supervisor_a, manager_a
):
    defaults_ensure()
    customer = make_customer(unit_a, visiting_person=staff_a)
    monday_9 = timezone.make_aware(datetime.combine(MONDAY, time(9)))
    late = [
        make_complaint(customer, by=staff_a, deadline=monday_9 + timedelta(hours=h)) for h in (1, 8)
    ]
    soon = make_complaint(customer, by=staff_a, deadline=monday_9 + timedelta(days=1, hours=10))
    # No sweep ran on Monday; the first one on Tuesday morning catches up.
    tuesday_8 = monday_9 + timedelta(days=1, hours=-1)
    first = complaint_services.complaint_deadlines_sweep(now=tuesday_8)
    again = complaint_services.complaint_deadlines_sweep(now=tuesday_8 + timedelta(minutes=10))
    assert first == {
        "reminded": 1,
        "escalated": 2,
        "regulatory_reminded": 0,
        "regulatory_escalated": 0,
    }
    assert again == {
        "reminded": 0,
        "escalated": 0,
        "regulatory_reminded": 0,
        "regulatory_escalated": 0,
    }
    for complaint in late:
        complaint.refresh_from_db()
        assert complaint.escalated_at == tuesday_8
    soon.refresh_from_db()
    assert soon.reminded_at == tuesday_8
    escalations = Notification.objects.filter(kind="complaint_escalation")
    assert escalations.count() == 4  # two complaints, each to the supervisor and the manager


@pytest.mark.django_db
def test_a_missed_quarterly_regrade_is_made_up_by_the_next_daily_firing(
    unit_a, django_capture_on_commit_callbacks, settings
):
    make_customer(unit_a)
    entry = settings.CELERY_BEAT_SCHEDULE["customers-regrade-quarterly"]["schedule"]
    # It fires every day; the quarter's key makes all but the first firing no-ops.
    assert entry.day_of_month == set(range(1, 32)) and entry.month_of_year == set(range(1, 13))
    with django_capture_on_commit_callbacks(execute=True):
        # 1 January's firing was missed (the beat was down); 2 January's makes it up.
        made_up = customer_services.regrade_quarterly_start(today=date(2027, 1, 2))
        assert customer_services.regrade_quarterly_start(today=date(2027, 1, 3)) is None
    made_up.refresh_from_db()
    assert (made_up.key, made_up.state) == ("quarterly-2027Q1", "done")


# --- what a user sees while the database is away ------------------------------------


@pytest.mark.django_db
def test_a_request_that_loses_the_database_answers_503_with_a_chinese_retry_message(
    staff_a, monkeypatch
):
    from django.db import OperationalError
    from django.test import Client

    from customers.models import CustomerQuerySet

    def lost(self, user):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(CustomerQuerySet, "visible_to", lost)
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    response = client.get(reverse("customers:list"))
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    html = response.content.decode()
    assert "暂时无法连接数据库" in html and "请半分钟后重试" in html
    assert "张三" not in html  # rendered without the user: the database cannot be asked


@pytest.mark.django_db
def test_any_other_error_is_still_a_500(staff_a, monkeypatch):
    from django.test import Client

    from customers.models import CustomerQuerySet

    def broken(self, user):
        raise ValueError("a bug")

    monkeypatch.setattr(CustomerQuerySet, "visible_to", broken)
    client = Client(raise_request_exception=False)
    client.force_login(staff_a)
    assert client.get(reverse("customers:list")).status_code == 500
