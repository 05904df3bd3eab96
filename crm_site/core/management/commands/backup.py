"""python manage.py backup PATH: the database and the uploaded files, with a manifest."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm_site.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "Back up the PostgreSQL database (pg_dump custom format) and MEDIA_ROOT to PATH: "
        "a new folder, or an archive if PATH ends in .tar. A manifest.json records row "
        "counts and checksums that `restore` verifies."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="a new folder, or a file name ending in .tar")

    def handle(self, *args, path: Path, **options):
        try:
            manifest = backup_create(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _(
                "Backup written to %(path)s: %(tables)s tables, %(rows)s rows, %(files)s media files."
            )
            % {
                "path": path,
                "tables": len(manifest["row_counts"]),
                "rows": sum(manifest["row_counts"].values()),
                "files": len(manifest["media"]),
            }
        )
