"""Quarterly big-customer reviews (大客户专员主要职责): once a
quarter the unit checks the service of each of its top-grade customers.

The checklist items are the big-customer officer's duties (大客户专员主要职责) that can
be checked for one customer in one quarter. Quarters are represented by their
first day. Writes: `review_open` and `review_item_record` (one transaction,
audited).
"""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from crm_site.core.services import audit
from customers.models import Customer, GradingRule

from .models import BigCustomerReview, BigCustomerReviewItem

# (code, label): 大客户专员主要职责 2-7.
CHECKLIST = (
    ("file", gettext_lazy("Customer file complete and up to date")),
    ("revenue", gettext_lazy("Monthly and quarterly revenue reported")),
    ("needs", gettext_lazy("Changes in needs tracked and recorded")),
    ("contact", gettext_lazy("Visited; contact with key people kept")),
    ("service", gettext_lazy("Service checked; problems coordinated with departments")),
    ("plan", gettext_lazy("Personalised service plan proposed or updated")),
    ("projects", gettext_lazy("Major projects applied for and followed up")),
)
CHECK_CODES = tuple(code for code, _label in CHECKLIST)
FINDINGS_LIMIT = 5000


# --- quarters (pure) -------------------------------------------------------------


def quarter_of(day: date) -> date:
    return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)


def quarter_label(quarter: date) -> str:
    return f"{quarter.year}Q{(quarter.month - 1) // 3 + 1}"


def quarter_parse(value: str | None) -> date | None:
    """'2026Q4' (or '2026-Q4', '2026q4') -> date(2026, 10, 1); None otherwise."""
    text = (value or "").strip().upper().replace("-", "")
    if len(text) != 6 or text[4] != "Q" or not text[:4].isdigit() or text[5] not in "1234":
        return None
    year = int(text[:4])
    if year < 2000:
        return None
    return date(year, (int(text[5]) - 1) * 3 + 1, 1)


def quarter_end(quarter: date) -> date:
    """The first day of the next quarter."""
    month = quarter.month + 3
    return date(quarter.year + (month > 12), (month - 1) % 12 + 1, 1)


def recent_quarters(today: date, count: int = 8) -> list[date]:
    """The quarter of `today` and the `count - 1` before it, most recent first."""
    quarters, q = [], quarter_of(today)
    for _i in range(count):
        quarters.append(q)
        q = quarter_of(q - timedelta(days=1))
    return quarters


# --- reads -----------------------------------------------------------------------


def top_grade() -> str:
    """The code of the first grade of the rule in force ("A", or 核心 for a renamed rule)."""
    return GradingRule.objects.current().as_rule().grades[0].code


# --- writes ----------------------------------------------------------------------


@transaction.atomic
def review_open(*, unit, quarter: date, actor) -> tuple[BigCustomerReview, int]:
    """The unit's review for the quarter (created once), listing every current
    top-grade customer of the unit not listed yet. Returns (review, customers added)."""
    if quarter > quarter_of(timezone.localdate()):
        raise ValidationError(_("A quarter that has not begun yet cannot be reviewed."))
    review, created = BigCustomerReview.objects.get_or_create(
        unit=unit, quarter=quarter, defaults={"opened_by": actor}
    )
    grade = top_grade()
    customers = (
        Customer.objects.filter(unit=unit, grade=grade)
        .active()
        .exclude(big_customer_review_items__review=review)
        .values_list("pk", flat=True)
    )
    added = BigCustomerReviewItem.objects.bulk_create(
        [BigCustomerReviewItem(review=review, customer_id=pk, grade=grade) for pk in customers],
        ignore_conflicts=True,
    )
    if created or added:
        audit(
            actor=actor,
            action="reports.review_open",
            obj=review,
            summary=f"{unit.code} {quarter_label(quarter)}",
            data={"created": created, "customers_added": len(added)},
        )
    return review, len(added)


@transaction.atomic
def review_item_record(
    *, item: BigCustomerReviewItem, actor, checks: list[str], findings: str
) -> BigCustomerReviewItem:
    """Record the checklist and findings for one customer (who and when kept)."""
    unknown = set(checks) - set(CHECK_CODES)
    if unknown:
        raise ValidationError(_("Unknown checklist item."))
    findings = (findings or "").strip()
    if not checks and not findings:
        raise ValidationError(
            _("Tick the checklist items that were done, or write down the findings.")
        )
    item = BigCustomerReviewItem.objects.select_for_update().get(pk=item.pk)
    item.checks = [code for code in CHECK_CODES if code in checks]
    item.findings = findings
    item.reviewed_by = actor
    item.reviewed_at = timezone.now()
    item.save(update_fields=["checks", "findings", "reviewed_by", "reviewed_at"])
    BigCustomerReview.objects.filter(pk=item.review_id).update(updated_at=item.reviewed_at)
    audit(
        actor=actor,
        action="reports.review_record",
        obj=item,
        summary=f"{item.review_id} #{item.customer_id}",
        data={"review": item.review_id, "customer": item.customer_id, "checks": item.checks},
    )
    return item
