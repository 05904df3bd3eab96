"""Writes for monthly patrol summaries (keyword-only, one transaction).

Rules kept here:
- a build computes every figure and writes the row in ONE transaction per unit
  and month: killed half way, it leaves the previous complete summary (or
  none), never a mix; the row is locked so two builds of one month queue up;
- a build replaces figures only: status, commentary and review are people's
  and never touched; rebuilding with the same data gives the same figures in
  the same row (unique unit + month);
- when the month's daily reports, entries or contacts change after a build,
  the summary is marked stale with what changed; a rebuild clears it;
- status changes go through WORKFLOW (crm_site.core.workflow.transition):
  conditional UPDATEs (draft → submitted → reviewed), so a double click
  changes the status once and writes one history row.
"""

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Min, OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import Membership, User
from crm_site.accounts.selectors import unit_people
from crm_site.core import months
from crm_site.core.db import allow_long_statements
from crm_site.core.jobs import send_now, send_on_commit
from crm_site.core.services import notify_each
from crm_site.core.versioning import claim_version
from crm_site.core.workflow import Workflow, transition
from customers.models import Customer
from visits.models import DailyReport

from . import permissions, rollup
from .models import MonthlyPatrolSummary, RollupRequest, SummaryEvent

logger = logging.getLogger(__name__)

Summary = MonthlyPatrolSummary

# draft → submitted (the supervisor) → reviewed (a manager); builds never move it.
WORKFLOW = Workflow(
    states=Summary.Status.values,
    actions={
        "submit": ((Summary.Status.DRAFT,), Summary.Status.SUBMITTED, SummaryEvent.Kind.SUBMITTED),
        "review": (
            (Summary.Status.SUBMITTED,),
            Summary.Status.REVIEWED,
            SummaryEvent.Kind.REVIEWED,
        ),
    },
).bind(model=Summary, events=SummaryEvent, subject="summary")

HEADLINE = (
    "customers",
    "visits_done",
    "calls_done",
    "visits_percent",
    "calls_percent",
    "compliance_percent",
    "customers_behind",
    "opinions_count",
    "market_count",
    "urgent_raised",
    "urgent_resolved",
    "urgent_open",
    "complaints_received",
    "complaints_resolved",
    "complaints_on_time",
)
SECTIONS = ("activity", "compliance", "behind", "opinions", "market", "urgent", "complaints")
FIGURE_FIELDS = (*HEADLINE, *SECTIONS, "as_of", "source", "source_fingerprint", "figures_digest")
BUILD_FIELDS = (
    *FIGURE_FIELDS,
    "built_at",
    "build_count",
    "stale",
    "stale_since",
    "stale_changes",
    "updated_at",
)
LOCK_FIELDS = ("unit_id", "month", "figures_digest", "build_count", *HEADLINE)
REQUEST_RESEND_AFTER_SECONDS = 120
RECONCILE_MONTHS = 12


@dataclass(frozen=True)
class BuildResult:
    summary: MonthlyPatrolSummary
    created: bool
    changed: bool  # the figures differ from the previous build's


def headline(summary: MonthlyPatrolSummary) -> dict:
    return {key: getattr(summary, key) for key in HEADLINE}


# --- building --------------------------------------------------------------------


def summary_build(
    *, unit_id: int, month: date, requested_by: User | None = None, today: date | None = None
) -> BuildResult:
    """Compute and store the summary of `unit_id` for `month` (idempotent).

    The month in progress is built up to `today`; a closed month in full.
    """
    return _build_units(unit_ids=[unit_id], month=month, requested_by=requested_by, today=today)[0]


def summaries_build(
    *, unit_ids: list[int], month: date, today: date | None = None
) -> list[BuildResult]:
    """Build `month` for every unit of `unit_ids`: the figures of all of them by a
    handful of set-based queries (rollup.compute_many), written in one
    transaction. The monthly fan-out sends groups of units here, one task each.

    Results come back in the order of `unit_ids`.
    """
    unit_ids = list(dict.fromkeys(unit_ids))
    return _build_units(unit_ids=unit_ids, month=month, today=today)


