import time

from django.core.management.base import BaseCommand, CommandError

from crm_site.devtools import largedata


class Command(BaseCommand):
    help = (
        "Generate the DESIGN.md-scale dataset (100,000 customers, 1,000 users, 50 units, "
        "~1.5 million daily-report entries, then 200,000 complaints with 600,000 waybill links "
        "and 36 months of turnover for every customer with monthly targets). Refuses to run "
        "twice on the same database; --add-complaints and --add-turnover add the complaints "
        "or the turnover to a dataset generated before they were part of it."
    )

    def add_arguments(self, parser):
        plan = largedata.Plan()
        parser.add_argument("--customers", type=int, default=plan.customers)
        parser.add_argument("--users", type=int, default=plan.users)
        parser.add_argument("--units", type=int, default=plan.units)
        parser.add_argument("--months", type=int, default=plan.months)
        parser.add_argument("--entries-per-month", type=int, default=plan.entries_per_month)
        parser.add_argument("--heavy-factor", type=int, default=plan.heavy_factor)
        parser.add_argument("--complaints", type=int, default=plan.complaints)
        parser.add_argument("--quick", action="store_true", help="a few thousand rows, for tests")
        parser.add_argument(
            "--add-complaints",
            action="store_true",
            help=(
                f"on a generated dataset, add {plan.scale_complaints:,} complaints with "
                f"{plan.waybill_links:,} waybill links if they are missing (the full run adds them)"
            ),
        )

        parser.add_argument(
            "--add-turnover",
            action="store_true",
            help=(
                f"on a generated dataset without turnover, add {plan.turnover_months} months of "
                "turnover for every customer and monthly targets (the full run adds them)"
            ),
        )

    def handle(self, *args, **options):
        if options["add_complaints"]:
            return self.add_complaints(options)
        if options["add_turnover"]:
            return self.add_turnover(options)
        if largedata.already_generated():
            raise CommandError(
                "This database already holds the generated dataset (unit L01 exists); "
                "seed_large runs once per database. Use a fresh database to generate it again."
            )
        if options["quick"]:
            plan = largedata.Plan.quick()
        else:
            plan = largedata.Plan(
                customers=options["customers"],
                users=options["users"],
                units=options["units"],
                months=options["months"],
                entries_per_month=options["entries_per_month"],
                heavy_factor=options["heavy_factor"],
                complaints=options["complaints"],
            )
        started = time.monotonic()
        self.stdout.write(
            f"Generating {plan.customers:,} customers, {plan.users:,} users, {plan.units} units, "
            f"~{plan.total_entries:,} daily-report entries …"
        )
        last = {}

        def progress(label, done, total):
            pct = int(100 * done / total) if total else 100
            if last.get(label) != pct // 5:
                last[label] = pct // 5
                bar = "#" * (pct // 5) + "." * (20 - pct // 5)
                self.stdout.write(f"  {label:<10} [{bar}] {pct:3d}%  {done:,}/{total:,}")

        gen = largedata.Generator(plan, progress=progress).run()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.0f}s: {gen.entry_count:,} entries, "
                f"{gen.turnover_rows:,} turnover rows; "
                f"largest unit L01 (supervisor l01_sup, password crm-demo-2026)."
            )
        )

    def add_complaints(self, options):
        if not largedata.already_generated():
            raise CommandError("No generated dataset here: run seed_large first.")
        if largedata.complaints_at_scale_added():
            self.stdout.write("The complaints at scale are there already; nothing to do.")
            return
        plan = largedata.Plan.quick() if options["quick"] else largedata.Plan()
        started = time.monotonic()
        self.stdout.write(
            f"Adding {plan.scale_complaints:,} complaints with {plan.waybill_links:,} waybills …"
        )
        largedata.Generator(
            plan,
            progress=lambda label, done, total: self.stdout.write(f"  {label} {done:,}/{total:,}"),
        ).add_complaints_at_scale()
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.0f}s."))

    def add_turnover(self, options):
        if not largedata.already_generated():
            raise CommandError("No generated dataset here: run seed_large first.")
        if largedata.turnover_added():
            raise CommandError(
                "The generated customers have their turnover already; --add-turnover runs once "
                "per database."
            )
        plan = largedata.Plan.quick() if options["quick"] else largedata.Plan()
        started = time.monotonic()
        self.stdout.write(f"Adding {plan.turnover_months} months of turnover per customer …")
        gen = largedata.Generator(
            plan,
            progress=lambda label, done, total: self.stdout.write(f"  {label} {done:,}/{total:,}"),
        ).add_turnover()
        self.stdout.write(
            self.style.SUCCESS(
                f"Done in {time.monotonic() - started:.0f}s: {gen.turnover_rows:,} turnover rows."
            )
        )
