"""`make loadtest`: the production processes under load, with faults.

Starts, on this machine only (loopback): a redis-server of its own on a spare
port (so it can be restarted without touching a shared Redis), gunicorn with
deploy/gunicorn.conf.py and 4 workers, a Celery worker for the urgent queue
and one for the bulk queue (each also taking the default queue, as in the
Procfile) and beat, all on DATABASE_URL's PostgreSQL. On the demo data it
creates accounts and customers for the run; on the seed_large data (dataset
"large") the simulated users are the dataset's own people and customers.
Then it runs locust headless (locustfile.py beside this
file) for a bounded time and number of requests. During the run it SIGKILLs
one gunicorn worker (not the master), SIGKILLs one Celery worker (and starts
it again), and restarts Redis once.

Afterwards it checks, against the database and the journal the simulated
users wrote: every submission answered with success is there exactly once
(entries and urgent reports by their form token and a marker in their text;
submits and acknowledgements by their events), every urgent report raised was
routed (the sweeper routes what a killed worker or the Redis restart lost),
no request failed outside the Redis restart window and under 1 % inside it.
Writes the checks, per-endpoint p50/p95/p99, throughput and what each process
cost (memory, CPU seconds) to a JSON file.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[3]
LOCUSTFILE = Path(__file__).with_name("locustfile.py")
PASSWORD = "crm-load-2026"
# The password of every account seed_large creates.
LARGE_PASSWORD = "crm-demo-2026"
DATASETS = ("demo", "large")
# After the Redis restart, requests this long are still inside its window
# (connections in the pools are re-established on their next use).
REDIS_GRACE_SECONDS = 10.0
ROUTING_WAIT_SECONDS = 150.0
# Each staff member's customers: one entry per customer and kind of contact
# in a day's report, so this bounds a staff member's entries at twice it.
CUSTOMERS_PER_STAFF = 12


@dataclass
class Options:
    users: int = 50
    duration: int = 180
    spawn_rate: float = 5.0
    max_requests: int = 0  # 0: 40 requests per user per minute of run
    web_workers: int = 4
    database_url: str = ""
    workdir: Path = field(default_factory=lambda: ROOT / ".loadtest")
    output: Path = field(default_factory=lambda: ROOT / "loadtest.json")
    faults: bool = True
    # "demo": fresh accounts and customers beside the demo data; "large": the
    # seed_large dataset's own people and their customers.
    dataset: str = "demo"


# --- processes ---------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Process:
    """One process in a session of its own, stopped by its id and group."""

    def __init__(self, name: str, args: list[str], workdir: Path, env: dict[str, str]):
        self.name, self.args, self.env = name, args, env
        self.log_path = workdir / f"{name}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> "Process":
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                self.args,
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def kill_group(self, sig: int = signal.SIGKILL) -> None:
        if self.proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=30)
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=10)
        self.proc = None

    def stop(self) -> None:
        self.kill_group(signal.SIGTERM)

    def tail(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""


def wait_for_port(port: int, process: Process, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.proc is None or process.proc.poll() is not None:
            raise RuntimeError(f"{process.name} exited early:\n{process.tail()}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
            return
        time.sleep(0.1)
    raise RuntimeError(f"{process.name} did not listen on {port} within {timeout}s")


def child_pids(pid: int) -> list[int]:
    """Direct children of `pid` (from /proc: no extra dependency)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        with contextlib.suppress(OSError):
            stat = (entry / "stat").read_text()
            # pid (comm) state ppid ...: comm may hold spaces, so split after ')'.
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return sorted(children)


