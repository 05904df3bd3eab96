"""What revenue adds to the customer card (registered in CustomersConfig.ready())."""

from django.db.models import Count, Max

from .models import MonthlyTurnover


def card_section(request, customer):
    """The card's turnover box: months stored and the newest, in one query;
    nothing for a customer without turnover or a user who may not see it. The
    rolling revenue and trend are on the customer itself."""
    figures = (
        MonthlyTurnover.objects.visible_to(request.user)
        .filter(customer=customer)
        .aggregate(n=Count("pk"), latest=Max("month"))
    )
    if not figures["n"]:
        return None
    return {
        "template": "customers/partials/_card_turnover.html",
        "customer": customer,
        "months": figures["n"],
        "latest": figures["latest"],
    }
