"""Backup and restore of an installation: the PostgreSQL database (pg_dump's
custom format) and the uploaded files (MEDIA_ROOT), with a manifest that lets a
restore prove it brought back what was saved.

A backup is a folder, or a .tar archive of that folder:

    manifest.json   created time, applied migrations, row counts of every model
                    table, checksums of the main tables, the list of media files
    database.dump   pg_dump --format=custom
    media/          a copy of MEDIA_ROOT

The checksums are computed by PostgreSQL over each main table's rows in primary
key order, in UTC, so the same rows give the same checksum on another server
of the same major version.

The client programs must match the server's major version (a newer pg_dump
writes archives an older pg_restore cannot read); when the ones on PATH differ
we use Debian's /usr/lib/postgresql/<major>/bin.
"""

import json
import re
import shutil
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone
from django.utils.translation import gettext as _

from .db import allow_long_statements

MANIFEST = "manifest.json"
DUMP = "database.dump"
MEDIA = "media"
FORMAT_VERSION = 1

# The tables whose content a restore must prove equal, not only count.
CHECKSUM_MODELS = [
    "customers.Customer",
    "customers.Contact",
    "visits.DailyReportEntry",
    "visits.Visit",
    "complaints.Complaint",
    "reports.MonthlyPatrolSummary",
]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why, for the operator."""


@dataclass
class Verification:
    """What a restore found against the manifest."""

    checked_tables: int = 0
    checked_checksums: int = 0
    media_files: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


# --- the database and its client programs ---------------------------------------


def require_postgresql() -> None:
    if connection.vendor != "postgresql":
        raise BackupError(
            _(
                "Backup and restore work on PostgreSQL only; this installation uses %(vendor)s. "
                "Set DATABASE_URL to the PostgreSQL database."
            )
            % {"vendor": connection.vendor}
        )


def server_version() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0])


def server_major() -> int:
    return server_version() // 10000


def _client_major(binary: str) -> int | None:
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    match = re.search(r"\(PostgreSQL\)\s+(\d+)", out)
    return int(match.group(1)) if match else None


def client_program(name: str) -> str:
    """pg_dump or pg_restore of the server's major version."""
    major = server_major()
    candidates = [shutil.which(name), f"/usr/lib/postgresql/{major}/bin/{name}"]
    for binary in candidates:
        if binary and Path(binary).exists() and _client_major(binary) == major:
            return binary
    raise BackupError(
        _("No %(program)s of PostgreSQL %(major)s found; install postgresql-client-%(major)s.")
        % {"program": name, "major": major}
    )


def _libpq_args_and_env() -> tuple[list[str], dict[str, str]]:
    db = connection.settings_dict
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", db["HOST"]]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    # The password goes in the child's environment, not its arguments (which
    # other users of the host can read); no other variable is passed on.
    env = {"PGPASSWORD": db["PASSWORD"]} if db.get("PASSWORD") else {}
    sslmode = (db.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = sslmode
    return args, env


def _run(args: list[str], env: dict[str, str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise BackupError(
            _("%(program)s failed: %(error)s")
            % {"program": Path(args[0]).name, "error": result.stderr.strip()[-2000:]}
        )


# --- what the manifest records -----------------------------------------------------


def model_tables() -> list[str]:
    """Every table the models own (many-to-many tables included), sorted."""
    tables = {
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy
    }
    existing = set(connection.introspection.table_names())
    return sorted(tables & existing)


def row_counts() -> dict[str, int]:
    qn = connection.ops.quote_name
    counts = {}
    with connection.cursor() as cursor:
        for table in model_tables():
            cursor.execute(f"SELECT count(*) FROM {qn(table)}")
            counts[table] = cursor.fetchone()[0]
    return counts


def checksum_sql(table: str, pk_column: str) -> str:
    """md5 of the table's rows as text, in primary key order (NULL-safe for an empty table)."""
    return (
        f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t.{pk_column}), ''))"
        f" FROM {table} AS t"
    )


def checksums(cursor=None) -> dict[str, dict]:
    """{model label: {"table", "rows", "md5"}} of the main tables.

    `cursor` may be any DB-API cursor on the database (a test compares a
    restored database through its own connection); it is set to UTC first so
    timestamps print the same on every connection.
    """
    qn = connection.ops.quote_name
    result = {}
    own = cursor is None
    cursor = cursor or connection.cursor()
    try:
        cursor.execute("SET TIME ZONE 'UTC'")
        for label in CHECKSUM_MODELS:
            meta = apps.get_model(label)._meta
            cursor.execute(checksum_sql(qn(meta.db_table), qn(meta.pk.column)))
            rows, digest = cursor.fetchone()
            result[label] = {"table": meta.db_table, "rows": rows, "md5": digest}
    finally:
        if own:
            cursor.close()
    return result


def applied_migrations() -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app_label, name in sorted(MigrationRecorder(connection).applied_migrations()):
        applied.setdefault(app_label, []).append(name)
    return applied


