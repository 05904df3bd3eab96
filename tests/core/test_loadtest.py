"""A short `make loadtest`: gunicorn (4 workers), the urgent and bulk Celery
workers and beat on the test database and a redis-server of the test's own,
a few simulated users for 30 seconds, a web worker and a Celery worker
SIGKILLed and Redis restarted during the run. Nothing answered with success
is lost or stored twice, every urgent report raised is routed, and the
figures are written as JSON (the full run: README, "Load test")."""

import importlib.util
import json
import shutil

import pytest
from django.core.management import CommandError, call_command

from crm_site.accounts.models import Membership, Role, User
from crm_site.devtools.loadtest import driver
from customers.fields import customer_label
from customers.models import Customer
from tests.conftest import require
from tests.factories import make_daily_report
from tests.support import services


@pytest.mark.slow
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_short_load_run_with_faults_loses_and_duplicates_nothing(postgres_required, tmp_path):
    require(shutil.which("redis-server") is not None, "redis-server")
    require(importlib.util.find_spec("locust") is not None, "locust (pip install -e '.[dev]')")
    output = tmp_path / "loadtest.json"

    result = driver.run(
        driver.Options(
            users=8,
            duration=30,
            database_url=services.test_database_url(),
            workdir=tmp_path / "run",
            output=output,
        )
    )

    written = json.loads(output.read_text(encoding="utf-8"))
    assert written["run"] == result["run"]
    assert [fault["fault"] for fault in written["faults"]] == [
        "gunicorn worker SIGKILL",
        "celery urgent worker SIGKILL + restart",
        "redis restart",
    ]
    assert not any(fault.get("skipped") for fault in written["faults"])
    checks = written["checks"]
    assert checks["entries"]["accepted"] > 0, checks
    assert written["lost"] == 0, checks
    assert written["duplicated"] == 0, checks
    assert written["unrouted"] == 0, checks
    assert written["requests"] > 0
    for name in ("entry save", "customers search", "login"):
        figures = written["endpoints"][name]
        assert figures["p50_ms"] <= figures["p95_ms"] <= figures["p99_ms"], (name, figures)
        assert figures["per_second"] > 0
    assert "error_rate_inside_redis_window" in written
    assert "errors_outside_redis_window" in written


def units_of(usernames):
    return set(
        Membership.objects.filter(user__username__in=usernames).values_list("unit", flat=True)
    )


@pytest.mark.slow
@pytest.mark.django_db
def test_on_the_large_dataset_the_simulated_users_are_its_own_people(tmp_path):
    with open(tmp_path / "seed.txt", "w") as out:
        call_command("seed_large", "--quick", stdout=out)
    people = User.objects.count()

    accounts = driver.prepare("lt-x", 10, "large")

    assert User.objects.count() == people  # nobody created
    users = accounts["users"]
    assert {role: len(names) for role, names in users.items()} == {
        "staff": 6,
        "supervisor": 2,
        "manager": 2,
    }
    for role, group in (("staff", Role.STAFF), ("supervisor", Role.SUPERVISOR)):
        for name in users[role]:
            assert User.objects.get(username=name).groups.filter(name=group).exists()
    # Supervisors review, and managers receive the urgent reports of, the same units.
    assert units_of(users["staff"]) == units_of(users["supervisor"]) == units_of(users["manager"])
    somebody = User.objects.get(username=users["manager"][0])
    assert somebody.check_password(accounts["password"])
    # Each staff member visits customers of their own book.
    for name in users["staff"]:
        labels = accounts["customers"][name]
        assert len(labels) == driver.CUSTOMERS_PER_STAFF
        book = Customer.objects.filter(visiting_person__username=name)
        assert set(labels) <= {customer_label(c) for c in book}

    # Who already has today's report (an earlier run today) is passed over.
    make_daily_report(User.objects.get(username=users["staff"][0]))
    again = driver.prepare("lt-y", 10, "large")
    assert users["staff"][0] not in again["users"]["staff"]
    assert len(again["users"]["staff"]) == 6


@pytest.mark.django_db
def test_the_large_run_refuses_a_database_without_the_large_dataset(tmp_path):
    with pytest.raises(CommandError, match="seed_large"):
        call_command("loadtest", "--dataset", "large", "--output", str(tmp_path / "x.json"))
