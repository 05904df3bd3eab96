"""Settings for the logistics customer-service CRM.

One file, driven by environment variables only (README, "Configuration").
In development (DJANGO_DEBUG unset or 1) nothing needs setting: it runs on
SQLite with Celery in eager mode, so `make run` works anywhere; DATABASE_URL
and REDIS_URL switch on PostgreSQL and a real broker. With DJANGO_DEBUG=0 it
fails closed: DATABASE_URL, REDIS_URL and DJANGO_SECRET_KEY are required, and
a boolean variable with an unknown value is an error, not False. Nothing else
in the code base reads os.environ.
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


TRUE_WORDS = {"1", "true", "yes"}
FALSE_WORDS = {"0", "false", "no"}


def env_bool(name: str, default: bool) -> bool:
    """1/true/yes or 0/false/no (any case); empty or unset is the default.
    Anything else is a typo we refuse, rather than read as False."""
    value = os.environ.get(name, "").strip().lower()
    if value == "":
        return default
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={os.environ[name]!r} is not a boolean: use 1/0, true/false or yes/no."
    )


def env_required(name: str) -> str:
    """A variable production cannot run without (DJANGO_DEBUG=0)."""
    value = env(name).strip()
    if not value:
        raise ImproperlyConfigured(f"DJANGO_DEBUG=0 needs {name}; it is not set.")
    return value


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", True)

# A development key is fine while DEBUG is on; in production we refuse to start
# without a real one, because a guessable key forges sessions and reset links.
_DEV_SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production"
SECRET_KEY = env("DJANGO_SECRET_KEY", _DEV_SECRET_KEY if DEBUG else "")


def secret_key_is_weak(key: str) -> bool:
    """The same test as Django's security.W009: short, repetitive or a dev key."""
    return len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure-")


if not DEBUG and secret_key_is_weak(SECRET_KEY):
    raise ImproperlyConfigured(
        "DJANGO_DEBUG=0 needs DJANGO_SECRET_KEY: at least 50 characters, 5 distinct, "
        "not starting with 'django-insecure-'."
    )

ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "crm_site.accounts",
    "crm_site.core",
    "customers",
    "visits",
    "complaints",
    "reports",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_filters",
    "rules",
    "template_partials",
    "axes",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "rest_framework_api_key",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "crm_site.api",
]
# Demo seeders, the large-data generator and the benchmark: on in development,
# off in production unless asked for.
if env_bool("CRM_DEVTOOLS", DEBUG):
    INSTALLED_APPS.append("crm_site.devtools")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads the body (sessions, CSRF, the views).
    "crm_site.middleware.RequestSizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "crm_site.middleware.PrivateNoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "crm_site.logs.RequestIdMiddleware",
    "crm_site.middleware.UserLocaleMiddleware",
    "crm_site.middleware.SessionAbsoluteExpiryMiddleware",
    "crm_site.middleware.ExpiryAwareLoginRequiredMiddleware",
    "crm_site.middleware.SentFormMiddleware",
    "crm_site.accounts.twofactor.TwoFactorMiddleware",
    "crm_site.core.sticky.StickyFiltersMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Axes last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "crm_site.urls"
WSGI_APPLICATION = "crm_site.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "crm_site.context_processors.navigation",
            ],
        },
    },
]

# Database: unset DATABASE_URL means a SQLite file in the project, in
# development only; production must not quietly run on a local file.
DATABASE_URL = env("DATABASE_URL") if DEBUG else env_required("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(BASE_DIR / "db.sqlite3"),
            # Take the write lock at BEGIN and wait for it (the timeout, in seconds): with the
            # default (DEFERRED) a read turning into a write fails at once with
            # "database is locked" when another request writes meanwhile.
            "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 20},
        }
    }
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DB_STATEMENT_TIMEOUT_MS = env_int("DB_STATEMENT_TIMEOUT_MS", 30_000)
DB_JOB_STATEMENT_TIMEOUT_MS = env_int("DB_JOB_STATEMENT_TIMEOUT_MS", 3_600_000)
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: our statements are short, and PostgreSQL's JIT spent far longer
    # compiling the monthly rollup's compliance query than running it. Also a
    # statement timeout, so a runaway query cannot hold a web worker; background
    # jobs lift it to DB_JOB_STATEMENT_TIMEOUT_MS inside their own transactions
    # (crm_site.core.db.allow_long_statements). 0 disables.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = (
        f"-c jit=off -c statement_timeout={DB_STATEMENT_TIMEOUT_MS}"
    )