class Services:
    """redis-server, gunicorn, the urgent and bulk workers and beat."""

    def __init__(self, options: Options, workdir: Path):
        self.options, self.workdir = options, workdir
        self.redis_port = free_port()
        self.web_port = free_port()
        redis_url = f"redis://127.0.0.1:{self.redis_port}/0"
        self.env = os.environ.copy() | {
            "DATABASE_URL": options.database_url,
            "REDIS_URL": redis_url,
            "CELERY_EAGER": "0",
            "PYTHONUNBUFFERED": "1",
            "LOG_LEVEL": "WARNING",
            "DJANGO_MEDIA_ROOT": str(workdir / "media"),
            "WEB_CONCURRENCY": str(options.web_workers),
            "GUNICORN_BIND": f"127.0.0.1:{self.web_port}",
        }
        redis_binary = shutil.which("redis-server")
        if not redis_binary:
            raise RuntimeError("redis-server is not installed (apt-get install redis-server)")
        self.redis = Process(
            "redis",
            [
                redis_binary, "--port", str(self.redis_port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(workdir),
            ],
            workdir,
            self.env,
        )  # fmt: skip
        self.web = Process(
            "gunicorn",
            [
                sys.executable, "-m", "gunicorn", "--config", "deploy/gunicorn.conf.py",
                "crm_site.wsgi:application",
            ],
            workdir,
            self.env,
        )  # fmt: skip
        self.workers = {
            kind: Process(
                f"worker-{kind}",
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "crm_site",
                    "worker",
                    "--queues",
                    f"{kind},crm",
                    "--hostname",
                    f"{kind}-loadtest@%h",
                    "--concurrency",
                    "2",
                    "--loglevel",
                    "WARNING",
                ],
                workdir,
                self.env,
            )  # fmt: skip
            for kind in ("urgent", "bulk")
        }
        self.beat = Process(
            "beat",
            [
                sys.executable, "-m", "celery", "-A", "crm_site", "beat", "--loglevel", "WARNING",
                "--schedule", str(workdir / "celerybeat-schedule"),
            ],
            workdir,
            self.env,
        )  # fmt: skip

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.web_port}"

    def start(self) -> None:
        self.redis.start()
        wait_for_port(self.redis_port, self.redis, 20)
        for worker in self.workers.values():
            worker.start()
        self.beat.start()
        self.web.start()
        wait_for_port(self.web_port, self.web, 90)
        self.wait_ready(90)

    def wait_ready(self, timeout: float) -> dict[str, Any]:
        """/readyz/ until 200 (database, broker, beat and a worker answer)."""
        deadline = time.monotonic() + timeout
        last: dict[str, Any] = {}
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base_url}/readyz/", timeout=10) as answer:
                    return dict(json.loads(answer.read()))
            except urllib.error.HTTPError as exc:
                with contextlib.suppress(ValueError):
                    last = json.loads(exc.read())
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError(f"/readyz/ not ready within {timeout}s: {last}")

    def stop(self) -> None:
        for process in [self.web, self.beat, *self.workers.values(), self.redis]:
            with contextlib.suppress(Exception):
                process.stop()

    # --- faults ----------------------------------------------------------

    def kill_web_worker(self) -> dict[str, Any]:
        workers = child_pids(self.web.pid)
        if not workers:
            return {"fault": "gunicorn worker SIGKILL", "at": time.time(), "skipped": True}
        victim = workers[0]
        os.kill(victim, signal.SIGKILL)
        return {"fault": "gunicorn worker SIGKILL", "at": time.time(), "pid": victim}

    def kill_celery_worker(self, kind: str = "urgent") -> dict[str, Any]:
        """SIGKILL the worker (its pool processes too: the whole group, as a
        host crash would) and start it again."""
        worker = self.workers[kind]
        pid = worker.pid
        at = time.time()
        worker.kill_group(signal.SIGKILL)
        worker.start()
        return {"fault": f"celery {kind} worker SIGKILL + restart", "at": at, "pid": pid}

    def restart_redis(self) -> dict[str, Any]:
        stopped = time.time()
        self.redis.stop()
        self.redis.start()
        wait_for_port(self.redis_port, self.redis, 20)
        return {"fault": "redis restart", "at": stopped, "back": time.time()}


# --- the run's accounts and customers ---------------------------------------


def role_counts(users: int) -> dict[str, int]:
    """Staff 70 %, supervisors and managers 15 % each, at least two of each."""
    supervisors = max(2, round(users * 0.15))
    managers = max(2, round(users * 0.15))
    return {
        "staff": max(2, users - supervisors - managers),
        "supervisor": supervisors,
        "manager": managers,
    }


def prepare(run_id: str, users: int, dataset: str = "demo") -> dict[str, Any]:
    if dataset == "large":
        return prepare_large(users)
    return prepare_demo(run_id, users)


