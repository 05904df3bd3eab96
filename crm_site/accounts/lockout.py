"""Sign-in throttling: who is locked out, and from where.

Two counts, both over the cool-off window (django-axes' AccessAttempt rows):
an account is locked only at the address its failures come from
(AXES_FAILURE_LIMIT), so nobody can lock a colleague out from elsewhere; and an
address is throttled across every username it tries
(CRM_LOGIN_ADDRESS_FAILURE_LIMIT), which stops password spraying. The second
limit is far higher because a whole depot signs in from one NAT address.
"""

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_failure_limit
from django.conf import settings
from django.db.models import Sum


def client_address(request) -> str | None:
    """The client's address: REMOTE_ADDR, or behind CRM_TRUSTED_PROXY_COUNT proxies
    the entry that many places from the right of X-Forwarded-For, which the
    outermost trusted proxy appended and a client cannot forge."""
    proxies = settings.CRM_TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


class AccountAtAddressHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS is [[username, ip_address], ip_address]: the first
    set counts an account at an address, the second an address over all names."""

    def get_failures(self, request, credentials=None) -> int:
        # axes compares one number with AXES_FAILURE_LIMIT; the address count is
        # scaled so that it reaches that limit exactly at the address limit.
        account, address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        limit = get_failure_limit(request, credentials)
        return max(account, address * limit // settings.CRM_LOGIN_ADDRESS_FAILURE_LIMIT)

    def reset_user_attempts(self, request, credentials=None) -> int:
        # A successful sign-in clears that account's failures at that address,
        # not the address's: a sprayer holding one account cannot reset its count.
        account_attempts = self.filter_user_attempts(request, credentials)[0]
        count, _ = account_attempts.delete()
        return count
