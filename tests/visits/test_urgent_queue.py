"""/visits/urgent/: the queue — filters, order by deadline, SLA badges — the
rows the page refreshes itself with, the navigation badge and the home panels."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import make_urgent_report
from visits.models import UrgentReport

pytestmark = pytest.mark.django_db


def rows(client, **params):
    response = client.get(reverse("visits:urgent_list"), params)
    assert response.status_code == 200
    return list(response.context["page_obj"].object_list)


def page(client, user, url_name: str) -> str:
    """The page `user` sees at `url_name`."""
    client.force_login(user)
    return client.get(reverse(url_name)).content.decode()


@pytest.fixture
def queue(unit_a, supervisor_a, manager_a):
    """Four reports of unit A with deadlines in 1, 3, 5 hours and one resolved."""
    now = timezone.now()

    def make(title, hours, **fields):
        return make_urgent_report(
            unit_a,
            supervisor_a,
            title=title,
            route=True,
            ack_deadline=now + timedelta(hours=hours),
            **fields,
        )

    return {
        "late": make("三小时", 3),
        "soon": make("半小时", 0.5),
        "acked": make("已确认", -1, status="acknowledged", acknowledged_at=now),
        "later": make("五小时", 5, category="own_service"),
        "done": make("已办结", 2, status="resolved", resolved_at=now),
    }


def test_open_reports_come_by_deadline_those_awaiting_acknowledgement_first(
    client, manager_a, queue
):
    client.force_login(manager_a)
    titles = [r.title for r in rows(client)]
    assert titles == ["半小时", "三小时", "五小时", "已确认"]


def test_the_status_filter_shows_resolved_or_everything(client, manager_a, queue):
    client.force_login(manager_a)
    assert [r.title for r in rows(client, status="resolved")] == ["已办结"]
    assert len(rows(client, status="all")) == 5
    assert [r.title for r in rows(client, status="acknowledged")] == ["已确认"]


def test_the_category_filter(client, manager_a, queue):
    client.force_login(manager_a)
    assert [r.title for r in rows(client, category="own_service")] == ["五小时"]


def test_the_unit_filter_for_an_admin(client, admin_user, queue, urgent_b, unit_b):
    client.force_login(admin_user)
    assert [r.pk for r in rows(client, unit=unit_b.pk)] == [urgent_b.pk]


def test_mine_is_what_is_assigned_to_a_manager(client, manager_a, unit_a, supervisor_a, queue):
    from crm_site.accounts.models import Role
    from tests.factories import make_user

    other = make_user(Role.MANAGER, unit_a)
    theirs = make_urgent_report(unit_a, supervisor_a, status="routed", assignee=other)
    client.force_login(manager_a)
    assert theirs in rows(client)
    assert theirs not in rows(client, mine="on")
    assert len(rows(client, mine="on")) == 4


def test_mine_is_what_a_supervisor_raised(client, supervisor_a, unit_a, queue):
    from crm_site.accounts.models import Role
    from tests.factories import make_user

    colleague = make_user(Role.SUPERVISOR, unit_a)
    theirs = make_urgent_report(unit_a, colleague)
    client.force_login(supervisor_a)
    assert theirs in rows(client)
    assert theirs not in rows(client, mine="on")


@pytest.mark.parametrize(
    ("url_name", "snippets"),
    [
        # The queue's rows carry SLA badges.
        (
            "visits:urgent_list",
            ['data-sla="due_soon"', 'data-sla="time_left"', 'data-sla="acknowledged"', "剩余"],
        ),
        # The manager's home counts their queue.
        (
            "home",
            [
                'id="home-urgent-open">4<',
                'id="home-urgent-overdue">0<',
                'id="home-urgent-mine">4<',
                "半小时",
            ],
        ),
    ],
    ids=["rows-carry-sla-badges", "home-shows-the-queue"],
)
def test_a_manager_sees_their_queue_on_the_list_and_at_home(
    client, manager_a, queue, url_name, snippets
):
    html = page(client, manager_a, url_name)
    for snippet in snippets:
        assert snippet in html, snippet


def test_an_overdue_row_is_marked_overdue(client, manager_a, unit_a, supervisor_a):
    make_urgent_report(
        unit_a, supervisor_a, route=True, ack_deadline=timezone.now() - timedelta(minutes=30)
    )
    html = page(client, manager_a, "visits:urgent_list")
    assert 'data-sla="overdue"' in html and "table-danger" in html


def test_the_rows_endpoint_returns_only_the_rows_with_the_same_filters(client, manager_a, queue):
    client.force_login(manager_a)
    response = client.get(reverse("visits:urgent_rows"), {"status": "resolved"})
    html = response.content.decode()
    assert response["X-Urgent-Rows"] == "1"
    assert "已办结" in html and "三小时" not in html
    assert "<html" not in html


def test_the_queue_page_polls_its_rows_with_a_static_script(client, manager_a, queue):
    client.force_login(manager_a)
    html = client.get(reverse("visits:urgent_list"), {"category": "own_service"}).content.decode()
    assert 'data-refresh-url="/visits/urgent/rows/?category=own_service"' in html
    assert "js/visits-urgent.js" in html
    assert "<script>" not in html


def test_a_new_report_appears_in_the_rows_the_page_fetches(client, manager_a, unit_a, supervisor_a):
    client.force_login(manager_a)
    before = client.get(reverse("visits:urgent_rows")).content.decode()
    make_urgent_report(unit_a, supervisor_a, title="刚刚提交的紧急报告", route=True)
    after = client.get(reverse("visits:urgent_rows")).content.decode()
    assert "刚刚提交的紧急报告" not in before and "刚刚提交的紧急报告" in after


def test_the_queue_costs_a_fixed_number_of_queries(
    client, manager_a, unit_a, supervisor_a, django_assert_max_num_queries
):
    for i in range(12):
        make_urgent_report(unit_a, supervisor_a, title=f"报告{i}", route=True)
    client.force_login(manager_a)
    client.get(reverse("visits:urgent_list"))
    with django_assert_max_num_queries(20):
        client.get(reverse("visits:urgent_list"))


def badge(client):
    response = client.get(reverse("home"))
    url = reverse("visits:urgent_list")
    return next((b for b in response.context["nav_badges"] if b["url"] == url), None)


def test_the_navigation_badge_counts_a_managers_open_reports(
    client, manager_a, queue, unit_b, supervisor_b, manager_b
):
    make_urgent_report(unit_b, supervisor_b, route=True)  # another unit's: not counted
    client.force_login(manager_a)
    assert badge(client)["count"] == 4
    assert badge(client)["tone"] == "warning"


def test_the_badge_turns_red_when_a_report_is_overdue(client, supervisor_a, queue):
    UrgentReport.objects.filter(title="半小时").update(
        ack_deadline=timezone.now() - timedelta(minutes=5)
    )
    client.force_login(supervisor_a)
    assert badge(client)["count"] == 4
    assert badge(client)["tone"] == "danger"


def test_staff_and_admins_have_no_urgent_badge(client, staff_a, admin_user, queue):
    for person in (staff_a, admin_user):
        client.force_login(person)
        assert badge(client) is None


def test_a_supervisors_home_shows_the_units_open_reports(client, supervisor_a, queue):
    html = page(client, supervisor_a, "home")
    assert 'id="home-urgent-open">4<' in html
    assert "home-urgent-mine" not in html


def test_staff_have_no_urgent_panel(client, staff_a, queue):
    assert "urgent-home-panel" not in page(client, staff_a, "home")
