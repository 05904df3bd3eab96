"""python manage.py migration_locks: apply the pending migrations while watching
their table locks; fails on a rewritten table or a long ACCESS EXCLUSIVE lock."""

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from crm_site.devtools.migration_locks import LockWatch


class Command(BaseCommand):
    help = (
        "Apply every pending migration, one at a time, while a second connection watches "
        "pg_locks: fails if a migration rewrites a table that holds rows or holds an ACCESS "
        "EXCLUSIVE lock on a table for longer than --max-lock-seconds. Run it on a copy of "
        "the production database (--data, a backup made by `backup`), or on generated data "
        "(--quick) with --from to roll apps back first. PostgreSQL only."
    )

    def add_arguments(self, parser):
        source = parser.add_mutually_exclusive_group()
        source.add_argument(
            "--data",
            metavar="PATH",
            help="restore this backup into the (empty) database first, as `restore` does",
        )
        source.add_argument(
            "--quick",
            action="store_true",
            help="migrate an empty database and generate `seed_large --quick` data first",
        )
        parser.add_argument(
            "--from",
            dest="starts",
            action="append",
            default=[],
            metavar="APP:MIGRATION",
            help="roll APP back to MIGRATION first (repeat for several apps); "
            "this drops the later migrations' columns and tables",
        )
        parser.add_argument("--max-lock-seconds", type=float, default=2.0)
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="roll back without asking",
        )

    def handle(self, *args, **options):
        connection = connections[DEFAULT_DB_ALIAS]
        if connection.vendor != "postgresql":
            raise CommandError(_("The migration lock check needs PostgreSQL."))
        starts = [self._parse_start(value) for value in options["starts"]]
        if options["data"]:
            call_command("restore", options["data"], stdout=self.stdout, stderr=self.stderr)
        elif options["quick"]:
            call_command("migrate", interactive=False, verbosity=0)
            call_command("seed_large", quick=True, stdout=self.stdout)
        if starts:
            self._confirm_rollback(connection, starts, interactive=options["interactive"])
            for app_label, name in starts:
                call_command("migrate", app_label, name, interactive=False, verbosity=0)
        # As `migrate` is run in the upgrade procedure: no statement timeout.
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        results = self._migrate_watched(connection)
        max_seconds = options["max_lock_seconds"]
        for result in results:
            locks = ", ".join(
                _("%(table)s %(seconds).2f s (%(rows)s rows)")
                % {"table": lock.table, "seconds": lock.seconds, "rows": lock.rows}
                for lock in result.locks
            )
            self.stdout.write(
                _("%(migration)s: %(seconds).2f s; ACCESS EXCLUSIVE: %(locks)s")
                % {
                    "migration": result.label,
                    "seconds": result.seconds,
                    "locks": locks or _("none seen"),
                }
            )
        problems = [p for r in results for p in r.problems(max_lock_seconds=max_seconds)]
        # The signals `migrate` sends at its end (content types, permissions).
        call_command("migrate", interactive=False, verbosity=0)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(_("%(count)s migration lock problems.") % {"count": len(problems)})
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "%(count)s migrations applied: no table rewritten, no ACCESS EXCLUSIVE "
                    "lock held over %(limit).2f s."
                )
                % {"count": len(results), "limit": max_seconds}
            )
        )

    def _parse_start(self, value: str) -> tuple[str, str]:
        app_label, sep, name = value.partition(":")
        if not sep or not app_label or not name:
            raise CommandError(
                _("--from takes APP:MIGRATION, for example customers:0010; got %(value)s.")
                % {"value": value}
            )
        return app_label, name

    def _confirm_rollback(self, connection, starts, *, interactive: bool) -> None:
        if not interactive:
            return
        answer = input(
            _(
                "This rolls back %(apps)s in the database %(name)s, dropping what the later "
                "migrations added. Run it on a copy only. Type 'yes' to continue: "
            )
            % {
                "apps": ", ".join(f"{app}:{name}" for app, name in starts),
                "name": connection.settings_dict["NAME"],
            }
        )
        if answer != "yes":
            raise CommandError(_("Cancelled."))

    def _migrate_watched(self, connection):
        steps = {}
        with LockWatch(using=connection.alias) as watch:

            def progress(action, migration=None, fake=False):
                if action == "apply_start":
                    steps[migration] = watch.step(f"{migration.app_label}.{migration.name}")
                    steps[migration].__enter__()
                elif action == "apply_success":
                    steps.pop(migration).__exit__(None, None, None)

            executor = MigrationExecutor(connection, progress)
            executor.loader.check_consistent_history(connection)
            targets = executor.loader.graph.leaf_nodes()
            plan = executor.migration_plan(targets)
            if not plan:
                raise CommandError(
                    _(
                        "No migration to apply: restore an older backup with --data, or roll "
                        "apps back with --from APP:MIGRATION."
                    )
                )
            try:
                executor.migrate(targets, plan=plan)
            finally:
                for step in steps.values():
                    step.__exit__(None, None, None)
        return watch.results
