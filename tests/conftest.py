"""Personas and service fixtures shared by every test.

Two units, A and B. Personas: staff_a, staff_a2, supervisor_a (alias
`supervisor`), manager_a (`manager`) in unit A; staff_b, supervisor_b,
manager_b in unit B; admin_user.

Background jobs: tests run Celery tasks eagerly unless they ask for the real
worker (`celery_worker`), which is a separate `celery worker` process against
Redis and the test database on PostgreSQL.
"""

import os

import pytest

from crm_site.accounts.models import Role
from crm_site.celery import app as celery_app
from tests import factories as f
from tests.support import services

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"
SKIP_SLOW = os.environ.get("SKIP_SLOW") == "1"


def pytest_collection_modifyitems(config, items):
    if not SKIP_SLOW or REQUIRE_SERVICES:
        return
    skip = pytest.mark.skip(reason="SKIP_SLOW=1")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _celery_eager_unless_real_worker(request):
    real = "celery_worker" in request.fixturenames or request.node.get_closest_marker("real_broker")
    previous = celery_app.conf.task_always_eager
    celery_app.conf.task_always_eager = not real
    yield
    celery_app.conf.task_always_eager = previous


@pytest.fixture
def unit_a(db):
    return f.make_unit(code="A", name="华东营业部")


@pytest.fixture
def unit_b(db):
    return f.make_unit(code="B", name="华南营业部")


@pytest.fixture
def staff_a(unit_a):
    return f.make_user(Role.STAFF, unit_a, username="staff_a", full_name="张三")


@pytest.fixture
def staff_a2(unit_a):
    return f.make_user(Role.STAFF, unit_a, username="staff_a2", full_name="李四")


@pytest.fixture
def staff_b(unit_b):
    return f.make_user(Role.STAFF, unit_b, username="staff_b", full_name="王五")


@pytest.fixture
def supervisor_a(unit_a):
    return f.make_user(Role.SUPERVISOR, unit_a, username="supervisor_a", full_name="赵主管")


@pytest.fixture
def supervisor(supervisor_a):
    return supervisor_a


@pytest.fixture
def supervisor_b(unit_b):
    return f.make_user(Role.SUPERVISOR, unit_b, username="supervisor_b", full_name="钱主管")


@pytest.fixture
def manager_a(unit_a):
    return f.make_user(Role.MANAGER, unit_a, username="manager_a", full_name="孙经理")


@pytest.fixture
def manager(manager_a):
    return manager_a


@pytest.fixture
def manager_b(unit_b):
    return f.make_user(Role.MANAGER, unit_b, username="manager_b", full_name="周经理")


@pytest.fixture
def admin_user(db):
    return f.make_user(Role.ADMIN, username="admin_user", full_name="系统管理员")


def require(condition: bool, what: str) -> None:
    """Skip a test that lacks a service, or fail it when REQUIRE_SERVICES=1 (CI)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{what} is required (REQUIRE_SERVICES=1) but not available")
    pytest.skip(f"needs {what}")


@pytest.fixture(scope="session")
def postgres_required():
    require(services.on_postgres(), "PostgreSQL (set DATABASE_URL)")


@pytest.fixture(scope="session")
def redis_required():
    require(services.redis_reachable(), "Redis (set REDIS_URL)")


@pytest.fixture(scope="session")
def _worker_process(postgres_required, redis_required, django_db_setup, tmp_path_factory):
    log = tmp_path_factory.mktemp("celery") / "worker.log"
    services.purge_broker()
    proc = services.start_worker(log)
    yield proc
    services.stop_process(proc)


@pytest.fixture
def celery_worker(_worker_process, transactional_db):
    """A real `celery worker` process on Redis and the test database.

    The test's writes must be committed for the worker to see them, hence
    transactional_db. Tasks are not eager in such a test.
    """
    if _worker_process.poll() is not None:
        pytest.fail("the Celery worker process died; see its log")
    return _worker_process