def prepare_demo(run_id: str, users: int) -> dict[str, Any]:
    """Accounts of the run (fresh ones: each staff member has one report a
    day) in two units (the demo's units 1 and 2 where seed_demo ran), and
    customers for each staff member to visit. Staff 70 %, supervisors and
    managers 15 % each, at least one of each per unit."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher
    from django.db import transaction

    from crm_site.accounts.models import Membership, Role, ServiceUnit, User
    from crm_site.accounts.services import membership_set, user_set_role
    from customers import grading
    from customers.fields import customer_label
    from customers.models import Customer, GradingRule

    counts = role_counts(users)
    kinds = {
        "staff": (counts["staff"], Role.STAFF, Membership.Kind.MEMBER),
        "supervisor": (counts["supervisor"], Role.SUPERVISOR, Membership.Kind.SUPERVISOR),
        "manager": (counts["manager"], Role.MANAGER, Membership.Kind.MANAGER),
    }
    # The web servers' own hasher (a test process may hash with a faster one
    # they do not know); one hash for every account of the run.
    password = PBKDF2PasswordHasher().encode(PASSWORD, run_id)
    accounts: dict[str, Any] = {
        "users": defaultdict(list),
        "customers": {},
        "password": PASSWORD,
    }
    with transaction.atomic():
        units = [
            ServiceUnit.objects.get_or_create(code=code, defaults={"name": name})[0]
            for code, name in (("1", "华东营业一部"), ("2", "华南营业二部"))
        ]
        rule = GradingRule.objects.current()
        for role_name, (count, role, kind) in kinds.items():
            for n in range(count):
                username = f"{run_id}_{role_name}{n:03d}"
                user = User.objects.create(
                    username=username, full_name=f"压测{role_name}{n}", password=password
                )
                user_set_role(user=user, role=role)
                unit = units[n % 2]
                membership_set(user=user, unit=unit, kind=kind)
                accounts["users"][role_name].append(username)
                if role_name != "staff":
                    continue
                labels = []
                for k in range(CUSTOMERS_PER_STAFF):
                    customer = Customer(
                        code=f"{run_id}-{n:03d}-{k}".upper(),
                        name=f"压测客户{n}-{k}",
                        unit=unit,
                        nature="manufacturer",
                        scale="medium",
                        trend="stable",
                        annual_revenue=100,
                        visiting_person=user,
                    )
                    result = grading.grade(customer.attributes(), rule.as_rule())
                    customer.grade, customer.grade_points = result.grade, result.points
                    customer.grade_breakdown, customer.grade_rule = result.breakdown, rule
                    customer.save()
                    labels.append(customer_label(customer))
                accounts["customers"][username] = labels
    accounts["users"] = dict(accounts["users"])
    return accounts


def prepare_large(users: int) -> dict[str, Any]:
    """The seed_large dataset's own people: the supervisor and the manager of
    its biggest units (one of each per unit) and staff of the same units, so
    supervisors review their own staff's reports and managers get the urgent
    reports raised there. Staff who already have a report today (an earlier run
    today) are passed over: each starts a fresh one. Each staff member visits
    customers of their own book."""
    from django.utils import timezone

    from crm_site.accounts.models import Membership
    from crm_site.devtools import largedata
    from customers.fields import customer_label
    from customers.models import Customer
    from visits.models import DailyReport

    if not largedata.already_generated():
        raise RuntimeError(
            "The large dataset is not in this database: run `manage.py seed_large` on it first."
        )
    counts = role_counts(users)
    unit_count = max(counts["supervisor"], counts["manager"])
    units = list(
        Membership.objects.filter(kind=Membership.Kind.SUPERVISOR, unit__code__regex=r"^L[0-9]{2}$")
        .order_by("unit__code")
        .values_list("unit_id", flat=True)
        .distinct()[:unit_count]
    )
    if len(units) < unit_count:
        raise RuntimeError(f"The large dataset has fewer than {unit_count} units.")

    def people(kind: str, unit_id: int) -> list[str]:
        return list(
            Membership.objects.filter(kind=kind, unit_id=unit_id, user__is_active=True)
            .order_by("user__username")
            .values_list("user__username", flat=True)
        )

    reported_today = set(
        DailyReport.objects.filter(date=timezone.localdate()).values_list(
            "user__username", flat=True
        )
    )
    free_staff = {
        unit_id: [u for u in people(Membership.Kind.MEMBER, unit_id) if u not in reported_today]
        for unit_id in units
    }
    chosen: dict[str, list[str]] = {
        "supervisor": [people(Membership.Kind.SUPERVISOR, u)[0] for u in units][
            : counts["supervisor"]
        ],
        "manager": [people(Membership.Kind.MANAGER, u)[0] for u in units][: counts["manager"]],
        "staff": [],
    }
    turn = 0
    while len(chosen["staff"]) < counts["staff"]:
        if not any(free_staff.values()):
            raise RuntimeError("Not enough staff without a report today in the large dataset.")
        queue = free_staff[units[turn % len(units)]]
        if queue:
            chosen["staff"].append(queue.pop(0))
        turn += 1
    customers: dict[str, list[str]] = {}
    for username in chosen["staff"]:
        book = Customer.objects.filter(visiting_person__username=username).order_by("pk")
        customers[username] = [customer_label(c) for c in book[:CUSTOMERS_PER_STAFF]]
    return {"users": chosen, "customers": customers, "password": LARGE_PASSWORD}


# --- the checks ---------------------------------------------------------------

MARKER = re.compile(r"\[lt:([0-9a-f]{32})\]")


def percentile(ordered: list[float], q: float) -> float | None:
    if not ordered:
        return None
    index = min(len(ordered) - 1, max(0, int(round(q * len(ordered))) - 1))
    return round(ordered[index], 1)


def _stored_once(rows, text_field: str, submissions: list[dict[str, Any]], kind: str) -> dict:
    """How the submissions of `kind` landed in `rows`: each accepted one stored
    (found by its form token) and stored once (by its token and by the marker
    written into `text_field`)."""
    by_token = Counter(str(t) for t in rows.values_list("form_token", flat=True))
    by_marker = Counter(
        m for text in rows.values_list(text_field, flat=True) for m in MARKER.findall(text)
    )
    sent = [s for s in submissions if s["kind"] == kind]
    accepted = [s for s in sent if s["accepted"]]
    return {
        "accepted": len(accepted),
        "unanswered_or_refused": len(sent) - len(accepted),
        "rows": rows.count(),
        "lost": sum(1 for s in accepted if by_token[s["token"]] == 0),
        "duplicated": sum(1 for s in accepted if by_marker[s["marker"][4:-1]] > 1)
        + sum(1 for n in by_token.values() if n > 1),
    }


def verify(usernames: list[str], since: datetime, journal: list[dict[str, Any]]) -> dict[str, Any]:
    """The checks, over the rows the run's users wrote from `since` on (on the
    large dataset the same people have years of rows before it)."""
    from visits.models import DailyReport, DailyReportEntry, DailyReportEvent
    from visits.urgent.models import UrgentReport, UrgentReportEvent

    submissions = [r for r in journal if r["type"] == "submission"]
    checks: dict[str, Any] = {}

    # Entries: one row per accepted token, one row per marker.
    entries = DailyReportEntry.objects.filter(
        report__user__username__in=usernames, created_at__gte=since
    )
    checks["entries"] = _stored_once(entries, "opinions", submissions, "entry")

    # Urgent reports: the same, and every one routed.
    urgent = UrgentReport.objects.filter(raised_by__username__in=usernames, created_at__gte=since)
    checks["urgent_reports"] = {
        **_stored_once(urgent, "details", submissions, "urgent"),
        "unrouted": urgent.filter(status=UrgentReport.Status.PENDING).count(),
        "routed_without_assignee": urgent.exclude(status=UrgentReport.Status.PENDING)
        .filter(assignee__isnull=True)
        .count(),
    }

    # Submits: one submitted/resubmitted event per accepted submit.
    submit_kinds = [DailyReportEvent.Kind.SUBMITTED, DailyReportEvent.Kind.RESUBMITTED]
    accepted_submits = Counter(
        s["report"] for s in submissions if s["kind"] == "submit" and s["accepted"]
    )
    events = Counter(
        DailyReportEvent.objects.filter(
            report__user__username__in=usernames, kind__in=submit_kinds, at__gte=since
        ).values_list("report_id", flat=True)
    )
    checks["report_submits"] = {
        "accepted": sum(accepted_submits.values()),
        "events": sum(events.values()),
        "lost": sum(max(0, n - events[pk]) for pk, n in accepted_submits.items()),
        "duplicated": sum(max(0, events[pk] - n) for pk, n in accepted_submits.items()),
        "reports_submitted": DailyReport.objects.filter(
            user__username__in=usernames, created_at__gte=since
        )
        .exclude(status=DailyReport.Status.DRAFT)
        .count(),
    }

    # Acknowledgements: the report acknowledged, with exactly one such event.
    acked = {s["report"] for s in submissions if s["kind"] == "acknowledge" and s["accepted"]}
    ack_events = Counter(
        UrgentReportEvent.objects.filter(
            report_id__in=acked, kind=UrgentReportEvent.Kind.ACKNOWLEDGED
        ).values_list("report_id", flat=True)
    )
    checks["acknowledgements"] = {
        "accepted": len(acked),
        "lost": sum(1 for pk in acked if ack_events[pk] == 0),
        "duplicated": sum(1 for pk in acked if ack_events[pk] > 1),
    }
    return checks


def summarise(journal: list[dict[str, Any]], faults: list[dict[str, Any]]) -> dict[str, Any]:
    requests = [r for r in journal if r["type"] == "request"]
    if not requests:
        return {"requests": 0, "endpoints": {}}
    start = min(r["start"] for r in requests)
    end = max(r["end"] for r in requests)
    redis = next((f for f in faults if f["fault"] == "redis restart"), None)

    def in_window(r: dict[str, Any]) -> bool:
        return bool(
            redis and r["end"] >= redis["at"] and r["start"] <= redis["back"] + REDIS_GRACE_SECONDS
        )

    inside = [r for r in requests if in_window(r)]
    outside = [r for r in requests if not in_window(r)]
    endpoints: dict[str, Any] = {}
    by_name: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in requests:
        by_name[r["name"]].append(r)
    for name, rows in sorted(by_name.items()):
        times = sorted(r["ms"] for r in rows if r["ms"] is not None)
        endpoints[name] = {
            "requests": len(rows),
            "errors": sum(1 for r in rows if not r["ok"]),
            "p50_ms": percentile(times, 0.50),
            "p95_ms": percentile(times, 0.95),
            "p99_ms": percentile(times, 0.99),
            "per_second": round(len(rows) / max(end - start, 1e-9), 2),
        }
    errors_inside = sum(1 for r in inside if not r["ok"])
    return {
        "requests": len(requests),
        "seconds": round(end - start, 1),
        "per_second": round(len(requests) / max(end - start, 1e-9), 2),
        "resent_after_dropped_connection": sum(1 for r in requests if r["attempts"] > 1),
        "errors_outside_redis_window": sum(1 for r in outside if not r["ok"]),
        "requests_inside_redis_window": len(inside),
        "errors_inside_redis_window": errors_inside,
        "error_rate_inside_redis_window": round(errors_inside / len(inside), 4) if inside else 0.0,
        "failed_examples": [
            {k: r[k] for k in ("name", "status", "start")} for r in requests if not r["ok"]
        ][:20],
        "endpoints": endpoints,
    }


def wait_until_routed(usernames: list[str], since: datetime, timeout: float) -> float:
    from visits.urgent.models import UrgentReport

    started = time.monotonic()
    deadline = started + timeout
    pending = UrgentReport.objects.filter(
        raised_by__username__in=usernames,
        created_at__gte=since,
        status=UrgentReport.Status.PENDING,
    )
    while pending.exists() and time.monotonic() < deadline:
        time.sleep(2)
    return round(time.monotonic() - started, 1)


# --- what the processes cost ---------------------------------------------------

_TICK = os.sysconf("SC_CLK_TCK")


def _proc(pid: int) -> tuple[float, float, float] | None:
    """(own CPU seconds, CPU seconds of its reaped children, resident MB) of a
    live process, from /proc; None when it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    rss_kb = next(
        (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmRSS:")), 0
    )
    # After "pid (comm)": utime, stime, cutime, cstime are fields 11 to 14.
    own = (int(stat[11]) + int(stat[12])) / _TICK
    reaped = (int(stat[13]) + int(stat[14])) / _TICK
    return own, reaped, rss_kb / 1024


def _group(pid: int | None) -> dict[str, Any]:
    """A parent (gunicorn master, celery worker) and its direct children (web
    workers, the pool): CPU seconds so far, including children it reaped (a
    killed web worker), and each one's resident memory."""
    if pid is None:
        return {"cpu_seconds": 0.0, "parent_rss_mb": None, "children_rss_mb": []}
    parent = _proc(pid)
    children = [c for c in (_proc(child) for child in child_pids(pid)) if c is not None]
    cpu = sum(c[0] for c in children)
    if parent is not None:
        cpu += parent[0] + parent[1]
    return {
        "pid": pid,
        "cpu_seconds": round(cpu, 2),
        "parent_rss_mb": round(parent[2], 1) if parent else None,
        "children_rss_mb": [round(c[2], 1) for c in children],
    }


class PostgresqlSampler:
    """CPU of the PostgreSQL sessions on the run's database (the web workers',
    Celery workers' and beat's), sampled from /proc every few seconds in a
    thread of its own: a session that closes (CONN_MAX_AGE) keeps what it had
    used at its last sample."""

    def __init__(self, interval: float = 2.0):
        import threading

        self.interval = interval
        self.first: dict[int, float] = {}  # CPU seconds when first seen
        self.last: dict[int, float] = {}
        self.started = False
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._loop, daemon=True)

    def start(self) -> "PostgresqlSampler":
        self.sample()  # what the sessions open now had used before the run
        self.started = True
        self.thread.start()
        return self

    def _loop(self) -> None:
        from django.db import connection

        try:
            while not self.stopped.wait(self.interval):
                self.sample()
            self.sample()
        finally:
            connection.close()

    def sample(self) -> None:
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            pids = [row[0] for row in cursor.fetchall()]
        for pid in pids:
            figures = _proc(pid)
            if figures is None:
                continue
            # A session opened during the run had used nothing before it.
            self.first.setdefault(pid, 0.0 if self.started else figures[0])
            self.last[pid] = figures[0]

    def stop(self) -> dict[str, Any]:
        self.stopped.set()
        self.thread.join(timeout=30)
        cpu = sum(self.last[pid] - self.first[pid] for pid in self.last)
        return {"cpu_seconds": round(cpu, 2), "sessions_seen": len(self.last)}


