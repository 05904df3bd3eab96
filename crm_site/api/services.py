"""Writes of the API itself: keys, tracking events, and the creates that add
waybills to what the pages' services record."""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Role, User
from crm_site.accounts.scope import active_role, is_at_least
from crm_site.core.services import audit
from customers.models import Outlet, Waybill
from customers.waybills import numbers
from customers.waybills.models import TrackingEvent

from .models import ApiKey, WebhookDelivery, WebhookEndpoint

MAX_KEY_DAYS = 3650


# --- API keys ------------------------------------------------------------------------


@transaction.atomic
def api_key_create(
    *,
    actor: User,
    user: User,
    name: str,
    read_only: bool = False,
    expires_in_days: int | None = None,
    request=None,
) -> tuple[ApiKey, str]:
    """A new key for `user` (made by them, or by an admin); returns the row and
    the key itself, which is shown once and never stored."""
    if actor.pk != user.pk and not is_at_least(actor, Role.ADMIN):
        raise PermissionDenied
    if active_role(user) is None:
        raise ValidationError(_("This user has no role and cannot use the API."))
    name = (name or "").strip()[:50]
    if not name:
        raise ValidationError({"name": _("Give the key a name (what uses it).")})
    expiry = None
    if expires_in_days is not None:
        if not 1 <= expires_in_days <= MAX_KEY_DAYS:
            raise ValidationError(
                {"expires": _("A key expires after 1 to %(max)d days.") % {"max": MAX_KEY_DAYS}}
            )
        expiry = timezone.now() + timedelta(days=expires_in_days)
    api_key, key = ApiKey.objects.create_key(
        user=user, name=name, read_only=read_only, expiry_date=expiry
    )
    audit(
        actor=actor,
        action="api_key.create",
        object_type="api.apikey",
        object_id=api_key.prefix,
        summary=f"{user.get_username()}: {name}",
        data={
            "user": user.get_username(),
            "prefix": api_key.prefix,
            "read_only": read_only,
            "expires": expiry.isoformat() if expiry else None,
        },
        request=request,
    )
    return api_key, key


@transaction.atomic
def api_key_revoke(*, actor: User, api_key: ApiKey, request=None) -> bool:
    """Revoke a key (for good); False if it already was. Its owner or an admin."""
    if api_key.user_id != actor.pk and not is_at_least(actor, Role.ADMIN):
        raise PermissionDenied
    changed = ApiKey.objects.filter(pk=api_key.pk, revoked=False).update(
        revoked=True, revoked_at=timezone.now()
    )
    if changed:
        audit(
            actor=actor,
            action="api_key.revoke",
            object_type="api.apikey",
            object_id=api_key.prefix,
            summary=f"{api_key.user.get_username()}: {api_key.name}",
            data={"prefix": api_key.prefix},
            request=request,
        )
    return bool(changed)


def api_key_audit_use(*, api_key: ApiKey, request) -> None:
    """Record that a key is in use (the authentication calls it once per window)."""
    audit(
        actor=api_key.user,
        action="api_key.use",
        object_type="api.apikey",
        object_id=api_key.prefix,
        summary=f"{api_key.name} {request.method} {request.path}"[:300],
        data={"prefix": api_key.prefix},
        request=request,
    )


# --- waybills ------------------------------------------------------------------------


def waybills_for(numbers_text: str) -> list[Waybill]:
    """The waybill rows of a typed list (ValidationError for a malformed one),
    created on first mention."""
    parsed = numbers.parse_list(numbers_text or "")
    existing = {w.number: w for w in Waybill.objects.filter(number__in=parsed)}
    for number in parsed:
        if number not in existing:
            existing[number], _created = Waybill.objects.get_or_create(number=number)
    return [existing[n] for n in parsed]


def attach_waybills(record, numbers_text: str, field: str = "waybills") -> None:
    if numbers_text and numbers_text.strip():
        getattr(record, field).add(*waybills_for(numbers_text))


@transaction.atomic
def complaint_log_with_waybills(*, actor: User, fields: dict, waybills: str):
    """Log a complaint (the page's service) and link the waybills it names, in
    one transaction; a malformed number refuses the whole complaint."""
    from complaints.services import complaint_log

    rows = waybills_for(waybills)
    complaint = complaint_log(actor=actor, **fields)
    if rows:
        complaint.waybills.add(*rows)
    return complaint


@transaction.atomic
def urgent_report_raise_with_waybills(*, actor: User, fields: dict, form_token, waybills: str):
    """Raise an urgent report (the page's service) and link its waybills, in one
    transaction."""
    from visits.urgent.services import urgent_report_raise

    rows = waybills_for(waybills)
    report, created = urgent_report_raise(
        actor=actor, source_entry=None, form_token=form_token, **fields
    )
    if rows and created:
        report.waybills.add(*rows)
    return report


@transaction.atomic
def tracking_event_record(
    *,
    actor: User,
    waybill_number: str,
    event_id: str,
    status: str,
    at,
    place: str = "",
    outlet_code: str = "",
) -> tuple[TrackingEvent, bool]:
    """Record a tracking event (idempotent by the sender's `event_id`): returns
    (event, created); a resent event returns the first one."""
    number = numbers.normalise(waybill_number)
    if not numbers.is_waybill(number):
        raise ValidationError({"waybill": _("Not a waybill number.")})
    event_id = (event_id or "").strip()
    if not event_id:
        raise ValidationError({"event_id": _("The event needs its id.")})
    first = TrackingEvent.objects.filter(event_id=event_id).select_related("waybill").first()
    if first is not None:
        if first.waybill.number != number:
            raise ValidationError(
                {"event_id": _("This event id was already used for another waybill.")}
            )
        return first, False
    outlet = None
    if outlet_code and outlet_code.strip():
        outlet = Outlet.objects.filter(code=outlet_code.strip()).first()
        if outlet is None:
            raise ValidationError({"outlet": _("No outlet has this code.")})
    waybill, _created = Waybill.objects.get_or_create(number=number)
    try:
        with transaction.atomic():
            event = TrackingEvent.objects.create(
                waybill=waybill,
                event_id=event_id,
                status=status.strip(),
                at=at,
                place=(place or "").strip(),
                outlet=outlet,
                recorded_by=actor,
            )
    except IntegrityError:
        # The same event sent twice at the same moment: the other one won.
        return TrackingEvent.objects.get(event_id=event_id), False
    return event, True


# --- webhooks ------------------------------------------------------------------------


@transaction.atomic
def webhook_replay(*, actor: User, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery's event again, as a new delivery (the log keeps both)."""
    if not is_at_least(actor, Role.ADMIN):
        raise PermissionDenied
    from . import webhooks

    copy = WebhookDelivery.objects.create(
        endpoint=delivery.endpoint,
        event=delivery.event,
        payload=delivery.payload,
        replay_of=delivery,
    )
    webhooks.send_soon(copy.pk)
    audit(
        actor=actor,
        action="webhook.replay",
        obj=delivery.endpoint,
        data={"delivery": str(delivery.pk)},
    )
    return copy


def webhook_endpoint_check(endpoint: WebhookEndpoint) -> None:
    from . import webhooks

    webhooks.check_url(endpoint.url)
