"""Grading rule versions, their preview, and the background regrade of all customers."""

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models import Case, Count, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.accounts.models import User
from crm_site.core.jobs import send_now, send_on_commit
from crm_site.core.services import audit, in_language_of, notify
from crm_site.core.versioning import LastChange, StaleEdit

from .. import display, grading
from ..models import Customer, GradeChange, GradingRule, RegradeRun

# Customers graded per transaction: each batch locks its rows briefly, so
# edits made while a regrade runs are neither lost nor overwritten.
BATCH_SIZE = 1000
# A running regrade touches progress_at after every batch; one silent for this
# long was killed (deploy, OOM) and may be claimed again.
STALE_AFTER = timedelta(minutes=15)
# The sweeper leaves a fresh run to the message sent when it was saved.
SWEEP_GRACE = timedelta(minutes=2)


def canonical(definition: dict) -> dict:
    """The definition as grading.Rule reads it (sorted, typed): what gets stored."""
    return grading.Rule.from_definition(definition).to_definition()


def definition_digest(definition: dict) -> str:
    """A short fingerprint of a definition: the preview the admin saw must match what is saved."""
    import hashlib

    text = json.dumps(canonical(definition), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass
class RulePreview:
    total: int = 0
    pinned: int = 0
    moves: Counter = field(default_factory=Counter)  # (old, new) -> customers
    before: Counter = field(default_factory=Counter)  # grade -> customers now
    after: Counter = field(default_factory=Counter)  # grade -> customers under the rule

    @property
    def moved(self) -> int:
        return sum(self.moves.values())

    def sorted_moves(self) -> list[tuple[str, str, int]]:
        return sorted(((a, b, n) for (a, b), n in self.moves.items()), key=lambda m: (-m[2], m))


def grading_rule_preview(*, definition: dict) -> RulePreview:
    """How many customers a rule would move between which grades, in one query.

    Customers are grouped in SQL by what the grade depends on (revenue band,
    scale, trend, nature) and their current grade; the pure grading module then
    grades each group once. The groups number a few hundred whatever the book size.
    """
    rule = grading.Rule.from_definition(definition)
    band = Case(
        *[
            When(annual_revenue__gte=low, then=Value(i))
            for i, (low, _points) in enumerate(rule.revenue_bands)
        ],
        default=Value(-1),
        output_field=IntegerField(),
    )
    groups = (
        Customer.objects.annotate(band=band)
        .values("grade", "grade_pinned", "band", "scale", "trend", "nature")
        .annotate(n=Count("pk"))
        .order_by()
    )
    preview = RulePreview()
    for g in groups:
        n = g["n"]
        preview.total += n
        preview.before[g["grade"]] += n
        if g["grade_pinned"]:
            preview.pinned += n
            preview.after[g["grade"]] += n
            continue
        attributes = grading.Attributes(
            annual_revenue=rule.band_floor(g["band"]),
            scale=g["scale"],
            trend=g["trend"],
            nature=g["nature"],
        )
        new = grading.grade(attributes, rule).grade
        preview.after[new] += n
        if new != g["grade"]:
            preview.moves[(g["grade"], new)] += n
    return preview


@transaction.atomic
def grading_rule_save(
    *, actor: User, definition: dict, note: str = "", request=None, version: int | None = None
) -> RegradeRun:
    """Save `definition` as the next rule version and start regrading every customer.

    `version` is the version the editor was opened on: if someone saved a newer
    one since, StaleEdit (naming what they changed) and nothing is saved."""
    definition = canonical(definition)
    # Lock the newest version row so two admins saving at once get 5 and 6, not a clash.
    last = GradingRule.objects.select_for_update().order_by("-version").first()
    if version is not None and last is not None and last.version != version:
        raise StaleEdit(
            record=None,
            last=LastChange(actor=last.created_by, at=last.created_at),
            changes=_rule_changes(GradingRule.objects.filter(version=version).first(), last),
        )
    rule = GradingRule.objects.create(
        version=(last.version if last else 0) + 1,
        definition=definition,
        note=note.strip()[:200],
        created_by=actor,
    )
    audit(
        actor=actor,
        action="grading_rule.save",
        obj=rule,
        summary=f"v{rule.version} {rule.note}",
        data={
            "version": rule.version,
            "previous": last.version if last else None,
            "grades": [g["code"] for g in definition["grades"]],
        },
        request=request,
    )
    return regrade_run_start(rule=rule, actor=actor, reason=rule.note)


def _rule_changes(loaded: GradingRule | None, last: GradingRule) -> list[tuple[str, str]]:
    """(part, its value in `last`) for each part of the rule that differs from `loaded`."""
    before = loaded.definition if loaded else {}
    after = last.definition
    parts: list[tuple[str, str]] = []
    if before.get("grades") != after.get("grades"):
        parts.append(
            (
                _("Grades"),
                "、".join(f"{g['code']} ≥{g['min_points']}" for g in after.get("grades", [])),
            )
        )
    if before.get("revenue_bands") != after.get("revenue_bands"):
        parts.append(
            (
                _("Revenue bands"),
                "、".join(f"≥{b['min']}: {b['points']}" for b in after.get("revenue_bands", [])),
            )
        )
    for key in ("scale", "trend", "nature"):
        if before.get(key) != after.get(key):
            points = after.get(key, {})
            parts.append(
                (
                    str(display.CRITERIA[key]),
                    "、".join(
                        f"{label} {points.get(value, 0)}"
                        for value, label in display.CHOICES[key].choices
                    ),
                )
            )
    if last.note:
        parts.append((_("What changed and why"), last.note))
    return parts


def regrade_run_start(
    *, rule: GradingRule, actor: User | None = None, reason: str = "", key: str | None = None
) -> RegradeRun:
    """Record a pending regrade (the sweeper's safety net) and send it after commit."""
    from .. import tasks

    run = RegradeRun.objects.create(rule=rule, requested_by=actor, reason=reason[:200], key=key)
    send_on_commit(tasks.regrade_run_execute, run.pk)
    return run


def regrade_quarterly_start(*, today: date) -> RegradeRun | None:
    """The quarterly review regrade (大客户专员主要职责 3); once per quarter."""
    key = f"quarterly-{today.year}Q{(today.month - 1) // 3 + 1}"
    with transaction.atomic():
        if RegradeRun.objects.filter(key=key).exists():
            return None
        return regrade_run_start(
            rule=GradingRule.objects.current(),
            reason=_("Quarterly review %(quarter)s") % {"quarter": key.split("-", 1)[1]},
            key=key,
        )


def _claim(run_id: int, now) -> bool:
    """Take the run: pending, or running but silent (its worker died). 0 rows: not ours."""
    claimable = Q(state=RegradeRun.State.PENDING) | Q(
        state=RegradeRun.State.RUNNING, progress_at__lt=now - STALE_AFTER
    )
    return bool(
        RegradeRun.objects.filter(claimable, pk=run_id).update(
            state=RegradeRun.State.RUNNING, started_at=now, progress_at=now
        )
    )


def _regrade_batch(run: RegradeRun, rule: grading.Rule, after_pk: int) -> int | None:
    """Grade the next batch of customers by id; returns the last id, or None when done."""
    now = timezone.now()
    with transaction.atomic():
        batch = list(
            Customer.objects.select_for_update()
            .filter(pk__gt=after_pk)
            .order_by("pk")
            .only(
                "pk",
                "annual_revenue",
                "scale",
                "trend",
                "nature",
                "grade",
                "grade_pinned",
                "grade_points",
                "grade_breakdown",
                "grade_rule_id",
            )[:BATCH_SIZE]
        )
        if not batch:
            return None
        changed, moves = [], []
        for customer in batch:
            result = grading.grade(customer.attributes(), rule)
            new_grade = customer.grade if customer.grade_pinned else result.grade
            current = (
                customer.grade,
                customer.grade_points,
                customer.grade_breakdown,
                customer.grade_rule_id,
            )
            if current == (new_grade, result.points, result.breakdown, run.rule_id):
                continue
            if new_grade != customer.grade:
                moves.append(
                    GradeChange(
                        customer=customer,
                        old_grade=customer.grade,
                        new_grade=new_grade,
                        rule_id=run.rule_id,
                        run=run,
                        actor=run.requested_by,
                        source=GradeChange.Source.RULE,
                        reason=run.reason,
                        changes=_grade_changes(customer, result),
                    )
                )
            customer.grade = new_grade
            customer.grade_points = result.points
            customer.grade_breakdown = result.breakdown
            customer.grade_rule_id = run.rule_id
            customer.graded_at = now
            changed.append(customer)
        _save_grades(changed, run.rule_id, now)
        GradeChange.objects.bulk_create(moves)
        RegradeRun.objects.filter(pk=run.pk).update(progress_at=now)
    return batch[-1].pk


def _grade_changes(customer: Customer, result: grading.Result) -> dict:
    """Why a regrade moved the customer: its points and each criterion whose
    value changed since it was last graded, as [old, new]."""
    before = customer.grade_breakdown or {}
    changes: dict = {"points": [customer.grade_points, result.points]}
    for criterion, item in result.breakdown.items():
        old = (before.get(criterion) or {}).get("value")
        if old != item["value"]:
            changes[criterion] = [old, item["value"]]
    return changes


def _save_grades(customers: list[Customer], rule_id: int, now) -> None:
    """Write new grades of a batch: one UPDATE ... FROM (VALUES ...) on PostgreSQL.

    Django's bulk_update builds a CASE with a branch per row for every column,
    which grows with the square of the batch; joining a VALUES list stays linear.
    """
    if not customers:
        return
    if connection.vendor != "postgresql":
        Customer.objects.bulk_update(
            customers,
            ["grade", "grade_points", "grade_breakdown", "grade_rule", "graded_at"],
            batch_size=200,
        )
        return
    from psycopg2.extras import execute_values

    table = connection.ops.quote_name(Customer._meta.db_table)
    sql = (
        f"UPDATE {table} AS c SET grade = v.grade, grade_points = v.points, "
        "grade_breakdown = v.breakdown::jsonb, grade_rule_id = v.rule_id, "
        "graded_at = v.graded_at::timestamptz "
        "FROM (VALUES %s) AS v(id, grade, points, breakdown, rule_id, graded_at) "
        "WHERE c.id = v.id"
    )
    rows = [
        (c.pk, c.grade, c.grade_points, json.dumps(c.grade_breakdown), rule_id, now.isoformat())
        for c in customers
    ]
    with connection.cursor() as cursor:
        execute_values(cursor.cursor, sql, rows, page_size=1000)


def _summarise(run: RegradeRun, state: str) -> None:
    # Counted from the grade-change rows of this run, so a run resumed after a
    # crash still reports every customer it moved.
    moves = {
        f"{row['old_grade'] or '-'}→{row['new_grade']}": row["n"]
        for row in GradeChange.objects.filter(run=run)
        .values("old_grade", "new_grade")
        .annotate(n=Count("pk"))
        .order_by()
    }
    run.moves = moves
    run.customers_moved = sum(moves.values())
    run.customers_checked = Customer.objects.count()
    run.pinned_ids = list(Customer.objects.pinned().order_by("pk").values_list("pk", flat=True))
    run.state = state
    run.finished_at = timezone.now()
    run.save(
        update_fields=[
            "moves",
            "customers_moved",
            "customers_checked",
            "pinned_ids",
            "state",
            "finished_at",
        ]
    )


def regrade_run_execute(*, run_id: int) -> bool:
    """Regrade every customer under the run's rule; False if another run has it.

    Idempotent: the run is claimed by a conditional UPDATE, and a customer
    already graded under the rule is not written again, so a second run (or a
    redelivered message) moves nobody. Pinned customers keep their grade and
    are listed in the summary. A run whose rule was replaced before it started
    is superseded: the newer rule's run grades everyone.
    """
    if not _claim(run_id, timezone.now()):
        return False
    run = RegradeRun.objects.select_related("rule", "requested_by").get(pk=run_id)
    newest = GradingRule.objects.order_by("-version").values_list("pk", flat=True).first()
    if newest != run.rule_id:
        _summarise(run, RegradeRun.State.SUPERSEDED)
        return True
    rule = run.rule.as_rule()
    last_pk: int | None = 0
    while last_pk is not None:
        last_pk = _regrade_batch(run, rule, last_pk)
    _summarise(run, RegradeRun.State.DONE)
    _notify_done(run)
    return True


def _notify_done(run: RegradeRun) -> None:
    if run.requested_by is None:
        return
    with in_language_of(run.requested_by):
        notify(
            recipient=run.requested_by,
            kind="customers.regrade_done",
            title=_("Regrade under rule v%(version)s finished") % {"version": run.rule.version},
            body=_("%(checked)s customers checked, %(moved)s moved, %(pinned)s pinned kept.")
            % {
                "checked": run.customers_checked,
                "moved": run.customers_moved,
                "pinned": len(run.pinned_ids),
            },
            url=run.get_absolute_url(),
            dedupe_key=f"regrade-run:{run.pk}",
        )


def regrade_runs_sweep(*, now=None) -> int:
    """Send runs still pending (the broker was down when they were saved) or stalled."""
    from .. import tasks

    now = now or timezone.now()
    due = RegradeRun.objects.filter(
        Q(state=RegradeRun.State.PENDING, created_at__lt=now - SWEEP_GRACE)
        | Q(state=RegradeRun.State.RUNNING, progress_at__lt=now - STALE_AFTER)
    ).values_list("pk", flat=True)
    sent = 0
    for run_id in list(due):
        sent += send_now(tasks.regrade_run_execute, run_id)
    return sent