# Statements a page marks as the same on every request but for their values
# (crm_site.core.batch, plan_once) are prepared on the server and planned once
# per connection; 0 with a transaction pooler (PgBouncer) in between.
DB_PREPARED_STATEMENTS = env_bool("DB_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Sessions: idle expiry (the cookie age, renewed on every request) and an
# absolute cap from sign-in enforced by crm_site.middleware.
SESSION_COOKIE_AGE = env_int("SESSION_IDLE_MINUTES", 30) * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_HOURS", 12) * 3600
SESSION_COOKIE_HTTPONLY = True
# Nothing a request leaves for the next one stays inside a web process, so any
# process on any host may serve a user's next request: sessions live in the
# database, messages in a signed cookie (the session when too large for it),
# and the cache in Redis (below, with REDIS_URL).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
MESSAGE_STORAGE = "django.contrib.messages.storage.fallback.FallbackStorage"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"

# Login throttling (django-axes, crm_site.accounts.lockout): an account is
# locked at the address of AXES_FAILURE_LIMIT failures (not elsewhere, so no one
# can lock a colleague out), and an address is throttled after
# CRM_LOGIN_ADDRESS_FAILURE_LIMIT failures over any usernames (password
# spraying). An admin unlocks in /admin/ (Access attempts) or it cools off.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 10)
CRM_LOGIN_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 50)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"], "ip_address"]
AXES_HANDLER = "crm_site.accounts.lockout.AccountAtAddressHandler"
# Behind nginx, REMOTE_ADDR is the proxy's: set DJANGO_TRUSTED_PROXY_COUNT to the
# number of proxies that append to X-Forwarded-For, and the client address is
# read from there (crm_site.accounts.lockout.client_address). Leave it 0 when
# clients reach Django directly: they could forge the header.
CRM_TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "crm_site.accounts.lockout.client_address"
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_HOURS", 1) or None
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
# Two-factor sign-in (TOTP, django-otp): required for admins outside debug
# mode; the demo installation (`make run`) leaves it optional so the README's
# demo accounts sign in with their password. Optional for everyone else.
CRM_ADMIN_2FA_REQUIRED = env_bool("CRM_ADMIN_2FA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = "CRM"
AXES_VERBOSE = False

# Language and locale: Chinese first, no language prefix in URLs.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Our zh_Hans/en date and number formats (crm_site/formats/*/formats.py).
FORMAT_MODULE_PATH = ["crm_site.formats"]
USE_I18N = True
TIME_ZONE = env("TIME_ZONE", "Asia/Shanghai")
USE_TZ = True
USE_THOUSAND_SEPARATOR = False

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env("DJANGO_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_ROOT = Path(env("DJANGO_MEDIA_ROOT", str(BASE_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # The manifest needs `collectstatic`; development and tests serve from finders.
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Development and tests serve static files straight from the source folders.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG

# Widget templates may live in templates/ (the customer picker does).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# E-mail: printed to the console unless an SMTP host is configured.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if env("EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
# Seconds before a silent mail server counts as down (the send is retried);
# well under the claim lease of crm_site/core/models.py Notification.
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "crm@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The Date: header of our mail in Asia/Shanghai time (TIME_ZONE), not UTC.
EMAIL_USE_LOCALTIME = True

# Security headers on every response.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    if env_bool("DJANGO_BEHIND_PROXY", False):
        # Only behind a proxy that sets this header and strips it from clients.
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_HSTS_PRELOAD", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# Celery: REDIS_URL is the broker. Unset, in development only, the broker is
# a folder of files (next block), so `make run` runs a real worker and beat
# with no server. CELERY_EAGER=1 runs tasks inside the request instead (no
# worker at all); tests run eagerly unless they ask for a real worker
# (tests/conftest.py). Production must not: rollups and regrades would run
# inside web requests.
REDIS_URL = env("REDIS_URL") if DEBUG else env_required("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "filesystem://"
# A cache shared by every web process (counts such as the 404 probe count);
# a process-local one only in development without Redis (one process, nothing
# to share with). It shares the broker's Redis database under its key prefix,
# so nothing may clear the whole cache.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "crm-cache",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_EAGER", False) if DEBUG else False
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_BACKEND = None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", "crm")
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# --- Celery queues -------------------------------------------------------------
# Urgent work (routing and escalating urgent reports, notifications and their
# e-mail, reminders) has a queue of its own, apart from bulk work (monthly
# rollups, regrades, imports, exports), so a long rollup never delays an urgent
# report; the Procfile starts a worker for each. Anything unrouted (the worker
# heartbeat) goes to CELERY_QUEUE, which both kinds of worker consume.
CELERY_URGENT_QUEUE = env("CELERY_URGENT_QUEUE", "urgent")
CELERY_BULK_QUEUE = env("CELERY_BULK_QUEUE", "bulk")
CELERY_TASK_ROUTES = {
    "visits.urgent.tasks.*": {"queue": CELERY_URGENT_QUEUE},
    "crm_site.core.tasks.notification_email*": {"queue": CELERY_URGENT_QUEUE},
    "complaints.tasks.*": {"queue": CELERY_URGENT_QUEUE},
    "visits.tasks.remind_*": {"queue": CELERY_URGENT_QUEUE},
    "customers.tasks.care_reminders_send": {"queue": CELERY_URGENT_QUEUE},
    "customers.tasks.festival_reminders_send": {"queue": CELERY_URGENT_QUEUE},
    "reports.tasks.*": {"queue": CELERY_BULK_QUEUE},
    "customers.tasks.regrade_*": {"queue": CELERY_BULK_QUEUE},
    "customers.tasks.customer_import*": {"queue": CELERY_BULK_QUEUE},
    "crm_site.core.tasks.export_*": {"queue": CELERY_BULK_QUEUE},
    # Webhook deliveries wait on other systems: never in front of urgent work.
    "crm_site.api.tasks.*": {"queue": CELERY_BULK_QUEUE},
    "visits.plans.tasks.*": {"queue": CELERY_BULK_QUEUE},
}
# Every queue a worker of this installation may be asked to consume.
CELERY_ALL_QUEUES = [CELERY_TASK_DEFAULT_QUEUE, CELERY_URGENT_QUEUE, CELERY_BULK_QUEUE]
# --- end of Celery queues ------------------------------------------------------
# A message not acknowledged within the visibility timeout is redelivered, so it
# must exceed the longest task (a full regrade or rollup: well under an hour).
CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3 * 3600),
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# --- Development broker (no REDIS_URL) -----------------------------------------
# kombu's filesystem transport: each message a file under CELERY_BROKER_DIR,
# shared by the web server, the workers and beat of `make run` on one machine.
# A taken message is moved (renamed, so atomic: the folders share a file
# system) into processed/, which `make run` empties at every start.
CELERY_BROKER_DIR = Path(env("CELERY_BROKER_DIR", str(BASE_DIR / ".broker")))
if not REDIS_URL:
    CELERY_BROKER_TRANSPORT_OPTIONS |= {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "processed_folder": str(CELERY_BROKER_DIR / "processed"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": True,
        "polling_interval": 0.5,
    }
# --- end of development broker -------------------------------------------------
# A user's request must not hang on a dead broker: fail fast, the outbox sweeper
# sends what is still pending (crm_site.core.jobs).
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_TIMEOUT = 2
# --- Beat: exactly one ------------------------------------------------------------
# The scheduler takes a lock (Redis, or a file without Redis) and a second beat
# refuses to start; it renews the lock and records beat's heartbeat (read by
# /readyz/) on its ticks, at most this many seconds apart (crm_site/core/beat.py).
CELERY_BEAT_SCHEDULER = "crm_site.core.beat:LockedScheduler"
CELERY_BEAT_MAX_LOOP_INTERVAL = 15
# --- end of beat ------------------------------------------------------------------


def _beat(task: str, schedule: float | crontab) -> dict:
    return {"task": task, "schedule": schedule}


CELERY_BEAT_SCHEDULE = {
    "worker-heartbeat": _beat("crm_site.core.tasks.worker_heartbeat", 60.0),
    # Large exports: resend what the broker lost, restart what a dead worker left.
    "exports-sweep": _beat("crm_site.core.tasks.export_jobs_sweep", 60.0),
    # Notification e-mail still pending (broker or mail server down, worker
    # killed): crm_site/core/mail_outbox.py.
    "notification-emails-sweep": _beat("crm_site.core.tasks.notification_emails_sweep", 60.0),
    "exports-purge": _beat("crm_site.core.tasks.export_files_purge", crontab(hour=3, minute=40)),
    # Daily reminders (visits/reminders.py). They fire every day and skip days
    # off themselves (work calendar: holidays, 调休). The second run an hour
    # later catches up if the first was lost; dedupe keys make it a no-op.
    "visits-remind-missing-daily-reports": _beat(
        "visits.tasks.remind_missing_daily_reports", crontab(hour="17,18", minute=30)
    ),
    "visits-remind-overdue-contacts": _beat(
        "visits.tasks.remind_overdue_contacts", crontab(hour="9,10", minute=0)
    ),
    # Complaint deadlines: reminder 24 hours before, escalation at the deadline.
    "complaint-deadlines": _beat(
        "complaints.tasks.complaint_deadlines_sweep", crontab(minute="*/10")
    ),
    # customers: regrade runs the broker never got, quarterly regrade, stale uploads.
    "customers-regrade-sweep": _beat("customers.tasks.regrade_runs_sweep", crontab(minute="*/5")),
    # Daily: the quarter's key makes every firing after the quarter's first a
    # no-op, and a missed 1st (beat down) is made up the next day.
    "customers-regrade-quarterly": _beat(
        "customers.tasks.regrade_quarterly", crontab(minute=30, hour=2)
    ),
    "customers-import-sweep": _beat(
        "customers.tasks.customer_imports_sweep", crontab(minute="*/5")
    ),
    "customers-import-purge": _beat(
        "customers.tasks.customer_imports_purge", crontab(minute=15, hour=3)
    ),
    # Care dates (客户关怀): a week ahead, to the visiting person. The second
    # firing catches up a lost first one; CareReminder rows make it a no-op.
    "customers-care-reminders": _beat(
        "customers.tasks.care_reminders_send", crontab(hour="8,9", minute=20)
    ),
    # The festivals' greetings a week ahead: the notification's dedupe key
    # makes the catch-up firing a no-op.
    "customers-festival-reminders": _beat(
        "customers.tasks.festival_reminders_send", crontab(hour="8,9", minute=25)
    ),
    # Turnover falling two months running: a watch item and a notice (once per
    # customer and month, so every firing after the first is a no-op).
    "customers-revenue-falls": _beat(
        "customers.tasks.revenue_falls_warn", crontab(minute=45, hour="6,7")
    ),
    # Urgent reports: route what is still pending (the broker was down at
    # submit, or a worker died), and escalate what is not acknowledged in time.
    "visits-urgent-route-pending": _beat(
        "visits.urgent.tasks.urgent_reports_route_pending", crontab()
    ),
    "visits-urgent-escalate": _beat("visits.urgent.tasks.urgent_reports_escalate", crontab()),
    # Routing late (still pending after URGENT_ROUTING_ALARM_SECONDS): the unit's
    # managers are alerted once. On the default queue, so a stalled urgent
    # worker does not silence its own alarm.
    "visits-urgent-routing-alarm": _beat("visits.tasks.urgent_reports_routing_alarm", 30.0),
    # Planned contacts: each night the next working days are planned from the
    # grades' cadence (visits/plans); yesterday's leftovers turn missed. The
    # second firing is a no-op (what is on the calendar counts).
    "visits-plan-contacts": _beat(
        "visits.plans.tasks.planned_contacts_generate", crontab(hour="0,4", minute=40)
    ),
    # Monthly patrol summaries (reports/tasks.py): the month that closed, at 01:00
    # on the 1st; every day at 02:00 a reconciliation builds any closed month still
    # missing (last 12) and refreshes the month in progress, so no single firing
    # matters; requested builds the broker never got are re-sent every 5 minutes.
    "reports-rollup-closed-month": _beat(
        "reports.tasks.rollup_closed_month", crontab(minute=0, hour=1, day_of_month=1)
    ),
    "reports-rollup-reconcile": _beat("reports.tasks.rollup_reconcile", crontab(minute=0, hour=2)),
    "reports-rollup-requests-sweep": _beat(
        "reports.tasks.rollup_requests_sweep", crontab(minute="*/5")
    ),
    # Webhook deliveries due (first tries the broker lost, retries whose time came).
    "api-webhook-deliveries-sweep": _beat("crm_site.api.tasks.webhook_deliveries_sweep", 60.0),
}

# --- Health: worker heartbeats --------------------------------------------------
# Each kind of worker records a heartbeat every minute through its own queue
# (admins see them in the admin; /readyz/ pings the workers themselves).
CELERY_BEAT_SCHEDULE |= {
    f"worker-heartbeat-{queue}": {
        "task": "crm_site.core.tasks.worker_heartbeat",
        "schedule": 60.0,
        "args": (f"worker-{queue}",),
        "options": {"queue": queue},
    }
    for queue in (CELERY_URGENT_QUEUE, CELERY_BULK_QUEUE)
}
# --- end of health --------------------------------------------------------------

# Logs: JSON lines on stdout with request and user ids (LOG_FORMAT=text for
# plain lines while developing).
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "crm_site.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "crm_site.logs.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "filters": ["context"],
            "formatter": env("LOG_FORMAT", "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # axes logs the attempted username; keep it out of the logs (it is in
        # the audit log, which only admins read).
        "axes": {"level": "WARNING"},
    },
}

# Product settings (README, "Configuration"). What the apps add to shared pages
# (home panels, badges, card sections, exporters, sticky lists) registers in
# their AppConfig.ready() (crm_site.core.registry), not here.
CRM_SITE_NAME = _("Logistics Customer Service CRM")
# Exports above this many rows are written by a background job (progress page
# and a download when done); below, the file comes straight back.
CRM_EXPORT_SYNC_LIMIT = env_int("CRM_EXPORT_SYNC_LIMIT", 5000)
# Absolute links in e-mails.
CRM_BASE_URL = env("CRM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# Urgent reports (巡访紧急报告): working hours the assigned manager has to
# acknowledge one (over the work calendar, Asia/Shanghai working hours).
URGENT_ACK_WORKING_HOURS = float(env("URGENT_ACK_WORKING_HOURS", "4"))
# An urgent report still waiting to be routed this many seconds after it was
# raised alerts the unit's managers (once), who may then take it over.
URGENT_ROUTING_ALARM_SECONDS = env_int("URGENT_ROUTING_ALARM_SECONDS", 120)
# A signed-in user whose object addresses answer 404 more than this many times
# within CRM_NOT_FOUND_PROBE_MINUTES is audited and reported to the admins.
CRM_NOT_FOUND_PROBE_LIMIT = env_int("CRM_NOT_FOUND_PROBE_LIMIT", 50)
CRM_NOT_FOUND_PROBE_MINUTES = env_int("CRM_NOT_FOUND_PROBE_MINUTES", 10)
# Largest request body accepted (MB); a 20 MB phone recording is the largest upload.
CRM_MAX_REQUEST_MB = env_int("CRM_MAX_REQUEST_MB", 25)

# --- REST API (crm_site/api) ------------------------------------------------------
# /api/v1/: session (with CSRF) for the browser, `Authorization: Api-Key <key>`
# for integrations; every read and write goes through the pages' selectors and
# services, under the key's user's scope.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "crm_site.api.auth.ApiKeyAuthentication",
        "crm_site.api.auth.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["crm_site.api.auth.ApiAccess"],
    "DEFAULT_THROTTLE_CLASSES": ["crm_site.api.auth.PerKeyThrottle"],
    "DEFAULT_THROTTLE_RATES": {"api": env("CRM_API_RATE", "600/min")},
    "DEFAULT_PAGINATION_CLASS": "crm_site.api.pagination.IdCursorPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "crm_site.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "CRM API v1",
    "DESCRIPTION": (
        "物流客服 CRM 的 REST API：与页面相同的权限范围与业务规则。"
        "认证：浏览器会话（带 CSRF）或请求头 `Authorization: Api-Key <key>`。\n\n"
        "REST API of the logistics customer-service CRM: the same scope and rules as "
        "its pages. Authenticate with the browser session (with CSRF) or the header "
        "`Authorization: Api-Key <key>`. Errors are JSON `{code, message}` in the "
        "caller's language (Accept-Language, else the user's language)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["crm_site.api.auth.ApiAccess"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {},
}
# Webhook receivers: only http(s), never this site's own host nor loopback,
# link-local, private-metadata or unspecified addresses (crm_site/api/webhooks.py).
# Tests with a local receiver name its address here; production leaves it empty.
CRM_WEBHOOK_ALLOWED_ADDRESSES = env_list("CRM_WEBHOOK_ALLOWED_ADDRESSES")
CRM_WEBHOOK_TIMEOUT = env_int("CRM_WEBHOOK_TIMEOUT", 10)
# API keys: a key's use is written to the audit log at most once per this many minutes.
CRM_API_KEY_AUDIT_MINUTES = env_int("CRM_API_KEY_AUDIT_MINUTES", 60)
# --- end of REST API -----------------------------------------------------------------
# Planned contacts (visits/plans): the nightly planner fills this many working
# days ahead, with at most this many on-site contacts and calls per person per day.
CRM_PLAN_HORIZON_DAYS = env_int("CRM_PLAN_HORIZON_DAYS", 14)
CRM_PLAN_VISITS_PER_DAY = env_int("CRM_PLAN_VISITS_PER_DAY", 6)
CRM_PLAN_CALLS_PER_DAY = env_int("CRM_PLAN_CALLS_PER_DAY", 40)
# Grades whose customers get the half-yearly big-customer meeting (座谈会) and
# the monthly needs-analysis meeting (需求分析会) planned automatically.
CRM_PLAN_MEETING_GRADES = env_list("CRM_PLAN_MEETING_GRADES", "A")
# Big customers (大客户) for the revenue reports: customers whose rolling 12-month
# revenue falls in this many of the grading rule's highest revenue bands.
CRM_BIG_CUSTOMER_BANDS = env_int("CRM_BIG_CUSTOMER_BANDS", 2)
