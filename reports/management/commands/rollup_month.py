"""python manage.py rollup_month YYYY-MM [--unit CODE]: build or rebuild now (idempotent)."""

import time

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from crm_site.accounts.models import ServiceUnit
from reports import months, services


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
            results = services.summaries_build(
                unit_ids=[one.pk for one in units], month=first, jobs=max(1, jobs)
            )
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
