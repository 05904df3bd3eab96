"""`python manage.py api_key create --user USER [--read-only] [--expires DAYS] [--name NAME]`:
prints a new API key once, as its last line. `api_key revoke PREFIX` revokes one."""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from crm_site.api import services
from crm_site.api.models import ApiKey


class Command(BaseCommand):
    help = "Create (or revoke) an API key for a user."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="Create a key; it is printed once, last.")
        create.add_argument("--user", required=True)
        create.add_argument("--read-only", action="store_true")
        create.add_argument("--expires", type=int, default=None, metavar="DAYS")
        create.add_argument("--name", default="command line")
        revoke = sub.add_parser("revoke", help="Revoke a key by its prefix.")
        revoke.add_argument("prefix")

    def handle(self, *args, **options):
        if options["action"] == "revoke":
            api_key = ApiKey.objects.filter(prefix=options["prefix"]).first()
            if api_key is None:
                raise CommandError(f"No API key starts with {options['prefix']!r}.")
            services.api_key_revoke(actor=api_key.user, api_key=api_key)
            self.stdout.write(f"Revoked {api_key.prefix} ({api_key.name}).")
            return
        user = get_user_model().objects.filter(username=options["user"]).first()
        if user is None:
            raise CommandError(f"No user {options['user']!r}.")
        try:
            api_key, key = services.api_key_create(
                actor=user,
                user=user,
                name=options["name"],
                read_only=options["read_only"],
                expires_in_days=options["expires"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        access = "read-only" if api_key.read_only else "read-write"
        expiry = api_key.expiry_date.isoformat() if api_key.expiry_date else "never"
        self.stdout.write(
            f"API key {api_key.prefix} for {user.get_username()} ({access}, expires {expiry}):"
        )
        self.stdout.write(key)