def _build_units(
    *,
    unit_ids: list[int],
    month: date,
    requested_by: User | None = None,
    today: date | None = None,
) -> list[BuildResult]:
    """The build itself (summary_build, summaries_build): lock the units' rows of
    the month, compute every figure of every unit, write them, all in ONE
    transaction (killed half way, nothing of it is kept)."""
    month = months.first_of(month)
    started = timezone.now()
    today = today or timezone.localdate(started)
    if month > months.first_of(today):
        raise ValidationError(_("A month that has not begun yet cannot be summarised."))
    results = []
    with transaction.atomic():
        allow_long_statements()  # all units of a month in one set-based pass
        # Lock the rows, in unit order (two builds of one month queue up and never
        # deadlock); the big sections are not read, only replaced.
        locked = {
            s.unit_id: s
            for s in Summary.objects.select_for_update()
            .only(*LOCK_FIELDS)
            .filter(unit_id__in=unit_ids, month=month)
            .order_by("unit_id")
        }
        all_figures = rollup.compute_many(unit_ids=unit_ids, month=month, today=today, now=started)
        events = []
        for unit_id in unit_ids:
            figures = all_figures[unit_id]
            closed = figures.pop("closed")
            values = {key: figures[key] for key in FIGURE_FIELDS}
            summary, created = locked.get(unit_id), False
            if summary is None:
                summary, created = _insert(unit_id, month, values, started)
            before = None if created else (summary.figures_digest, headline(summary))
            if not created:
                _overwrite(summary, values, started)
            changed = before is None or before[0] != summary.figures_digest
            events.append(
                SummaryEvent(
                    summary=summary,
                    actor=requested_by,
                    kind=SummaryEvent.Kind.BUILT if created else SummaryEvent.Kind.REBUILT,
                    data={
                        "changed": changed,
                        "requested": requested_by is not None,
                        "before": before[1] if before else None,
                        "after": headline(summary),
                    },
                )
            )
            results.append((BuildResult(summary=summary, created=created, changed=changed), closed))
        SummaryEvent.objects.bulk_create(events)
        RollupRequest.objects.pending().filter(
            unit_id__in=unit_ids, month=month, requested_at__lte=started
        ).update(
            done_at=timezone.now(),
            summary_id=Subquery(
                Summary.objects.filter(unit_id=OuterRef("unit_id"), month=month).values("pk")[:1]
            ),
        )
        for result, closed in results:
            # An automatic rebuild of a closed month with unchanged figures: the
            # build that made them saw the month closed too (the digest holds it)
            # and told the supervisors (the notification's dedupe key is the digest).
            if requested_by is not None or (closed and result.changed):
                _notify_built(result.summary)
    for result, _closed in results:
        logger.info(
            "monthly summary built",
            extra={
                "unit_id": result.summary.unit_id,
                "month": month.isoformat(),
                "summary_id": result.summary.pk,
            },
        )
    return [result for result, _closed in results]


def _db_values(values: dict) -> tuple[dict, list[str]]:
    """Values ready to write: lists the database built as JSON text are written as
    that text (no Python round trip); returns them and the names of those fields."""
    written, raw = {}, []
    for key, value in values.items():
        if isinstance(value, rollup.JsonList):
            raw.append(key)
            value = value.text  # reports.models.JSONTextField stores text as it is
        written[key] = value
    return written, raw


def _forget(summary: MonthlyPatrolSummary, fields: list[str]) -> None:
    # The instance holds these lists as JSON text: drop them, so reading one
    # loads (and parses) the stored list.
    for name in fields:
        summary.__dict__.pop(name, None)


def _insert(unit_id, month, values, built_at) -> tuple[MonthlyPatrolSummary, bool]:
    values, raw = _db_values(values)
    try:
        with transaction.atomic():
            summary = Summary.objects.create(
                unit_id=unit_id, month=month, built_at=built_at, **values
            )
            _forget(summary, raw)
            return summary, True
    except IntegrityError:
        # A concurrent build inserted the row first; ours overwrites it (same figures).
        locked = Summary.objects.select_for_update().only(*LOCK_FIELDS)
        return locked.get(unit_id=unit_id, month=month), False


