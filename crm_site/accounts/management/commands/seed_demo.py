from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo data provides `<module>.seed(out)`; order matters
# (customers need users, reports need customers, ...). Every seeder is
# idempotent: running the command twice gives the same rows.
SEEDERS = [
    "crm_site.accounts.demo",
    "customers.demo",
    "customers.demo_voice",
    "customers.demo_development",
    "visits.demo",
    "complaints.demo",
    "reports.demo",
    "reports.demo_voice",
]


class Command(BaseCommand):
    help = "Create or refresh the demo data (idempotent) and print the demo accounts."

    def handle(self, *args, **options):
        with transaction.atomic():
            for name in SEEDERS:
                try:
                    module = import_module(name)
                except ModuleNotFoundError as exc:
                    if exc.name != name:
                        raise
                    continue
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
