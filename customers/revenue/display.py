"""What revenue adds to the customer card (registered in CustomersConfig.ready())."""

from django.db.models import Count, Max

from crm_site.core import batch, registry

from .models import MonthlyTurnover


def card_reads(request, customer) -> batch.Pending:
    """The card's turnover box: months stored and the newest, read with the
    card's other reads; nothing for a customer without turnover or a user who
    may not see it. The rolling revenue and trend are on the customer itself."""
    figures = (
        MonthlyTurnover.objects.visible_to(request.user)
        .filter(customer=customer)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"), latest=Max("month"))
    )

    def build(rows: dict) -> dict | None:
        row = rows["figures"][0] if rows["figures"] else None
        if row is None or not row["n"]:
            return None
        return {
            "template": "customers/partials/_card_turnover.html",
            "customer": customer,
            "months": row["n"],
            "latest": row["latest"],
        }

    return batch.Pending({"figures": figures}, build)


card_section = registry.batched_card_section(card_reads)
