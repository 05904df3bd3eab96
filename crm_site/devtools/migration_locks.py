"""How long each migration holds an ACCESS EXCLUSIVE lock on a table, and
whether it rewrote one.

While a migration runs in one database session, a thread on a second
connection reads `pg_locks` for that session every few milliseconds and
notes, per table, how long it saw an ACCESS EXCLUSIVE lock granted without a
break (one hold). Nobody can read or write the table meanwhile, so on a big
table that time is what users would wait. In an atomic migration the lock is
held to the end of its transaction: a migration that adds a column to a big
table, then works on other tables, holds it through all of that.

The time alone depends on the machine and the data; a rewrite does not: when
PostgreSQL rewrites a table (a column type change, a volatile default) it
writes it to a new file, so `pg_class.relfilenode` changes. Each migration's
tables are compared before and after, and a rewritten table that holds rows
is reported whatever the time, which is what lets a check on a small dataset
catch what would lock a large one for minutes.

Used by `manage.py migration_locks`; PostgreSQL only.
"""

import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import DEFAULT_DB_ALIAS, connections
from django.utils.translation import gettext as _

LOCKS_SQL = """
    SELECT c.oid::regclass::text
    FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
    WHERE l.pid = %s AND l.locktype = 'relation' AND l.granted
      AND l.mode = 'AccessExclusiveLock' AND c.relkind IN ('r', 'p', 'm')
"""

TABLES_SQL = """
    SELECT c.oid, c.oid::regclass::text, c.relfilenode
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE c.relkind IN ('r', 'm')
      AND n.nspname NOT IN ('pg_catalog', 'information_schema')
      AND n.nspname NOT LIKE 'pg_toast%%'
"""


@dataclass
class TableLock:
    table: str
    seconds: float
    rows: int = 0


@dataclass
class MigrationResult:
    label: str
    seconds: float
    locks: list[TableLock] = field(default_factory=list)
    rewritten: list[TableLock] = field(default_factory=list)

    def problems(self, *, max_lock_seconds: float) -> list[str]:
        found = [
            _("%(migration)s rewrote the table %(table)s (%(rows)s rows).")
            % {"migration": self.label, "table": lock.table, "rows": lock.rows}
            for lock in self.rewritten
        ]
        found += [
            _(
                "%(migration)s held an ACCESS EXCLUSIVE lock on %(table)s for %(seconds).2f s "
                "(limit %(limit).2f s)."
            )
            % {
                "migration": self.label,
                "table": lock.table,
                "seconds": lock.seconds,
                "limit": max_lock_seconds,
            }
            for lock in self.locks
            if lock.seconds > max_lock_seconds
        ]
        return found


class LockWatch:
    """Watches the ACCESS EXCLUSIVE table locks of the `using` connection's
    session from a second connection, one labelled step at a time:

        with LockWatch() as watch:
            with watch.step("customers.0012_create_form_tokens"):
                ...  # run the migration on connections["default"]
        watch.results
    """

    def __init__(self, *, using: str = DEFAULT_DB_ALIAS, interval: float = 0.01):
        self.using = using
        self.interval = interval
        self.results: list[MigrationResult] = []
        self._label: str | None = None
        self._seen: dict[str, float] = {}  # table: longest hold seen in this step
        self._holding: dict[str, float] = {}  # table: when its current hold was first seen
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._watch, name="lock-watch", daemon=True)

    def __enter__(self) -> "LockWatch":
        connection = connections[self.using]
        if connection.vendor != "postgresql":
            raise RuntimeError("LockWatch needs PostgreSQL")
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            self.pid = cursor.fetchone()[0]
        self._thread.start()
        self._ready.wait(timeout=30)
        self._raise_watch_error()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    @contextmanager
    def step(self, label: str):
        before = self._tables()
        self._seen = {}
        self._holding = {}
        self._label = label
        started = time.monotonic()
        try:
            yield
        finally:
            self._label = None
            seconds = time.monotonic() - started
        self._raise_watch_error()
        after = self._tables()
        seen = dict(self._seen)
        result = MigrationResult(label=label, seconds=seconds)
        existing = {name for name, _node in before.values()}
        for table, seconds in sorted(seen.items()):
            # A table the migration created is locked by nobody else yet.
            if table in existing:
                result.locks.append(TableLock(table=table, seconds=seconds))
        for oid, (_name, node) in before.items():
            if oid in after and after[oid][1] != node and self._has_rows(after[oid][0]):
                result.rewritten.append(TableLock(table=after[oid][0], seconds=0.0))
        remaining = {name for name, _node in after.values()}
        for lock in result.locks + result.rewritten:
            lock.rows = self._count(lock.table) if lock.table in remaining else 0
        self.results.append(result)

    def problems(self, *, max_lock_seconds: float) -> list[str]:
        return [
            problem
            for result in self.results
            for problem in result.problems(max_lock_seconds=max_lock_seconds)
        ]

    def _watch(self) -> None:
        connection = connections.create_connection(self.using)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
                self._ready.set()
                while not self._stop.wait(self.interval):
                    label = self._label
                    if label is None:
                        continue
                    cursor.execute(LOCKS_SQL, [self.pid])
                    tables = [row[0] for row in cursor.fetchall()]
                    now = time.monotonic()
                    if self._label != label:
                        continue  # the step ended while we looked: not its locks
                    # A lock seen in consecutive looks is one hold; a table
                    # locked twice in one migration is two holds, the longer counts.
                    for table in set(self._holding) - set(tables):
                        del self._holding[table]
                    for table in tables:
                        first = self._holding.setdefault(table, now)
                        self._seen[table] = max(self._seen.get(table, 0.0), now - first)
        except BaseException as error:  # reported by the main thread
            self._error = error
            self._ready.set()
        finally:
            connection.close()

    def _raise_watch_error(self) -> None:
        if self._error is not None:
            raise RuntimeError("the lock watch stopped") from self._error
        if self._ready.is_set() and not self._thread.is_alive() and not self._stop.is_set():
            raise RuntimeError("the lock watch stopped")

    def _tables(self) -> dict[int, tuple[str, int]]:
        with connections[self.using].cursor() as cursor:
            cursor.execute(TABLES_SQL)
            return {oid: (name, node) for oid, name, node in cursor.fetchall()}

    def _has_rows(self, table: str) -> bool:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            return bool(cursor.fetchone()[0])

    def _count(self, table: str) -> int:
        with connections[self.using].cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {table}")
            return int(cursor.fetchone()[0])