def _overwrite(summary: MonthlyPatrolSummary, values: dict, built_at: datetime) -> None:
    values, raw = _db_values(values)
    for key, value in values.items():
        setattr(summary, key, value)
    summary.built_at = built_at
    summary.build_count += 1
    summary.stale, summary.stale_since, summary.stale_changes = False, None, {}
    # update_fields: the commentary, review and status columns are never written here.
    summary.save(update_fields=BUILD_FIELDS)
    _forget(summary, raw)


def _notify_built(summary: MonthlyPatrolSummary) -> None:
    """Tell the unit's supervisors; once per distinct set of figures (dedupe key)."""

    def text():
        title = _("Monthly patrol summary %(month)s of %(unit)s is ready") % {
            "month": summary.month_label,
            "unit": summary.unit.name,
        }
        body = _(
            "Compliance %(percent)s; %(behind)s customers not visited or called as "
            "required; %(opinions)s opinions and %(market)s market reports collected."
        ) % {
            "percent": _percent(summary.compliance_percent),
            "behind": summary.customers_behind,
            "opinions": summary.opinions_count,
            "market": summary.market_count,
        }
        return title, body

    notify_each(
        unit_people(summary.unit_id, Membership.Kind.SUPERVISOR),
        kind="reports.summary_built",
        text=text,
        url=summary.get_absolute_url(),
        dedupe_key=f"reports:built:{summary.pk}:{summary.figures_digest}",
    )


def _percent(value) -> str:
    return "—" if value is None else f"{value}%"


# --- asking for a build ---------------------------------------------------------


def summary_request_build(*, unit_id: int, month: date, actor: User) -> RollupRequest:
    """Record that `actor` wants the unit's month (re)built, and send the task on commit.

    A second click while a request is pending finds the first.
    """
    from . import tasks

    if not permissions.can_build(actor, unit_id):
        raise PermissionDenied
    month = months.first_of(month)
    if month > months.first_of(timezone.localdate()):
        raise ValidationError(_("A month that has not begun yet cannot be summarised."))
    with transaction.atomic():
        request = RollupRequest.objects.pending().filter(unit_id=unit_id, month=month).first()
        if request is None:
            try:
                with transaction.atomic():
                    request = RollupRequest.objects.create(
                        unit_id=unit_id, month=month, requested_by=actor, sent_at=timezone.now()
                    )
            except IntegrityError:
                request = RollupRequest.objects.pending().get(unit_id=unit_id, month=month)
            summary = Summary.objects.filter(unit_id=unit_id, month=month).first()
            if summary is not None:
                SummaryEvent.objects.create(
                    summary=summary, actor=actor, kind=SummaryEvent.Kind.REBUILD_REQUESTED
                )
        send_on_commit(tasks.rollup_unit_month, unit_id, month.isoformat(), request.pk)
    return request


def rollup_request_run(*, request_id: int) -> BuildResult | None:
    """Build what a request asks for, unless an earlier delivery already did."""
    request = RollupRequest.objects.select_related("requested_by").filter(pk=request_id).first()
    if request is None or request.done_at is not None:
        return None
    return summary_build(
        unit_id=request.unit_id, month=request.month, requested_by=request.requested_by
    )


def rollup_requests_sweep(*, now: datetime | None = None) -> int:
    """Send again the requests still pending after a while (broker down, worker killed)."""
    from . import tasks

    now = now or timezone.now()
    cutoff = now - timedelta(seconds=REQUEST_RESEND_AFTER_SECONDS)
    sent = 0
    for request in RollupRequest.objects.pending().filter(sent_at__lt=cutoff):
        # Claim: only one sweeper run re-sends a given request at a time.
        if RollupRequest.objects.filter(pk=request.pk, sent_at=request.sent_at).update(sent_at=now):
            sent += send_now(
                tasks.rollup_unit_month, request.unit_id, request.month.isoformat(), request.pk
            )
    return sent


