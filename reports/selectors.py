"""Reads of reports: the monthly summaries (list, one summary, what is missing),
the quarterly big-customer reviews, and the customer analysis. Every read
starts from the models' `visible_to(user)`."""

from datetime import date

from django.conf import settings
from django.db.models import Count, IntegerField, Max, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from complaints.models import ComplaintCategory
from crm_site.accounts.scope import units_for
from crm_site.core import months
from customers.models import Customer, GradingRule, LogisticsService
from customers.revenue.models import MonthlyTurnover
from visits.models import DailyReport, Visit
from visits.queries import day_start

from . import analysis_tables, big_customers, reviews
from .models import BigCustomerReview, MonthlyPatrolSummary, RollupRequest

# --- monthly summaries -------------------------------------------------------------


def summary_list(*, user, filters=None) -> QuerySet:
    """The summaries the user may see, under `filters` (a reports.filters.SummaryFilter),
    the latest month first."""
    summaries = MonthlyPatrolSummary.objects.visible_to(user).select_related("unit")
    if filters is not None:
        summaries = filters.apply(summaries)
    return summaries.order_by("-month", "unit__code")


def summary_missing(*, units, month: date) -> list:
    """Of `units`, those without a summary of `month`, by code."""
    return list(units.exclude(monthly_summaries__month=month).order_by("code"))


def rollup_requests_pending(*, user, limit: int = 10) -> list[RollupRequest]:
    """Builds the user may see that have not finished, oldest first."""
    return list(RollupRequest.objects.visible_to(user).pending().select_related("unit")[:limit])


def rollup_request_detail(*, user, pk: int) -> RollupRequest:
    """The requested build if the user may see it, else 404."""
    requests = RollupRequest.objects.visible_to(user).select_related("unit", "summary")
    return get_object_or_404(requests, pk=pk)


def rollup_request_summary(*, build: RollupRequest) -> MonthlyPatrolSummary | None:
    """The summary the build produced, once it is there."""
    return (
        build.summary
        or MonthlyPatrolSummary.objects.filter(
            unit_id=build.unit_id, month=build.month, built_at__gte=build.requested_at
        ).first()
    )


def summary_detail(*, user, pk: int) -> MonthlyPatrolSummary:
    """The summary if the user may see it, else 404 (its existence is not revealed)."""
    summaries = MonthlyPatrolSummary.objects.visible_to(user).select_related(
        "unit", "submitted_by", "reviewed_by"
    )
    return get_object_or_404(summaries, pk=pk)


def summary_building(*, summary: MonthlyPatrolSummary) -> bool:
    """Whether a build of the summary's unit and month is under way."""
    return (
        RollupRequest.objects.pending()
        .filter(unit_id=summary.unit_id, month=summary.month)
        .exists()
    )


def summary_neighbours(*, summary: MonthlyPatrolSummary) -> dict:
    """The same unit's summaries of the month before and after, by month."""
    return {
        s.month: s
        for s in MonthlyPatrolSummary.objects.filter(
            unit_id=summary.unit_id,
            month__in=[months.shift(summary.month, -1), months.shift(summary.month, 1)],
        ).only("pk", "month")
    }


def summary_trend(*, summary: MonthlyPatrolSummary, months_back: int) -> list[dict]:
    """The unit's last `months_back` months (built ones; gaps stay empty), oldest first."""
    axis = months.trailing(summary.month, months_back)
    stored = {
        row["month"]: row
        for row in MonthlyPatrolSummary.objects.filter(
            unit_id=summary.unit_id, month__gte=axis[0], month__lte=axis[-1]
        ).values(
            "month",
            "visits_done",
            "calls_done",
            "visits_percent",
            "calls_percent",
            "compliance_percent",
        )
    }
    return [{"month": month} | stored.get(month, {}) for month in axis]


def summary_changed_reports(*, summary: MonthlyPatrolSummary, limit: int = 20) -> list:
    """Daily reports of the month changed since the build (their entries included)."""
    if not summary.stale:
        return []
    return list(
        DailyReport.objects.filter(
            unit_id=summary.unit_id,
            date__gte=summary.month,
            date__lte=months.last_day(summary.month),
        )
        .filter(Q(updated_at__gt=summary.built_at) | Q(entries__updated_at__gt=summary.built_at))
        .select_related("user")
        .distinct()
        .order_by("date", "user__username")[:limit]
    )


def complaint_category_names(*, codes: list[str]) -> dict[str, str]:
    """Complaint categories by code, named in the reader's language."""
    return {c.code: str(c) for c in ComplaintCategory.objects.filter(code__in=codes)}


