import json
import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from crm_site.devtools.bench import current_database_url
from crm_site.devtools.loadtest import driver


class Command(BaseCommand):
    help = (
        "Load test on this machine: gunicorn, two Celery workers, beat and a Redis of its own "
        "on DATABASE_URL's PostgreSQL, locust users, and faults during the run."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--users", type=int, default=int(os.environ.get("LOADTEST_USERS", "50"))
        )
        parser.add_argument(
            "--duration",
            type=int,
            default=int(os.environ.get("LOADTEST_DURATION", "180")),
            help="seconds of load",
        )
        parser.add_argument(
            "--spawn-rate",
            type=float,
            default=float(os.environ.get("LOADTEST_SPAWN_RATE", "5")),
            help="users started a second",
        )
        parser.add_argument(
            "--max-requests",
            type=int,
            default=int(os.environ.get("LOADTEST_MAX_REQUESTS", "0")),
            help="stop after this many requests (default: 40 per user and minute)",
        )
        parser.add_argument("--output", default=os.environ.get("LOADTEST_OUTPUT", "loadtest.json"))
        parser.add_argument("--workdir", default=os.environ.get("LOADTEST_WORKDIR", ".loadtest"))
        parser.add_argument("--no-faults", action="store_true")
        parser.add_argument(
            "--dataset",
            choices=driver.DATASETS,
            default=os.environ.get("LOADTEST_DATASET", "demo"),
            help="demo: fresh accounts beside the demo data; large: the people and customers "
            "of the seed_large dataset (run seed_large on the database first)",
        )

    def handle(self, *args, **options):
        from django.db import connection

        if connection.vendor != "postgresql":
            raise CommandError("The load test runs on PostgreSQL: set DATABASE_URL.")
        if options["dataset"] == "large":
            from crm_site.devtools import largedata

            if not largedata.already_generated():
                raise CommandError(
                    "--dataset large needs the seed_large data in DATABASE_URL's database: "
                    "run `manage.py seed_large` there first (once per database)."
                )
        result = driver.run(
            driver.Options(
                users=options["users"],
                duration=options["duration"],
                spawn_rate=options["spawn_rate"],
                max_requests=options["max_requests"],
                database_url=current_database_url(),
                workdir=Path(options["workdir"]).resolve(),
                output=Path(options["output"]).resolve(),
                faults=not options["no_faults"],
                dataset=options["dataset"],
            )
        )
        summary = {
            key: result.get(key)
            for key in (
                "passed", "lost", "duplicated", "unrouted", "requests", "per_second",
                "errors_outside_redis_window", "error_rate_inside_redis_window",
            )
        }  # fmt: skip
        self.stdout.write(json.dumps(summary, ensure_ascii=False))
        self.stdout.write(f"Written: {options['output']}")
        if not result.get("passed"):
            raise CommandError("The load test failed its checks (see the JSON file).")
