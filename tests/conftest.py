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


def persona(name: str, role: str, unit: str, full_name: str):
    """A fixture `name`: a user of that role in the unit fixture `unit`, username `name`."""

    @pytest.fixture(name=name)
    def make(request):
        return f.make_user(role, request.getfixturevalue(unit), username=name, full_name=full_name)

    return make


staff_a = persona("staff_a", Role.STAFF, "unit_a", "张三")
staff_a2 = persona("staff_a2", Role.STAFF, "unit_a", "李四")
staff_b = persona("staff_b", Role.STAFF, "unit_b", "王五")
supervisor_a = persona("supervisor_a", Role.SUPERVISOR, "unit_a", "赵主管")
supervisor_b = persona("supervisor_b", Role.SUPERVISOR, "unit_b", "钱主管")
manager_a = persona("manager_a", Role.MANAGER, "unit_a", "孙经理")
manager_b = persona("manager_b", Role.MANAGER, "unit_b", "周经理")


@pytest.fixture
def supervisor(supervisor_a):
    return supervisor_a


@pytest.fixture
def manager(manager_a):
    return manager_a


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
def _session_worker(postgres_required, redis_required, django_db_setup, tmp_path_factory):
    worker = services.SessionWorker(tmp_path_factory.mktemp("celery") / "worker.log")
    yield worker
    worker.set_aside()
    services.SessionWorker.current = None


@pytest.fixture
def celery_worker(_session_worker, transactional_db):
    """A real `celery worker` process on Redis and the test database.

    The test's writes must be committed for the worker to see them, hence
    transactional_db. Tasks are not eager in such a test.
    """
    proc = _session_worker.running()
    yield proc
    if proc.poll() is not None:
        pytest.fail("the Celery worker process died during the test; see its log")
