"""Backup and restore: a backup of real data restored into a fresh PostgreSQL
database has the same row counts, the same checksums of the main tables and
the same media files; restore refuses a database that is not empty, and both
commands refuse SQLite.

The restore runs as `manage.py restore` in a subprocess pointed at the new
database (DATABASE_URL), as an operator would run it. Each test drops the
databases it creates.
"""

import json
import os
import subprocess
import tarfile
from pathlib import Path

import psycopg2
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone
from django.utils.crypto import get_random_string

from crm_site.core import backup
from reports.services import summary_build
from tests.factories import (
    make_complaint,
    make_contact,
    make_customer,
    make_daily_report,
    make_entry,
    make_visit,
)
from tests.support import services

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.slow, pytest.mark.services]


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "complaints").mkdir(parents=True)
    (settings.MEDIA_ROOT / "complaints" / "录音.mp3").write_bytes(b"ID3" + bytes(range(256)) * 4)
    return settings.MEDIA_ROOT


@pytest.fixture
def fresh_database(postgres_required):
    """A new, empty database on the same server; dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restore_{get_random_string(6).lower()}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = services.test_database_url().rsplit("/", 1)[0] + f"/{name}"
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def everything(transactional_db, postgres_required, media, unit_a, staff_a) -> None:
    """A few rows of every kind in the PostgreSQL test database, and a recording in MEDIA_ROOT."""
    customers = [make_customer(unit_a, visiting_person=staff_a) for _ in range(5)]
    for customer in customers:
        make_contact(customer)
        make_visit(customer, staff_a)
    report = make_daily_report(staff_a)
    make_entry(report, customers[0], opinions="希望提前通知到货时间")
    make_entry(report, customers[1], at="14:30", market="竞争对手降价")
    make_complaint(customers[2], by=staff_a)
    summary_build(unit_id=unit_a.pk, month=timezone.localdate().replace(day=1))


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    env = os.environ.copy() | {"PYTHONUNBUFFERED": "1"} | env
    return services.run_python("manage.py", *args, env=env, timeout=300)


@pytest.mark.usefixtures("everything")
def test_a_backup_restored_into_a_fresh_database_has_the_same_rows_checksums_and_files(
    tmp_path, media, fresh_database
):
    archive = tmp_path / "nightly.tar"

    call_command("backup", str(archive))

    with tarfile.open(archive) as tar:
        assert {"manifest.json", "database.dump", "media"} <= set(tar.getnames())
    saved = backup.build_manifest()
    restored_media = tmp_path / "restored-media"
    result = manage(
        "restore", str(archive), DATABASE_URL=fresh_database, DJANGO_MEDIA_ROOT=str(restored_media)
    )

    assert result.returncode == 0, result.stderr + result.stdout
    assert "校验通过" in result.stdout
    # Compared here too, on a connection of the test's own to the new database.
    other = psycopg2.connect(fresh_database)
    try:
        with other.cursor() as cursor:
            restored_sums = backup.checksums(cursor)
            restored_counts = {}
            for table in saved["row_counts"]:
                cursor.execute(f'SELECT count(*) FROM "{table}"')
                restored_counts[table] = cursor.fetchone()[0]
    finally:
        other.close()
    assert restored_sums == saved["checksums"]
    assert restored_sums["customers.Customer"]["rows"] == 5
    assert restored_sums["visits.DailyReportEntry"]["rows"] == 2
    assert restored_sums["complaints.Complaint"]["rows"] == 1
    assert restored_sums["reports.MonthlyPatrolSummary"]["rows"] == 1
    assert restored_counts == saved["row_counts"]
    assert (restored_media / "complaints" / "录音.mp3").read_bytes() == (
        media / "complaints" / "录音.mp3"
    ).read_bytes()


@pytest.mark.usefixtures("everything")
def test_a_folder_backup_carries_a_manifest_of_counts_migrations_and_checksums(tmp_path):
    call_command("backup", str(tmp_path / "backup"))

    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["created_at"]
    assert "0001_initial" in manifest["migrations"]["customers"]
    assert manifest["row_counts"]["customers_customer"] == 5
    assert manifest["row_counts"]["customers_contact"] == 5
    assert set(manifest["checksums"]) == set(backup.CHECKSUM_MODELS)
    assert manifest["media"] == {"complaints/录音.mp3": 3 + 256 * 4}
    assert (tmp_path / "backup" / "media" / "complaints" / "录音.mp3").exists()


@pytest.mark.usefixtures("everything")
def test_a_restore_that_does_not_match_its_manifest_names_each_difference_and_fails(
    tmp_path, media, fresh_database
):
    folder = tmp_path / "backup"
    call_command("backup", str(folder))
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["row_counts"]["customers_customer"] = 6
    manifest["checksums"]["complaints.Complaint"]["md5"] = "0" * 32
    manifest["media"]["complaints/丢失.mp3"] = 10
    (folder / "manifest.json").write_text(json.dumps(manifest))

    result = manage(
        "restore", str(folder), DATABASE_URL=fresh_database, DJANGO_MEDIA_ROOT=str(tmp_path / "m")
    )

    assert result.returncode == 1
    assert "表 customers_customer：现有 5 行，备份中为 6 行。" in result.stderr
    assert "表 complaints_complaint：内容与备份不一致" in result.stderr
    assert "媒体文件 complaints/丢失.mp3 缺失" in result.stderr
    assert "恢复后的数据与备份不一致（3 处问题）" in result.stderr


@pytest.mark.usefixtures("transactional_db")
def test_restore_refuses_a_database_that_is_not_empty(postgres_required, tmp_path, media):
    call_command("backup", str(tmp_path / "backup"))

    with pytest.raises(CommandError, match="不是空库"):
        call_command("restore", str(tmp_path / "backup"))


def test_backup_and_restore_refuse_sqlite(tmp_path):
    for command in ("backup", "restore"):
        result = manage(command, str(tmp_path / "x"), DATABASE_URL="", DJANGO_DEBUG="1")

        assert result.returncode == 1
        assert "备份与恢复仅支持 PostgreSQL" in result.stderr
