"""python manage.py rollup_month YYYY-MM [--unit CODE] [--jobs N]: build or rebuild now (idempotent)."""

import time
from concurrent.futures import ThreadPoolExecutor

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit
from crm_site.core import months
from reports import services


class Command(BaseCommand):
    help = "Build or rebuild the monthly patrol summaries of a month now, synchronously."

    def add_arguments(self, parser):
        parser.add_argument("month", help="the month, YYYY-MM")
        parser.add_argument("--unit", help="only this unit (its code)")
        parser.add_argument(
            "--jobs",
            type=int,
            default=1,
            help="units built at once, each on its own database connection (default 1)",
        )

    def handle(self, *args, month, unit=None, jobs=1, **options):
        first = months.parse(month)
        if first is None:
            raise CommandError(f"Not a month: {month!r} (expected YYYY-MM).")
        if first > months.first_of(timezone.localdate()):
            raise CommandError(f"{first:%Y-%m} has not begun yet.")
        units = ServiceUnit.objects.filter(is_active=True).order_by("code")
        if unit:
            units = ServiceUnit.objects.filter(code=unit)
            if not units.exists():
                raise CommandError(f"No service unit with code {unit!r}.")
        units = list(units)
        started = time.monotonic()
        try:
            results = build_in_groups([one.pk for one in units], first, jobs)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for one, result in zip(units, results, strict=True):
            s = result.summary
            percent = "—" if s.compliance_percent is None else f"{s.compliance_percent}%"
            self.stdout.write(
                f"{'built' if result.created else 'rebuilt'} {first:%Y-%m} {one.code} "
                f"({one.name}): summary #{s.pk}, {s.customers} customers, compliance {percent}, "
                f"{s.customers_behind} behind, {s.activity.get('entries', 0)} entries, "
                f"{s.opinions_count} opinions, {s.market_count} market reports, "
                f"urgent {s.urgent_raised}/{s.urgent_resolved}/{s.urgent_open}, "
                f"complaints {s.complaints_received}/{s.complaints_resolved}"
                f"/{s.complaints_on_time}{'' if result.changed else ' (unchanged)'}"
            )
        self.stdout.write(f"{len(results)} unit(s) in {time.monotonic() - started:.2f}s")


def build_in_groups(unit_ids: list[int], month, jobs: int) -> list:
    """services.summaries_build over `jobs` groups of the units, built side by
    side, each in its own thread, database connection and transaction (as the
    monthly fan-out's tasks are on the workers). Results in the order of
    `unit_ids`; the first failure is raised after the other groups finished."""
    # SQLite serialises writers: one group there.
    if jobs <= 1 or len(unit_ids) <= 1 or connection.vendor != "postgresql":
        return services.summaries_build(unit_ids=unit_ids, month=month)
    # Interleaved, so that each group gets its share of the large units.
    chunks = [unit_ids[i::jobs] for i in range(jobs)]

    def build(chunk: list[int]) -> list:
        try:
            return services.summaries_build(unit_ids=chunk, month=month)
        finally:
            connections.close_all()  # this thread's connections

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(build, chunk) for chunk in chunks if chunk]
    by_unit = {r.summary.unit_id: r for future in futures for r in future.result()}
    return [by_unit[u] for u in unit_ids]
