from importlib import import_module

from django.core.management.base import BaseCommand
from django.db import transaction

# Each app that has demo data provides `<module>.seed(out)`; order matters
# (customers need users, reports need customers, ...). Every seeder is
# idempotent: running the command twice gives the same rows.
SEEDERS = [
    "crm_site.devtools.demo.accounts",
    "crm_site.devtools.demo.customers",
    "crm_site.devtools.demo.revenue",
    "crm_site.devtools.demo.customer_voice",
    "crm_site.devtools.demo.prospects",
    "crm_site.devtools.demo.visits",
    "crm_site.devtools.demo.complaints",
    "crm_site.devtools.demo.waybills",
    "crm_site.devtools.demo.outlets",
    "crm_site.devtools.demo.claims",
    "crm_site.devtools.demo.reports",
    "crm_site.devtools.demo.reviews",
    "crm_site.devtools.demo.plans",
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
