"""Demo monthly turnover: the last 24 closed months of every demo customer, so
the turnover pages, the gap analysis, the big-customer revenue reports and the
analysis tables have figures.

Each customer's last 12 months add up to its annual revenue on the card (so
its grade stays as the demo gives it); growing customers rise and declining
ones fall by 2 % of the monthly mean a month, which moves a growing customer
just above the big-customer floor into the big customers of the last quarter.
Idempotent: a customer-month already stored is left alone.
"""

from decimal import Decimal

from django.utils import timezone

from crm_site.core import months
from customers.models import Customer, MonthlyTurnover

from .customers import SALES

SLOPE = {"growing": Decimal("0.02"), "declining": Decimal("-0.02")}
CENT = Decimal("0.01")


def seed(out) -> None:
    last = months.shift(months.first_of(timezone.localdate()), -1)
    window = months.trailing(last, 24)
    customers = Customer.objects.filter(region__code__in=SALES).values_list(
        "pk", "annual_revenue", "trend"
    )
    rows = []
    for pk, revenue, trend in customers:
        mean = revenue * 10000 / 12
        slope = SLOPE.get(trend, Decimal(0))
        for index, month in enumerate(window):
            # Centred on the last 12 months, whose sum stays 12 × the mean.
            amount = mean * (1 + slope * (Decimal(index) - Decimal("17.5")))
            amount = amount.quantize(CENT) if amount > 0 else Decimal(0)
            rows.append(MonthlyTurnover(customer_id=pk, month=month, amount=amount))
    before = MonthlyTurnover.objects.count()
    MonthlyTurnover.objects.bulk_create(rows, ignore_conflicts=True, batch_size=1000)
    added = MonthlyTurnover.objects.count() - before
    out.write(f"crm_site.devtools.demo.revenue: {added} customer-months of turnover added")
