"""The rest of the 客户分析表 and 客户资料管理表 of the 业务部管理表格, over the
customers and turnover the caller has already scoped and filtered:

- 客户区域分析表, customer by customer: region, name, 经营性质 (the card's
  nature) and 销售产品数量 — the number of items of the logistics service
  catalogue (物流服务内容) the customer uses (`Customer.services`);
- 客户销售分析表: one year's turnover by product (the catalogue's services of one
  category, 产品的类别) and address (the customer's region). Turnover is kept
  per customer, not per service, so a customer using two services of the
  category counts under each: the products' rows do not add up to the total,
  which counts each customer once;
- 客户资料卡 summary (摘要): by region, the number of customers and one year's
  logistics turnover (物流运营) with its share.

Each is a fixed number of GROUP BY queries whatever the book's size.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, IntegerField, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce

from crm_site.accounts.models import Region
from customers.models import Customer, LogisticsService, Nature

ZERO = Decimal("0.00")
NO_REGION = 0  # the key of customers without a region


def region_customers(customers):
    """客户区域分析表 rows: region, name, nature and number of services, by region and name.

    The number is a subquery in the select list rather than a GROUP BY over the
    whole book, so a page of 25 counts the services of its 25 customers only."""
    used = Customer.services.through.objects.filter(customer_id=OuterRef("pk"))
    products = Subquery(
        used.order_by().values("customer_id").annotate(n=Count("pk")).values("n"),
        output_field=IntegerField(),
    )
    return (
        customers.order_by()
        .annotate(products=Coalesce(products, 0))
        .values("pk", "code", "name", "nature", "products", "region__name")
        .order_by("region__name", "name", "pk")
    )


def nature_label(code: str) -> str:
    return str(dict(Nature.choices).get(code, code))


def _region_names(ids) -> dict[int, str]:
    return dict(Region.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))


def _ordered_regions(ids, names: dict[int, str], no_region: str) -> list[tuple[int, str]]:
    known = sorted((i for i in ids if i), key=lambda i: (names.get(i, ""), i))
    ordered = [(i, names.get(i, "")) for i in known]
    if NO_REGION in ids:
        ordered.append((NO_REGION, no_region))
    return ordered


@dataclass
class SalesTable:
    year: int
    category: str
    category_label: str
    regions: list[tuple[int, str]] = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)  # product, cells (per region), total
    region_totals: list[Decimal] = field(default_factory=list)  # each customer once
    total: Decimal = ZERO
    customers: int = 0


def sales_table(customers, turnover, *, year: int, category: str, no_region: str) -> SalesTable:
    """客户销售分析表 for `year` and the services of `category`."""
    label = str(dict(LogisticsService.Category.choices).get(category, category))
    table = SalesTable(year=year, category=category, category_label=label)
    in_year = turnover.filter(month__year=year, customer__in=customers)
    cells: dict[tuple[int, int], Decimal] = {}
    for r in (
        in_year.filter(customer__services__category=category)
        .values("customer__services", "customer__region")
        .annotate(s=Sum("amount"))
        .order_by()
    ):
        cells[(r["customer__services"], r["customer__region"] or NO_REGION)] = r["s"] or ZERO
    users = customers.filter(services__category=category)
    totals = {
        (r["customer__region"] or NO_REGION): r
        for r in in_year.filter(customer__in=users)
        .values("customer__region")
        .annotate(s=Sum("amount"), n=Count("customer", distinct=True))
        .order_by()
    }
    ids = {region for _p, region in cells} | set(totals)
    table.regions = _ordered_regions(ids, _region_names(ids), no_region)
    for pk, name in LogisticsService.objects.filter(category=category).values_list("pk", "name"):
        row = [cells.get((pk, region), ZERO) for region, _label in table.regions]
        table.rows.append({"product": name, "cells": row, "total": sum(row, ZERO)})
    table.region_totals = [
        (totals.get(region) or {}).get("s") or ZERO for region, _label in table.regions
    ]
    table.total = sum(table.region_totals, ZERO)
    table.customers = sum(r["n"] for r in totals.values())
    return table


@dataclass
class CardSummary:
    year: int
    rows: list[dict] = field(default_factory=list)  # region, customers, amount, share
    customers: int = 0
    total: Decimal = ZERO


def card_summary(customers, turnover, *, year: int, no_region: str) -> CardSummary:
    """客户资料卡 summary for `year`: customers and turnover by region, with its share."""
    summary = CardSummary(year=year)
    counts = {
        (r["region"] or NO_REGION): r["n"]
        for r in customers.order_by().values("region").annotate(n=Count("pk"))
    }
    amounts = {
        (r["customer__region"] or NO_REGION): r["s"] or ZERO
        for r in turnover.filter(month__year=year, customer__in=customers)
        .values("customer__region")
        .annotate(s=Sum("amount"))
        .order_by()
    }
    ids = set(counts) | set(amounts)
    summary.total = sum(amounts.values(), ZERO)
    summary.customers = sum(counts.values())
    for region, label in _ordered_regions(ids, _region_names(ids), no_region):
        amount = amounts.get(region, ZERO)
        share = (amount / summary.total * 100).quantize(Decimal("0.1")) if summary.total else None
        summary.rows.append(
            {"region": label, "customers": counts.get(region, 0), "amount": amount, "share": share}
        )
    return summary
