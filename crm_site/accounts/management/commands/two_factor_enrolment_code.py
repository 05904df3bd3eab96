"""Print a one-time two-factor enrolment code for an admin (the first admin has
no other admin to issue one in /admin/)."""

from django.core.management.base import BaseCommand, CommandError

from crm_site.accounts.models import User
from crm_site.accounts.services import two_factor_enrolment_code_issue


class Command(BaseCommand):
    help = "Issue a one-time code an admin enters to set up their first authenticator."

    def add_arguments(self, parser):
        parser.add_argument("username")

    def handle(self, *args, username, **options):
        try:
            user = User.objects.get(username=username)
        except User.DoesNotExist as exc:
            raise CommandError(f"No user {username!r}.") from exc
        code = two_factor_enrolment_code_issue(user=user, actor=None)
        self.stdout.write(f"Enrolment code for {username}: {code}")
