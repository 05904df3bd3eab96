"""Reads of customer voice: the surveys a user may see, for the per-unit figures
and the enterprise survey list."""

from django.db.models import QuerySet

from crm_site.accounts.scope import units_for
from customers.voice.models import EnterpriseSurvey, ServiceSurvey


def unit_list(*, user) -> QuerySet:
    """The active units the user may pick in the voice pages' filters."""
    return units_for(user, "view")


def service_survey_list(*, user, filters=None) -> QuerySet:
    """The service-level surveys the user may see, under `filters` (a
    customers.voice.filters.SurveyReportFilter: its unit; the period is the caller's)."""
    surveys = ServiceSurvey.objects.visible_to(user)
    return filters.apply(surveys) if filters is not None else surveys


def service_survey_recent(*, surveys: QuerySet, start, end, limit: int) -> QuerySet:
    """The latest of `surveys` made between start and end (both included)."""
    return (
        surveys.filter(surveyed_on__gte=start, surveyed_on__lte=end)
        .select_related("customer", "surveyed_by")
        .order_by("-surveyed_on", "-pk")[:limit]
    )


def enterprise_survey_list(*, user, filters=None) -> QuerySet:
    """The enterprise surveys the user may see, under `filters` (a
    customers.voice.filters.EnterpriseSurveyFilter), the latest visit first."""
    surveys = EnterpriseSurvey.objects.visible_to(user).select_related(
        "customer", "unit", "visitor"
    )
    if filters is not None:
        surveys = filters.apply(surveys)
    return surveys.order_by("-visited_on", "-pk")