# --- staleness ----------------------------------------------------------------------


def summary_check_stale(*, summary: MonthlyPatrolSummary) -> bool:
    """Compare the month's source data with the build's; mark the summary stale if it
    changed. Returns whether the summary is stale now."""
    w = rollup.window(summary.month, today=timezone.localdate())
    state = rollup.source_state(summary.unit_id, w)
    if rollup.fingerprint(state) == summary.source_fingerprint:
        return summary.stale
    diff = rollup.changes(summary.source, state)
    now = timezone.now()
    with transaction.atomic():
        became_stale = Summary.objects.filter(
            pk=summary.pk, source_fingerprint=summary.source_fingerprint, stale=False
        ).update(stale=True, stale_since=now, stale_changes=diff, updated_at=now)
        if became_stale:
            SummaryEvent.objects.create(summary=summary, kind=SummaryEvent.Kind.STALE, data=diff)
        else:
            Summary.objects.filter(
                pk=summary.pk, source_fingerprint=summary.source_fingerprint
            ).update(stale_changes=diff)
    summary.refresh_from_db()
    return summary.stale


# --- the supervisor's and the manager's words ---------------------------------------


def _check_text(text: str, field: str) -> str:
    text = (text or "").strip()
    if len(text) > 10_000:
        raise ValidationError({field: _("At most 10,000 characters.")})
    return text


@transaction.atomic
def summary_save_commentary(
    *, summary: MonthlyPatrolSummary, actor: User, commentary: str, version: int | None = None
) -> MonthlyPatrolSummary:
    """The supervisor's commentary on a draft. `version`: the summary's version
    the form was loaded from; if another commentary was saved since, StaleEdit
    (an unchanged commentary, such as a double click's, is no conflict)."""
    summary = Summary.objects.select_for_update().get(pk=summary.pk)
    if not permissions.can_annotate(actor, summary):
        raise PermissionDenied
    commentary = _check_text(commentary, "commentary")
    if commentary != summary.commentary:
        claim_version(summary, version, history=summary.events)
        summary.commentary = commentary
        summary.save(update_fields=["commentary", "updated_at"])
        SummaryEvent.objects.create(summary=summary, actor=actor, kind=SummaryEvent.Kind.COMMENTED)
    return summary


def submit_problem(summary: MonthlyPatrolSummary, *, now: datetime | None = None) -> str | None:
    """Why the summary cannot be submitted yet, or None."""
    now = now or timezone.now()
    if summary.status != Summary.Status.DRAFT:
        return _("This summary has already been submitted.")
    if now < rollup.final_after(summary.month):
        return _("The month is not over yet: submit the summary once it has closed.")
    if not rollup.is_final(summary):
        return _("The summary was built before the month closed: rebuild it first.")
    if summary.stale:
        return _("Daily reports changed since the summary was built: rebuild it first.")
    if not summary.commentary.strip():
        return _("Write your commentary before submitting.")
    return None


def summary_submit(
    *,
    summary: MonthlyPatrolSummary,
    actor: User,
    commentary: str | None = None,
    version: int | None = None,
) -> bool:
    """Draft → submitted (with the commentary, if given: `version` as in
    summary_save_commentary); the unit's managers are told."""
    if commentary is not None:
        summary = summary_save_commentary(
            summary=summary, actor=actor, commentary=commentary, version=version
        )
    summary_check_stale(summary=summary)
    with transaction.atomic():
        summary = Summary.objects.select_for_update().get(pk=summary.pk)
        if not permissions.can_annotate(actor, summary):
            if summary.status != Summary.Status.DRAFT:
                return False  # a double click: the first one submitted it
            raise PermissionDenied
        problem = submit_problem(summary)
        if problem:
            raise ValidationError(problem)
        now = timezone.now()
        transition(
            summary,
            "submit",
            actor=actor,
            workflow=WORKFLOW,
            submitted_by=actor,
            submitted_at=now,
            updated_at=now,
        )
        notify_each(
            unit_people(summary.unit_id, Membership.Kind.MANAGER),
            kind="reports.summary_submitted",
            text=lambda: (
                _("Monthly patrol summary %(month)s of %(unit)s submitted for review")
                % {"month": summary.month_label, "unit": summary.unit.name},
                _("Submitted by %(name)s.") % {"name": actor.get_full_name()},
            ),
            url=summary.get_absolute_url(),
            dedupe_key=f"reports:submitted:{summary.pk}",
            email=True,
        )
    return True