def summary_events(*, summary: MonthlyPatrolSummary, limit: int = 15) -> list:
    return list(summary.events.select_related("actor")[:limit])


# --- big-customer reviews ------------------------------------------------------------


def review_list(*, user) -> QuerySet:
    """The reviews the user may see with their progress (customers, reviewed),
    the latest quarter first."""
    return (
        BigCustomerReview.objects.visible_to(user)
        .select_related("unit", "opened_by")
        .annotate(
            total=Count("items"),
            done=Count("items", filter=Q(items__reviewed_at__isnull=False)),
        )
        .order_by("-quarter", "unit__code", "pk")
    )


def review_detail(*, user, pk: int) -> BigCustomerReview:
    """The review if the user may see it, else 404 (its existence is not revealed)."""
    reviews_qs = BigCustomerReview.objects.visible_to(user).select_related("unit", "opened_by")
    return get_object_or_404(reviews_qs, pk=pk)


def review_items(*, review: BigCustomerReview) -> QuerySet:
    """The review's customers with the quarter's on-site visits and calls counted
    (two correlated counts on the visits' (customer, occurred_at) index)."""
    start, end = day_start(review.quarter), day_start(reviews.quarter_end(review.quarter))

    def contacts(kind):
        return Coalesce(
            Subquery(
                Visit.objects.filter(
                    customer_id=OuterRef("customer_id"),
                    kind=kind,
                    occurred_at__gte=start,
                    occurred_at__lt=end,
                )
                .order_by()
                .values("customer_id")
                .annotate(n=Count("id"))
                .values("n"),
                output_field=IntegerField(),
            ),
            0,
        )

    return (
        review.items.select_related("customer", "customer__visiting_person", "reviewed_by")
        .annotate(visits=contacts("visit"), calls=contacts("call"))
        .order_by("customer__code", "pk")
    )


def review_progress(*, review: BigCustomerReview) -> dict:
    """How many of the review's customers there are, and how many are reviewed."""
    return review.items.aggregate(
        total=Count("id"), done=Count("id", filter=Q(reviewed_at__isnull=False))
    )


# --- customer analysis ---------------------------------------------------------------


def customer_analysis(*, user, filters):
    """The tables of the customer analysis (a reports.analysis.Analysis) over the
    customers and turnover the user may see, under `filters` (a
    reports.filters.CustomerAnalysisFilter); None while the filters are wrong.
    The sales and card tables are of the year asked for, else of the newest
    month of turnover the user may see (this year without any)."""
    # Imported here: analysis -> export -> display -> selectors would be a cycle.
    from . import analysis

    if filters.invalid:
        return None
    chosen = filters.cleaned()
    turnover = MonthlyTurnover.objects.visible_to(user)
    latest = turnover.order_by("-month").values_list("month", flat=True).first()
    year = int(chosen.get("year") or (latest or timezone.localdate()).year)
    return analysis.analyse(
        filters.apply(Customer.objects.visible_to(user)),
        turnover=turnover,
        year=year,
        category=chosen.get("category") or LogisticsService.Category.TRANSPORT,
    )


def region_customers(*, user, filters):
    """客户区域分析表 customer by customer, under the analysis' filters (None while wrong)."""
    if filters.invalid:
        return None
    return analysis_tables.region_customers(filters.apply(Customer.objects.visible_to(user)))


def summary_plans(*, summary: MonthlyPatrolSummary) -> list[dict]:
    """The unit's approved service plans overlapping the summary's month, with
    their progress (planned contacts done, missed, still planned)."""
    from visits.plans.selectors import plans_for_month

    return plans_for_month(unit_ids=[summary.unit_id], month=summary.month)


# --- big-customer revenue reports -----------------------------------------------------


def big_customer_units(*, user):
    """The units whose big-customer revenue report the user may open: their own
    (staff too, for the customers they visit), every unit for an admin."""
    return units_for(user, "view").order_by("code")


def big_customer_report(*, user, unit, period):
    """One unit's big-customer revenue report (a reports.big_customers.Report)
    over the turnover the user may see: staff only that of the customers they
    visit, supervisors and managers their units', admins all."""
    return big_customers.build(
        MonthlyTurnover.objects.visible_to(user),
        unit=unit,
        period=period,
        rule=GradingRule.objects.current().as_rule(),
        bands=settings.CRM_BIG_CUSTOMER_BANDS,
        # The billing system's last load, whoever's: a month, no customer's figures.
        latest=MonthlyTurnover.objects.aggregate(m=Max("month"))["m"],
    )
