"""Writes of the customer voice: surveys and the customer watch.

Each write takes the acting user, records a history row on the customer card
(CustomerChange, kind "voice") in the same transaction, and is idempotent on
the form's token: a resent POST finds the row it created.
"""

import uuid
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from crm_site.accounts.models import Membership, User
from crm_site.accounts.selectors import unit_people
from crm_site.core.idempotency import first_by_token
from crm_site.core.services import in_language_of, notify
from customers.models import Customer, CustomerChange
from customers.voice import permissions as voice_permissions
from customers.voice.models import (
    RISKY_CODES,
    SURVEY_FIELDS,
    WATCH_CODES,
    WATCH_ITEMS,
    CustomerWatch,
    EnterpriseSurvey,
    ServiceSurvey,
)

SURVEY_FORM_FIELDS = (*SURVEY_FIELDS, "surveyed_on", "respondent", "note")


def _history(obj, actor: User, record: str, **summary) -> None:
    """The history row, on its customer's card, of a voice record `obj`."""
    CustomerChange.objects.create(
        customer_id=obj.customer_id,
        actor=actor,
        kind=CustomerChange.Kind.VOICE,
        changes={"record": record, "id": obj.pk, **summary},
    )


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("The date cannot be in the future.")})


@transaction.atomic
def service_survey_create(
    *,
    customer: Customer,
    actor: User,
    fields: dict,
    form_token: uuid.UUID,
    visit=None,
) -> tuple[ServiceSurvey, bool]:
    """Record a service-level survey; returns (survey, created)."""
    existing = first_by_token(ServiceSurvey, form_token)
    if existing is not None:
        return existing, False
    _not_in_future(fields["surveyed_on"], "surveyed_on")
    if visit is not None and visit.customer_id != customer.pk:
        raise ValidationError(_("This visit was made to another customer."))
    survey = ServiceSurvey(
        customer=customer,
        unit_id=customer.unit_id,
        surveyed_by=actor,
        visit=visit,
        form_token=form_token,
        **{k: v for k, v in fields.items() if k in SURVEY_FORM_FIELDS},
    )
    survey.full_clean(exclude=["customer", "unit", "surveyed_by", "visit"])
    survey.save()
    _history(
        survey, actor, "service_survey", date=survey.surveyed_on.isoformat(), average=survey.average
    )
    return survey, True


@transaction.atomic
def enterprise_survey_create(
    *, customer: Customer, actor: User, visitor: User, fields: dict, form_token: uuid.UUID
) -> tuple[EnterpriseSurvey, bool]:
    """Record an enterprise customer service survey; returns (survey, created)."""
    existing = first_by_token(EnterpriseSurvey, form_token)
    if existing is not None:
        return existing, False
    _not_in_future(fields["visited_on"], "visited_on")
    if not (fields.get("opinions") or "").strip():
        raise ValidationError({"opinions": _("Write down the opinions the customer gave.")})
    survey = EnterpriseSurvey.objects.create(
        customer=customer,
        unit_id=customer.unit_id,
        visitor=visitor,
        created_by=actor,
        form_token=form_token,
        visited_on=fields["visited_on"],
        interviewee=fields.get("interviewee", ""),
        opinions=fields["opinions"].strip(),
        answers=fields.get("answers", ""),
        visitor_opinion=fields.get("visitor_opinion", ""),
    )
    _history(survey, actor, "enterprise_survey", date=survey.visited_on.isoformat())
    return survey, True


@transaction.atomic
def enterprise_survey_head_opinion(
    *, survey: EnterpriseSurvey, actor: User, opinion: str
) -> EnterpriseSurvey:
    """The department head's opinion: a supervisor of the survey's unit, or higher."""
    if not voice_permissions.may_give_head_opinion(actor, survey):
        raise PermissionDenied
    opinion = (opinion or "").strip()
    if not opinion:
        raise ValidationError({"head_opinion": _("Write the department head's opinion.")})
    survey = EnterpriseSurvey.objects.select_for_update().get(pk=survey.pk)
    if survey.head_opinion == opinion:
        return survey  # a resent form: nothing new
    survey.head_opinion = opinion
    survey.head_opinion_by = actor
    survey.head_opinion_at = timezone.now()
    survey.save(update_fields=["head_opinion", "head_opinion_by", "head_opinion_at"])
    _history(survey, actor, "enterprise_opinion", date=survey.visited_on.isoformat())
    return survey


def _clean_items(items: dict) -> dict:
    """Every item present, as {"changed": bool, "note": str}; a change needs a note."""
    labels = {code: label for code, _group, label, _risky in WATCH_ITEMS}
    clean, errors = {}, []
    for code in WATCH_CODES:
        given = items.get(code) or {}
        changed = bool(given.get("changed"))
        note = (given.get("note") or "").strip()
        if changed and not note:
            errors.append(
                _("Say what changed for “%(item)s”.") % {"item": labels[code]},
            )
        clean[code] = {"changed": changed, "note": note}
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def customer_watch_create(
    *,
    customer: Customer,
    actor: User,
    reported_on: date,
    items: dict,
    note: str = "",
    form_token: uuid.UUID,
) -> tuple[CustomerWatch, bool]:
    """Record a watch on the customer; a risky change notifies the unit's supervisors."""
    existing = first_by_token(CustomerWatch, form_token)
    if existing is not None:
        return existing, False
    _not_in_future(reported_on, "reported_on")
    clean = _clean_items(items)
    risky = [code for code in WATCH_CODES if code in RISKY_CODES and clean[code]["changed"]]
    watch = CustomerWatch.objects.create(
        customer=customer,
        unit_id=customer.unit_id,
        reported_on=reported_on,
        reported_by=actor,
        items=clean,
        changed_count=sum(1 for value in clean.values() if value["changed"]),
        risky_changes=risky,
        note=(note or "").strip(),
        form_token=form_token,
    )
    _history(
        watch,
        actor,
        "watch",
        date=reported_on.isoformat(),
        changed=watch.changed_count,
        risky=risky,
    )
    if risky:
        watch_alert_supervisors(watch=watch)
    return watch, True


def unit_supervisors(unit_id: int):
    return unit_people(unit_id, Membership.Kind.SUPERVISOR)


def watch_alert_supervisors(*, watch: CustomerWatch) -> int:
    """Tell each supervisor of the watch's unit (once: the dedupe key is the watch)."""
    labels = {code: label for code, _group, label, _risky in WATCH_ITEMS}
    customer = watch.customer
    url = reverse("customers:watch_detail", args=[customer.pk, watch.pk])
    sent = 0
    for supervisor in unit_supervisors(watch.unit_id):
        with in_language_of(supervisor):
            items = pgettext("list separator", ", ").join(
                str(labels[code]) for code in watch.risky_changes
            )
            title = _("Risk signal at %(customer)s") % {"customer": customer.name}
            body = _("%(person)s recorded on %(date)s: %(items)s.") % {
                "person": watch.reported_by.get_full_name(),
                "date": watch.reported_on.isoformat(),
                "items": items,
            }
        made = notify(
            recipient=supervisor,
            kind="customers.watch_risk",
            title=title,
            body=body,
            url=url,
            dedupe_key=f"customer-watch:{watch.pk}",
            email=True,
        )
        sent += made is not None
    return sent