def summary_review(*, summary: MonthlyPatrolSummary, actor: User, comment: str = "") -> bool:
    """Submitted → reviewed with the manager's comment; the supervisor is told."""
    comment = _check_text(comment, "review_comment")
    with transaction.atomic():
        summary = Summary.objects.select_for_update().get(pk=summary.pk)
        if not permissions.can_review(actor, summary):
            if summary.status == Summary.Status.REVIEWED:
                return False
            raise PermissionDenied
        now = timezone.now()
        transition(
            summary,
            "review",
            actor=actor,
            workflow=WORKFLOW,
            review_comment=comment,
            reviewed_by=actor,
            reviewed_at=now,
            updated_at=now,
        )
        recipients = [summary.submitted_by] if summary.submitted_by else []
        recipients = recipients or list(unit_people(summary.unit_id, Membership.Kind.SUPERVISOR))

        def text():
            title = _("Monthly patrol summary %(month)s of %(unit)s reviewed") % {
                "month": summary.month_label,
                "unit": summary.unit.name,
            }
            body = _("Reviewed by %(name)s.") % {"name": actor.get_full_name()}
            if comment:
                body += "\n" + comment
            return title, body

        notify_each(
            recipients,
            kind="reports.summary_reviewed",
            text=text,
            url=summary.get_absolute_url(),
            dedupe_key=f"reports:reviewed:{summary.pk}",
            email=True,
        )
    return True


# --- schedules: the closed month, and the daily reconciliation -------------------


def unit_start(unit_id: int) -> date | None:
    """The first day the unit had customers or daily reports (None: nothing yet)."""
    first_customer = Customer.objects.filter(unit_id=unit_id).aggregate(at=Min("created_at"))["at"]
    first_report = DailyReport.objects.filter(unit_id=unit_id).aggregate(day=Min("date"))["day"]
    days = [d for d in (first_report, first_customer and timezone.localdate(first_customer)) if d]
    return min(days) if days else None


def unit_reconcile(*, unit_id: int, today: date | None = None) -> dict:
    """For one unit: build every missing closed month of the last twelve (or one built
    before its month closed), rebuild drafts whose data changed, mark submitted ones
    stale, and refresh the month in progress. Never relies on one beat firing."""
    today = today or timezone.localdate()
    start = unit_start(unit_id)
    done: dict[str, list] = {"built": [], "rebuilt": [], "stale": []}
    if start is None:
        return done
    existing = {
        s.month: s
        for s in Summary.objects.filter(
            unit_id=unit_id, month__gte=months.shift(months.first_of(today), -RECONCILE_MONTHS)
        )
    }
    for month in sorted(months.closed_months(today, RECONCILE_MONTHS)):
        if months.last_day(month) < start:
            continue
        summary = existing.get(month)
        if summary is None or not rollup.is_final(summary):
            summary_build(unit_id=unit_id, month=month, today=today)
            done["built"].append(month.isoformat())
        elif summary_check_stale(summary=summary) and summary.status == Summary.Status.DRAFT:
            summary_build(unit_id=unit_id, month=month, today=today)
            done["rebuilt"].append(month.isoformat())
        elif summary.stale:
            done["stale"].append(month.isoformat())
    current = months.first_of(today)
    summary_build(unit_id=unit_id, month=current, today=today)
    done["rebuilt" if current in existing else "built"].append(current.isoformat())
    return done
