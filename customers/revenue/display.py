"""What revenue adds to the customer card (registered in CustomersConfig.ready())."""

from django.db.models import Count, Max

from crm_site.core import batch, registry

from .models import MonthlyTurnover


@batch.prepared_for_user
def _card_figures(user, customer_id):
    """How many months of the customer's turnover the user may see, and the
    newest (SQL compiled once per scope: crm_site.core.batch)."""
    return (
        MonthlyTurnover.objects.visible_to(user)
        .filter(customer_id=customer_id)
        .order_by()
        .values("customer_id")
        .annotate(n=Count("pk"), latest=Max("month"))
    )


def card_reads(request, customer) -> batch.Pending:
    """The card's turnover box: months stored and the newest, read with the
    card's other reads; nothing for a customer without turnover or a user who
    may not see it. The rolling revenue and trend are on the customer itself."""
    figures = _card_figures(request.user, customer.pk)

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
