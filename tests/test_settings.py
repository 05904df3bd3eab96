"""Settings read from the environment: defaults and overrides (run in subprocesses)."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STRONG_KEY = "k3Y-" + "x9!Qz7#mW2$rT5^bV8&nL4*pD6(hF1)jC0" * 2
# What production must be given (DJANGO_DEBUG=0); nothing here is connected to.
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": STRONG_KEY,
    "DJANGO_ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "postgres://crm:secret@db.internal:5432/crmprod",
    "REDIS_URL": "redis://cache.internal:6379/0",
}

PROBE = """
import json, django
from django.conf import settings
django.setup()
from crm_site.celery import app
print(json.dumps({
    "engine": settings.DATABASES["default"]["ENGINE"],
    "db_name": str(settings.DATABASES["default"]["NAME"]),
    "health": settings.DATABASES["default"]["CONN_HEALTH_CHECKS"],
    "db_options": settings.DATABASES["default"].get("OPTIONS", {}).get("options", ""),
    "email_tls": settings.EMAIL_USE_TLS,
    "eager": app.conf.task_always_eager,
    "propagates": app.conf.task_eager_propagates,
    "broker": app.conf.broker_url,
    "acks_late": app.conf.task_acks_late,
    "reject_lost": app.conf.task_reject_on_worker_lost,
    "prefetch": app.conf.worker_prefetch_multiplier,
    "visibility": app.conf.broker_transport_options["visibility_timeout"],
    "celery_tz": app.conf.timezone,
    "debug": settings.DEBUG,
    "tz": settings.TIME_ZONE,
    "lang": settings.LANGUAGE_CODE,
    "languages": [code for code, _ in settings.LANGUAGES],
    "hosts": settings.ALLOWED_HOSTS,
    "csrf_origins": settings.CSRF_TRUSTED_ORIGINS,
    "email": settings.EMAIL_BACKEND,
    "idle": settings.SESSION_COOKIE_AGE,
    "absolute": settings.SESSION_ABSOLUTE_SECONDS,
}))
"""

CLEARED = [
    "DATABASE_URL",
    "REDIS_URL",
    "DJANGO_DEBUG",
    "DJANGO_SECRET_KEY",
    "DJANGO_ALLOWED_HOSTS",
    "DJANGO_CSRF_TRUSTED_ORIGINS",
    "EMAIL_HOST",
    "EMAIL_BACKEND",
    "SESSION_IDLE_MINUTES",
    "SESSION_ABSOLUTE_HOURS",
    "EMAIL_USE_TLS",
    "DB_STATEMENT_TIMEOUT_MS",
    "CELERY_EAGER",
    "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests for their own process
]


def run_probe(**env_overrides):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env["DJANGO_SETTINGS_MODULE"] = "crm_site.settings"
    env.update(env_overrides)
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    return result


def probe(**env_overrides) -> dict:
    result = run_probe(**env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_with_nothing_set_the_app_uses_sqlite_and_a_broker_folder_that_needs_no_server():
    conf = probe()
    assert conf["engine"] == "django.db.backends.sqlite3"
    assert conf["db_name"].endswith("db.sqlite3")
    # `make run` starts a real worker and beat on it (Procfile.dev).
    assert conf["broker"] == "filesystem://" and conf["eager"] is False
    assert conf["propagates"] is True
    assert conf["debug"] is True
    assert conf["email"] == "django.core.mail.backends.console.EmailBackend"


def test_celery_eager_runs_tasks_in_the_request_instead_in_development():
    assert probe(CELERY_EAGER="1")["eager"] is True
    assert run_probe(CELERY_EAGER="maybe").returncode != 0


def test_production_never_runs_celery_eagerly():
    assert probe(**PRODUCTION, CELERY_EAGER="1")["eager"] is False


def test_locale_defaults_are_chinese_and_shanghai():
    conf = probe()
    assert conf["lang"] == "zh-hans"
    assert conf["languages"] == ["zh-hans", "en"]
    assert conf["tz"] == "Asia/Shanghai"
    assert conf["celery_tz"] == "Asia/Shanghai"


def test_database_url_and_redis_url_switch_to_postgres_and_a_real_broker():
    conf = probe(
        DATABASE_URL="postgres://crm:secret@db.internal:5433/crmprod",
        REDIS_URL="redis://cache.internal:6379/2",
    )
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["db_name"] == "crmprod"
    assert conf["health"] is True
    assert conf["eager"] is False
    assert conf["broker"] == "redis://cache.internal:6379/2"


def test_celery_is_configured_for_at_least_once_delivery():
    conf = probe(REDIS_URL="redis://127.0.0.1:6379/0")
    assert conf["acks_late"] is True
    assert conf["reject_lost"] is True
    assert conf["prefetch"] == 1
    assert conf["visibility"] >= 3600


def test_session_lengths_and_hosts_come_from_the_environment():
    conf = probe(
        SESSION_IDLE_MINUTES="10",
        SESSION_ABSOLUTE_HOURS="8",
        DJANGO_ALLOWED_HOSTS="crm.example.com, www.example.com",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://crm.example.com",
        EMAIL_HOST="smtp.example.com",
    )
    assert conf["idle"] == 600
    assert conf["absolute"] == 8 * 3600
    assert conf["hosts"] == ["crm.example.com", "www.example.com"]
    assert conf["csrf_origins"] == ["https://crm.example.com"]
    assert conf["email"] == "django.core.mail.backends.smtp.EmailBackend"


def test_default_session_is_thirty_minutes_idle_and_twelve_hours_absolute():
    conf = probe()
    assert conf["idle"] == 30 * 60
    assert conf["absolute"] == 12 * 3600


@pytest.mark.parametrize(
    "key",
    ["", "short", "django-insecure-" + "a1b2c3d4e5" * 6, "a" * 60],
    ids=["missing", "short", "insecure-prefix", "repetitive"],
)
def test_production_refuses_to_start_without_a_strong_secret_key(key):
    result = run_probe(**PRODUCTION | {"DJANGO_SECRET_KEY": key})
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_production_starts_with_a_strong_key():
    conf = probe(**PRODUCTION)
    assert conf["debug"] is False
    assert conf["hosts"] == ["crm.example.com"]
    assert conf["engine"] == "django.db.backends.postgresql"
    assert conf["eager"] is False


@pytest.mark.parametrize("name", ["DATABASE_URL", "REDIS_URL", "DJANGO_SECRET_KEY"])
@pytest.mark.parametrize("value", ["", "unset"])
def test_production_refuses_to_start_without_a_required_variable(name, value):
    # Without DATABASE_URL production would run on a local SQLite file, without
    # REDIS_URL rollups and regrades would run inside web requests.
    env = PRODUCTION | {name: value}
    if value == "unset":
        del env[name]  # the probe's environment never has the CLEARED variables
    result = run_probe(**env)
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in message and name in message


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1", True),
        ("0", False),
        ("true", True),
        ("FALSE", False),
        (" Yes ", True),
        ("no", False),
        ("", False),
    ],
)
def test_boolean_variables_take_one_zero_true_false_yes_no_in_any_case(value, expected):
    assert probe(EMAIL_USE_TLS=value)["email_tls"] is expected


@pytest.mark.parametrize(
    ("name", "value"),
    [("EMAIL_USE_TLS", "on"), ("DJANGO_DEBUG", "flase"), ("DJANGO_BEHIND_PROXY", "enabled")],
)
def test_a_boolean_variable_with_an_unknown_value_is_refused_naming_it_and_the_value(name, value):
    result = run_probe(**PRODUCTION | {name: value})
    assert result.returncode != 0
    message = result.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in message
    assert name in message and value in message


def test_postgres_connections_have_a_statement_timeout_by_default():
    conf = probe(DATABASE_URL="postgres://crm:secret@db.internal:5433/crmprod")
    assert "statement_timeout=30000" in conf["db_options"]


def test_the_statement_timeout_comes_from_the_environment_and_zero_disables_it():
    url = "postgres://crm:secret@db.internal:5433/crmprod"
    assert (
        "statement_timeout=5000"
        in probe(DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="5000")["db_options"]
    )
    assert (
        "statement_timeout=0" in probe(DATABASE_URL=url, DB_STATEMENT_TIMEOUT_MS="0")["db_options"]
    )


def test_settings_hold_no_test_only_hooks():
    from django.conf import settings

    hooks = [
        name
        for name in dir(settings)
        if name.startswith("CRM_TEST_") or "_PAUSE" in name or name.endswith("_TEST_DELAY")
    ]
    assert hooks == []


@pytest.mark.parametrize(
    "extra",
    [{}, {"DJANGO_BEHIND_PROXY": "1"}],
    ids=["served_directly", "behind_a_tls_terminating_proxy"],
)
def test_deploy_check_passes_in_production_settings(extra):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    env.update(PRODUCTION | extra)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_the_embedded_sqlite_database_takes_its_write_lock_at_begin_and_waits_twenty_seconds():
    """Two simultaneous submits queue for the lock instead of one failing with
    "database is locked" when a read transaction tries to turn into a write."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import json, django; from django.conf import settings; django.setup(); "
            "print(json.dumps(settings.DATABASES['default']['OPTIONS']))",
        ],
        cwd=ROOT,
        env={k: v for k, v in os.environ.items() if k not in CLEARED}
        | {"DJANGO_SETTINGS_MODULE": "crm_site.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    options = json.loads(result.stdout.strip().splitlines()[-1])
    assert options == {"transaction_mode": "IMMEDIATE", "timeout": 20}