def media_files(root: Path) -> dict[str, int]:
    """{relative path: size} of every file under root."""
    if not root.is_dir():
        return {}
    return {
        path.relative_to(root).as_posix(): path.stat().st_size
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def build_manifest() -> dict:
    """The manifest of the database as this transaction sees it (call inside one)."""
    manifest = {
        "format": FORMAT_VERSION,
        "created_at": timezone.now().isoformat(),
        "database": connection.settings_dict["NAME"],
        "server_version": server_version(),
        "migrations": applied_migrations(),
        "row_counts": row_counts(),
        "checksums": checksums(),
    }
    manifest["media"] = media_files(Path(settings.MEDIA_ROOT))
    return manifest


# --- backup ------------------------------------------------------------------------


def backup_create(*, path: Path) -> dict:
    """Write a backup to `path` (a new or empty folder, or a file ending in .tar)."""
    require_postgresql()
    as_tar = path.suffix == ".tar"
    if as_tar and path.exists():
        raise BackupError(_("%(path)s already exists; choose a new name.") % {"path": path})
    if not as_tar and path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise BackupError(_("%(path)s exists and is not an empty folder.") % {"path": path})
    pg_dump = client_program("pg_dump")
    args, env = _libpq_args_and_env()

    with tempfile.TemporaryDirectory(dir=path.parent if as_tar else None) as scratch:
        folder = Path(scratch) / "backup" if as_tar else path
        folder.mkdir(parents=True, exist_ok=True)
        # pg_dump reads the snapshot the manifest was counted in, so the counts
        # and checksums describe exactly the rows in the dump, writes going on
        # meanwhile or not.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            allow_long_statements()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            manifest = build_manifest()
            dump_args = ["--format=custom", "--no-owner", f"--snapshot={snapshot}"]
            _run([pg_dump, *dump_args, "--file", str(folder / DUMP), *args], env)
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            shutil.copytree(media_root, folder / MEDIA, dirs_exist_ok=True)
        else:
            (folder / MEDIA).mkdir()
        (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
        if as_tar:
            with tarfile.open(path, "w") as archive:
                for item in sorted(folder.iterdir()):
                    archive.add(item, arcname=item.name)
    return manifest


# --- restore -----------------------------------------------------------------------


def require_empty_database() -> None:
    tables = connection.introspection.table_names()
    if tables:
        raise BackupError(
            _(
                "The database %(name)s is not empty (%(count)s tables). Restore only into a "
                "new, empty database: create one (createdb), point DATABASE_URL at it and run "
                "restore again."
            )
            % {"name": connection.settings_dict["NAME"], "count": len(tables)}
        )


def _unpack(path: Path, scratch: Path) -> Path:
    if path.is_dir():
        return path
    if path.is_file() and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            archive.extractall(scratch, filter="data")
        return scratch
    raise BackupError(_("%(path)s is not a backup folder or .tar archive.") % {"path": path})


def _read_manifest(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (OSError, ValueError) as error:
        raise BackupError(
            _("%(path)s has no readable manifest: %(error)s")
            % {"path": folder / MANIFEST, "error": error}
        ) from error
    if manifest.get("format") != FORMAT_VERSION or not (folder / DUMP).is_file():
        raise BackupError(_("%(path)s is not a backup made by this program.") % {"path": folder})
    return manifest


def backup_restore(*, path: Path) -> tuple[dict, Verification]:
    """Restore the backup at `path` into the configured (empty) database and
    MEDIA_ROOT, then check it against its manifest."""
    require_postgresql()
    if not path.exists():
        raise BackupError(_("%(path)s does not exist.") % {"path": path})
    require_empty_database()
    pg_restore = client_program("pg_restore")
    args, env = _libpq_args_and_env()
    with tempfile.TemporaryDirectory() as scratch:
        folder = _unpack(path, Path(scratch))
        manifest = _read_manifest(folder)
        _run(
            [
                pg_restore,
                "--no-owner",
                "--no-acl",
                "--exit-on-error",
                "--single-transaction",
                *args,
                str(folder / DUMP),
            ],
            env,
        )
        media_root = Path(settings.MEDIA_ROOT)
        media_root.mkdir(parents=True, exist_ok=True)
        if (folder / MEDIA).is_dir():
            shutil.copytree(folder / MEDIA, media_root, dirs_exist_ok=True)
    # The restore created every table behind this connection's back.
    connection.close()
    return manifest, backup_verify(manifest)


def backup_verify(manifest: dict) -> Verification:
    """Compare the database and MEDIA_ROOT with a manifest."""
    result = Verification()
    with transaction.atomic():
        allow_long_statements()
        if applied_migrations() != manifest["migrations"]:
            result.problems.append(_("The applied migrations differ from the backup's."))
        counts = row_counts()
        for table, expected in manifest["row_counts"].items():
            result.checked_tables += 1
            found = counts.get(table)
            if found != expected:
                result.problems.append(
                    _("Table %(table)s: %(found)s rows, the backup had %(expected)s.")
                    % {"table": table, "found": found, "expected": expected}
                )
        sums = checksums()
        for label, expected in manifest["checksums"].items():
            result.checked_checksums += 1
            if sums.get(label) != expected:
                result.problems.append(
                    _("Table %(table)s: its content differs from the backup (checksum).")
                    % {"table": expected["table"]}
                )
    present = media_files(Path(settings.MEDIA_ROOT))
    for name, size in manifest["media"].items():
        result.media_files += 1
        if present.get(name) != size:
            result.problems.append(
                _("Media file %(name)s is missing or differs from the backup.") % {"name": name}
            )
    return result