def process_costs(services: Services) -> dict[str, Any]:
    def pid_of(process: Process) -> int | None:
        return process.proc.pid if process.proc is not None else None

    return {
        "at": time.monotonic(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "web": _group(pid_of(services.web)),
        **{f"celery_{kind}": _group(pid_of(worker)) for kind, worker in services.workers.items()},
        "beat": _group(pid_of(services.beat)),
        "redis": _group(pid_of(services.redis)),
    }


def cost_of_run(
    before: dict[str, Any], after: dict[str, Any], postgresql: dict[str, Any]
) -> dict[str, Any]:
    """Memory at the end of the run, CPU seconds spent during it (a process
    started again during the run counts from its new start), the machine's
    load average at both ends."""
    seconds = after["at"] - before["at"]
    costs: dict[str, Any] = {
        "seconds": round(seconds, 1),
        "cores": os.cpu_count(),
        "load_average_start": before["load_average"],
        "load_average_end": after["load_average"],
    }
    for name in ("web", "celery_urgent", "celery_bulk", "beat", "redis"):
        start, end = before[name], after[name]
        same = start.get("pid") == end.get("pid")
        cpu = end["cpu_seconds"] - (start["cpu_seconds"] if same else 0.0)
        costs[name] = {
            "cpu_seconds": round(cpu, 2),
            "cores_busy": round(cpu / seconds, 2) if seconds else None,
            "parent_rss_mb": end["parent_rss_mb"],
            "children_rss_mb": end["children_rss_mb"],
            **({} if same else {"restarted_during_run": True}),
        }
    costs["postgresql"] = {
        **postgresql,
        "cores_busy": round(postgresql["cpu_seconds"] / seconds, 2) if seconds else None,
    }
    return costs


# --- the run --------------------------------------------------------------------


def run(options: Options) -> dict[str, Any]:
    """The whole load test; the result (also written to options.output)."""
    from django.utils import timezone

    if options.dataset not in DATASETS:
        raise ValueError(f"dataset must be one of {DATASETS}, not {options.dataset!r}")
    run_id = "lt" + time.strftime("%m%d%H%M%S")
    workdir = Path(options.workdir) / run_id
    workdir.mkdir(parents=True)
    since = timezone.now()
    accounts = prepare(run_id, options.users, options.dataset)
    usernames = [name for names in accounts["users"].values() for name in names]
    accounts_file = workdir / "accounts.json"
    accounts_file.write_text(json.dumps(accounts, ensure_ascii=False))
    journal_file = workdir / "journal.jsonl"
    max_requests = options.max_requests or int(options.users * 40 * options.duration / 60) + 500
    services = Services(options, workdir)
    faults: list[dict[str, Any]] = []
    result: dict[str, Any] = {}
    locust: Process | None = None
    sampler: PostgresqlSampler | None = None
    try:
        services.start()
        locust = Process(
            "locust",
            [
                sys.executable,
                "-m",
                "locust",
                "-f",
                str(LOCUSTFILE),
                "--headless",
                "--users",
                str(len(usernames)),
                "--spawn-rate",
                str(options.spawn_rate),
                "--run-time",
                f"{options.duration}s",
                "--stop-timeout",
                "10",
                "--host",
                services.base_url,
                "--only-summary",
                "--csv",
                str(workdir / "locust"),
                "--exit-code-on-error",
                "0",
            ],
            workdir,
            os.environ.copy()
            | {
                "LOADTEST_ACCOUNTS": str(accounts_file),
                "LOADTEST_PASSWORD": accounts["password"],
                "LOADTEST_JOURNAL": str(journal_file),
                "LOADTEST_MAX_REQUESTS": str(max_requests),
            },
        ).start()
        began = time.monotonic()
        costs_before = process_costs(services)
        sampler = PostgresqlSampler().start()
        schedule = (
            [
                (0.25, services.kill_web_worker),
                (0.45, services.kill_celery_worker),
                (0.65, services.restart_redis),
            ]
            if options.faults
            else []
        )
        assert locust.proc is not None
        for fraction, fault in schedule:
            while time.monotonic() - began < fraction * options.duration:
                if locust.proc.poll() is not None:
                    break
                time.sleep(0.2)
            if locust.proc.poll() is None:
                faults.append(fault())
        try:
            locust.proc.wait(timeout=options.duration + 120)
        except subprocess.TimeoutExpired:
            locust.stop()
        costs = cost_of_run(costs_before, process_costs(services), sampler.stop())
        routing_wait = wait_until_routed(usernames, since, ROUTING_WAIT_SECONDS)
        journal = [
            json.loads(line)
            for line in journal_file.read_text(encoding="utf-8").splitlines()
            if line.strip()
        ]
        checks = verify(usernames, since, journal)
        summary = summarise(journal, faults)
        costs["cpu_ms_per_request"] = {
            group: round(1000 * figures["cpu_seconds"] / summary["requests"], 1)
            for group, figures in costs.items()
            if group in ("web", "postgresql") and summary.get("requests")
        }
        lost = sum(c.get("lost", 0) for c in checks.values())
        duplicated = sum(c.get("duplicated", 0) for c in checks.values())
        result = {
            "run": run_id,
            "dataset": options.dataset,
            "users": options.users,
            "duration_seconds": options.duration,
            "max_requests": max_requests,
            "web_workers": options.web_workers,
            "celery_workers": ["urgent", "bulk"],
            "faults": faults,
            "routing_wait_seconds": routing_wait,
            "checks": checks,
            "lost": lost,
            "duplicated": duplicated,
            "unrouted": checks["urgent_reports"]["unrouted"],
            **summary,
            "processes": costs,
        }
        result["passed"] = (
            lost == 0
            and duplicated == 0
            and result["unrouted"] == 0
            and summary.get("errors_outside_redis_window", 0) == 0
            and summary.get("error_rate_inside_redis_window", 0) < 0.01
            and summary.get("requests", 0) > 0
        )
        result["workdir"] = str(workdir)
    finally:
        if sampler is not None and not sampler.stopped.is_set():
            sampler.stop()
        if locust is not None:
            locust.stop()
        services.stop()
    output = Path(options.output)
    output.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return result
