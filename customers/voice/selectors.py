"""Reads of customer voice: the surveys a user may see, for the per-unit figures
and the enterprise survey list."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from crm_site.accounts.scope import units_for
from customers.models import Customer
from customers.voice.models import CustomerWatch, EnterpriseSurvey, ServiceSurvey
from visits.models import Visit


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


def customer_for(*, user, pk: int) -> Customer:
    """A customer in `user`'s scope, with its unit (404 outside it)."""
    return get_object_or_404(Customer.objects.visible_to(user).select_related("unit"), pk=pk)


def customer_or_none(*, user, pk: int) -> Customer | None:
    """A customer in `user`'s scope, or None (a form's suggested customer)."""
    return Customer.objects.visible_to(user).filter(pk=pk).first()


def customer_visit(*, customer: Customer, pk: int) -> Visit:
    """One of the customer's visits (404 for another customer's)."""
    return get_object_or_404(Visit.objects.filter(customer=customer), pk=pk)


def service_survey_detail(*, user, pk: int) -> ServiceSurvey:
    return get_object_or_404(
        ServiceSurvey.objects.visible_to(user).select_related(
            "customer", "unit", "surveyed_by", "visit"
        ),
        pk=pk,
    )


def enterprise_survey_detail(*, user, pk: int) -> EnterpriseSurvey:
    return get_object_or_404(
        EnterpriseSurvey.objects.visible_to(user).select_related(
            "customer", "unit", "visitor", "created_by", "head_opinion_by"
        ),
        pk=pk,
    )


def customer_watches(*, customer: Customer) -> QuerySet:
    """The customer's watch reports, the latest first."""
    return (
        CustomerWatch.objects.filter(customer=customer)
        .select_related("reported_by")
        .order_by("-reported_on", "-pk")
    )


def customer_watch_detail(*, customer: Customer, pk: int) -> CustomerWatch:
    return get_object_or_404(
        CustomerWatch.objects.filter(customer=customer).select_related("reported_by", "unit"),
        pk=pk,
    )
