"""Monthly turnover: the import (all or nothing, idempotent), a supervisor's edit,
rolling revenue feeding the grading rule, targets, the gap analysis, and scope."""

import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from crm_site.core import months
from crm_site.core.versioning import StaleEdit
from customers.models import Customer, GradeChange, GradingRule, RegradeRun
from customers.revenue import selectors, services
from customers.revenue.models import MonthlyTurnover, RevenueTarget, TurnoverEvent
from customers.services.rules import regrade_run_execute
from tests import factories as f

pytestmark = pytest.mark.django_db
D = Decimal


def xlsx(rows, header=("Customer code", "Month (YYYY-MM)", "Turnover (CNY)")):
    wb = Workbook()
    ws = wb.active
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    stream = io.BytesIO()
    wb.save(stream)
    return SimpleUploadedFile(
        "turnover.xlsx",
        stream.getvalue(),
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


@pytest.fixture
def customer(unit_a, staff_a):
    return f.make_customer(unit_a, code="A001", visiting_person=staff_a)


@pytest.fixture
def other(unit_a, staff_a2):
    return f.make_customer(unit_a, code="A002", visiting_person=staff_a2)


@pytest.fixture
def foreign(unit_b, staff_b):
    return f.make_customer(unit_b, code="B001", visiting_person=staff_b)


def test_an_import_stores_each_customer_month_and_its_history(supervisor_a, customer, other):
    outcome = services.turnover_import(
        actor=supervisor_a,
        upload=xlsx([("A001", "2026-01", 1000), ("A002", "2026-01", "2,500.50")]),
    )
    assert outcome.error_count == 0
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    stored = dict(MonthlyTurnover.objects.values_list("customer__code", "amount"))
    assert stored == {"A001": D("1000.00"), "A002": D("2500.50")}
    assert TurnoverEvent.objects.filter(kind="imported").count() == 2


def test_importing_the_same_file_again_changes_nothing(supervisor_a, customer):
    rows = [("A001", "2026-01", 1000), ("A001", "2026-02", 1200)]
    services.turnover_import(actor=supervisor_a, upload=xlsx(rows))
    again = services.turnover_import(actor=supervisor_a, upload=xlsx(rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert MonthlyTurnover.objects.count() == 2
    assert TurnoverEvent.objects.count() == 2


def test_a_reimport_replaces_the_month_and_never_adds_to_it(supervisor_a, customer):
    services.turnover_import(actor=supervisor_a, upload=xlsx([("A001", "2026-01", 1000)]))
    outcome = services.turnover_import(
        actor=supervisor_a, upload=xlsx([("A001", date(2026, 1, 15), 800)])
    )
    assert outcome.updated == 1
    assert MonthlyTurnover.objects.get().amount == D("800.00")
    event = TurnoverEvent.objects.filter(data__old="1000.00").get()
    assert event.data == {"old": "1000.00", "new": "800.00"}


def test_one_bad_row_imports_nothing_and_names_every_error(supervisor_a, customer, foreign):
    outcome = services.turnover_import(
        actor=supervisor_a,
        upload=xlsx(
            [
                ("A001", "2026-01", 1000),  # fine
                ("A001", "2026-13", 1000),  # no such month
                ("A001", "2026-02", -5),  # negative
                ("B001", "2026-01", 10),  # another unit's customer
                ("NOPE", "2026-01", 10),  # unknown code
                ("A001", "2026-01", 10),  # same customer and month as row 2
                ("A001", "2026-03", "1.234"),  # not to the cent
            ]
        ),
    )
    assert MonthlyTurnover.objects.count() == 0
    found = {(e["row"], e["column"]) for e in outcome.errors}
    assert found == {
        (3, "month"),
        (4, "amount"),
        (5, "code"),
        (6, "code"),
        (7, "month"),
        (8, "amount"),
    }


def test_a_file_without_the_columns_is_refused_whole(supervisor_a, customer):
    with pytest.raises(services.sheet.ImportFileError):
        services.turnover_import(actor=supervisor_a, upload=xlsx([("A001",)], header=("编号",)))


def _series(code, start: date, amounts):
    return [(code, f"{months.shift(start, i):%Y-%m}", a) for i, a in enumerate(amounts)]


def test_rolling_twelve_months_and_the_computed_trend_feed_the_grade(supervisor_a, customer):
    # Typed in: 100 (10k CNY), stable. Imported: a year at 10k a month, then
    # a year rising from 20k to 130k a month (930k CNY = 93 wan... x10).
    before = [10000] * 12
    last = [200000 + 100000 * i for i in range(12)]
    outcome = services.turnover_import(
        actor=supervisor_a, upload=xlsx(_series("A001", date(2024, 1, 1), before + last))
    )
    customer.refresh_from_db()
    assert customer.annual_revenue == (sum(D(a) for a in last) / 10000).quantize(D("0.01"))
    assert customer.annual_revenue == D("900.00")
    assert customer.trend == "growing"
    # The card's history says what changed and who imported it.
    from customers.models import CustomerChange

    change = CustomerChange.objects.get(customer=customer)
    assert change.actor == supervisor_a
    assert change.changes == {
        "annual_revenue": ["100.00", "900.00"],
        "trend": ["stable", "growing"],
    }
    # The rule preview already counts the move the regrade will make.
    from customers.services.rules import grading_rule_preview

    preview = grading_rule_preview(definition=GradingRule.objects.current().definition)
    assert preview.moved == 1
    # The import started a regrade under the current rule; it moves the customer.
    assert outcome.regraded is not None
    old_grade = customer.grade
    regrade_run_execute(run_id=outcome.regraded.pk)
    customer.refresh_from_db()
    run = RegradeRun.objects.get(pk=outcome.regraded.pk)
    assert customer.grade != old_grade
    change = GradeChange.objects.get(customer=customer, run=run)
    assert change.new_grade == customer.grade
    assert run.customers_moved == 1


def test_a_supervisor_edit_keeps_the_old_figure_in_its_history(supervisor_a, customer):
    services.turnover_import(actor=supervisor_a, upload=xlsx([("A001", "2026-01", 1000)]))
    row = MonthlyTurnover.objects.get()
    services.turnover_edit(actor=supervisor_a, turnover=row, amount=D("1500"), version=row.version)
    row.refresh_from_db()
    assert row.amount == D("1500.00")
    edit = row.events.get(kind="edited")
    assert edit.actor == supervisor_a and edit.data == {"old": "1000.00", "new": "1500"}
    customer.refresh_from_db()
    assert customer.annual_revenue == D("0.15")


def test_a_stale_edit_is_refused(supervisor_a, customer):
    services.turnover_import(actor=supervisor_a, upload=xlsx([("A001", "2026-01", 1000)]))
    row = MonthlyTurnover.objects.get()
    loaded = row.version
    services.turnover_edit(actor=supervisor_a, turnover=row, amount=D("1"), version=loaded)
    with pytest.raises(StaleEdit):
        services.turnover_edit(actor=supervisor_a, turnover=row, amount=D("2"), version=loaded)


# --- scope ------------------------------------------------------------------------


@pytest.fixture
def stored(supervisor_a, customer, other, foreign, supervisor_b):
    services.turnover_import(
        actor=supervisor_a, upload=xlsx([("A001", "2026-01", 100), ("A002", "2026-01", 200)])
    )
    services.turnover_import(actor=supervisor_b, upload=xlsx([("B001", "2026-01", 300)]))
    return {t.customer.code: t for t in MonthlyTurnover.objects.select_related("customer")}


def _codes(user):
    return sorted(selectors.turnover_list(user=user).values_list("customer__code", flat=True))


def test_staff_see_only_the_turnover_of_the_customers_they_visit(stored, staff_a, staff_b):
    assert _codes(staff_a) == ["A001"]
    assert _codes(staff_b) == ["B001"]


def test_supervisors_and_managers_see_their_units_turnover(
    stored, supervisor_a, manager_b, admin_user
):
    assert _codes(supervisor_a) == ["A001", "A002"]
    assert _codes(manager_b) == ["B001"]
    assert _codes(admin_user) == ["A001", "A002", "B001"]


def test_the_turnover_pages_answer_by_scope(client, stored, staff_a, supervisor_b, supervisor_a):
    mine, theirs = stored["A001"], stored["A002"]
    client.force_login(staff_a)
    page = client.get(reverse("customers:turnover_list")).content.decode()
    assert "A001" in page and "A002" not in page
    assert (
        client.get(reverse("customers:customer_turnover", args=[theirs.customer_id])).status_code
        == 404
    )
    assert (
        client.get(reverse("customers:customer_turnover", args=[mine.customer_id])).status_code
        == 200
    )
    assert client.get(reverse("customers:turnover_edit", args=[mine.pk])).status_code == 403
    client.force_login(supervisor_b)
    assert client.get(reverse("customers:turnover_edit", args=[mine.pk])).status_code == 404
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:turnover_edit", args=[mine.pk]),
        {"amount": "150.00", "version": mine.version},
    )
    assert response.status_code == 302
    mine.refresh_from_db()
    assert mine.amount == D("150.00")


def test_the_import_page_shows_row_errors_and_imports_nothing(client, supervisor_a, customer):
    client.force_login(supervisor_a)
    response = client.post(
        reverse("customers:turnover_import"),
        {"file": xlsx([("A001", "2026-01", 1), ("A001", "bad", 2)])},
    )
    assert response.status_code == 200
    assert "turnover-errors" in response.content.decode()
    assert MonthlyTurnover.objects.count() == 0
    response = client.post(
        reverse("customers:turnover_import"), {"file": xlsx([("A001", "2026-01", 1)])}
    )
    assert response.status_code == 302
    assert response.url == reverse("customers:turnover_list")
    assert MonthlyTurnover.objects.count() == 1
    assert RegradeRun.objects.count() == 1  # revenue 100 -> 0.00: the regrade was started


def test_the_template_downloads_and_imports_as_it_is(client, supervisor_a):
    f.make_customer(supervisor_a.memberships.first().unit, code="C0001")
    client.force_login(supervisor_a)
    response = client.get(reverse("customers:turnover_template"))
    body = b"".join(response.streaming_content)
    upload = SimpleUploadedFile("t.xlsx", body)
    outcome = services.turnover_import(actor=supervisor_a, upload=upload)
    assert outcome.error_count == 0 and outcome.created == 1


# --- targets and the gap analysis ----------------------------------------------------


def test_a_target_saved_again_replaces_the_first(manager_a, unit_a):
    services.revenue_target_set(actor=manager_a, unit=unit_a, month=date(2026, 1, 9), amount=D(5))
    services.revenue_target_set(actor=manager_a, unit=unit_a, month=date(2026, 1, 1), amount=D(7))
    assert list(RevenueTarget.objects.values_list("month", "amount")) == [(date(2026, 1, 1), D(7))]


def test_the_gap_figures_equal_a_hand_computation(
    supervisor_a, manager_a, unit_a, customer, other, staff_a, staff_a2
):
    other.grade = "A"
    other.save(update_fields=["grade"])
    Customer.objects.filter(pk=customer.pk).update(grade="C")
    services.turnover_import(
        actor=supervisor_a,
        upload=xlsx(
            [
                ("A001", "2025-01", 500),
                ("A001", "2025-02", 500),
                ("A002", "2025-01", 100),
                ("A001", "2026-01", 100),
                ("A001", "2026-02", 200),
                ("A002", "2026-01", 300),
                ("A002", "2026-02", 400),
            ]
        ),
    )
    for month, amount in ((1, 500), (2, 500)):
        services.revenue_target_set(
            actor=manager_a, unit=unit_a, month=date(2026, month, 1), amount=D(amount)
        )
    services.revenue_target_set(
        actor=manager_a, unit=unit_a, month=date(2026, 1, 1), amount=D(250), person=staff_a
    )
    services.revenue_target_set(
        actor=manager_a, unit=unit_a, month=date(2026, 2, 1), amount=D(600), grade="A"
    )
    gap = selectors.gap_analysis(user=supervisor_a, unit=unit_a, month=date(2026, 2, 1))
    by_month = {m: (line.actual, line.target, line.gap) for m, line in gap.by_month}
    assert by_month == {
        date(2026, 1, 1): (D(400), D(500), D(-100)),  # 100 + 300
        date(2026, 2, 1): (D(600), D(500), D(100)),  # 200 + 400
    }
    ytd = gap.year_to_date
    assert (ytd.actual, ytd.target, ytd.gap, ytd.attainment) == (
        D(1000),
        D(1000),
        D(0),
        D("100.0"),
    )
    people = {line.label: (line.actual, line.target) for line in gap.by_person}
    assert people == {"张三": (D(300), D(250)), "李四": (D(700), None)}
    grades = {line.label: (line.actual, line.target) for line in gap.by_grade}
    assert grades == {"A": (D(700), D(600)), "C": (D(300), None)}
    # A001: 1000 last year to date, 300 now; A002: 100, then 700.
    assert [(c["code"], c["change"]) for c in gap.drops] == [("A001", D(-700))]
    assert [(c["code"], c["change"]) for c in gap.rises] == [("A002", D(600))]


def test_the_gap_page_shows_the_units_figures(client, supervisor_a, customer, unit_a, staff_a):
    services.turnover_import(actor=supervisor_a, upload=xlsx([("A001", "2026-03", 1234.5)]))
    client.force_login(supervisor_a)
    response = client.get(reverse("reports:revenue_gap"), {"unit": unit_a.pk, "month": "2026-03"})
    assert response.status_code == 200
    assert response.context["analysis"].year_to_date.actual == D("1234.50")
    assert "revenue-gap-data" in response.content.decode()
    client.force_login(staff_a)
    assert client.get(reverse("reports:revenue_gap")).status_code == 403


# --- early warning --------------------------------------------------------------------


def test_two_falls_in_a_row_raise_one_watch_and_tell_the_visitor_and_supervisor(
    supervisor_a, customer, other, staff_a
):
    from crm_site.core.models import Notification
    from customers.revenue.warnings import revenue_falls_warn
    from customers.voice.models import CustomerWatch

    services.turnover_import(
        actor=supervisor_a,
        upload=xlsx(
            [
                ("A001", "2026-01", 1000),
                ("A001", "2026-02", 700),  # -30%
                ("A001", "2026-03", 500),  # -29%
                ("A002", "2026-01", 1000),
                ("A002", "2026-02", 700),
                ("A002", "2026-03", 650),  # only -7%
            ]
        ),
    )
    assert revenue_falls_warn() == 1
    watch = CustomerWatch.objects.get()
    assert watch.customer == customer and watch.reported_by == staff_a
    told = set(
        Notification.objects.filter(kind="customers.turnover_fall").values_list(
            "recipient__username", flat=True
        )
    )
    assert told == {"staff_a", "supervisor_a"}
    # The next firing finds the same item: nothing new.
    assert revenue_falls_warn() == 0
    assert CustomerWatch.objects.count() == 1


def test_the_customer_card_links_to_the_turnover(client, stored, staff_a):
    client.force_login(staff_a)
    page = client.get(reverse("customers:detail", args=[stored["A001"].customer_id]))
    assert reverse("customers:customer_turnover", args=[stored["A001"].customer_id]) in (
        page.content.decode()
    )


def test_rows_from_another_feed_follow_the_same_rules(supervisor_a, customer):
    rows = [(1, {"code": "A001", "month": "2026-04", "amount": "99.5"}, False)]
    outcome = services.turnover_rows_save(actor=supervisor_a, rows=rows)
    assert outcome.created == 1
    bad = [(1, {"code": "A001", "month": "April", "amount": "1"}, False)]
    assert services.turnover_rows_save(actor=supervisor_a, rows=bad).error_count == 1
    assert MonthlyTurnover.objects.get().amount == D("99.50")


def test_retention_counts_the_customers_still_trading_a_year_on(
    supervisor_a, unit_a, customer, other
):
    services.turnover_import(
        actor=supervisor_a,
        upload=xlsx(
            [
                ("A001", "2025-03", 10),
                ("A002", "2025-03", 10),
                ("A001", "2026-03", 5),
                ("A002", "2026-03", 0),
            ]
        ),
    )
    gap = selectors.gap_analysis(user=supervisor_a, unit=unit_a, month=date(2026, 3, 1))
    assert (gap.retention["base"], gap.retention["kept"], gap.retention["share"]) == (
        2,
        1,
        D("50.0"),
    )
