"""python manage.py restore PATH: a backup into an empty database, then verified."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from crm_site.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `backup` into the configured database, which must be "
        "empty, and its files into MEDIA_ROOT; then check row counts, checksums and "
        "files against the backup's manifest."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="the backup folder or .tar archive")

    def handle(self, *args, path: Path, **options):
        try:
            manifest, verification = backup_restore(path=path)
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            _("Restored the backup of %(created)s.") % {"created": manifest["created_at"]}
        )
        if not verification.ok:
            for problem in verification.problems:
                self.stderr.write(problem)
            raise CommandError(
                _("The restored data does not match the backup (%(count)s problems).")
                % {"count": len(verification.problems)}
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Verified: %(tables)s tables' row counts, %(sums)s checksums and "
                    "%(files)s media files match the backup."
                )
                % {
                    "tables": verification.checked_tables,
                    "sums": verification.checked_checksums,
                    "files": verification.media_files,
                }
            )
        )
