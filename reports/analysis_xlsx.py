"""The paper forms of the customer analysis as sheets (业务部管理表格): the
客户区域分析表 customer by customer, the 客户销售分析表 and the 客户资料卡 summary,
each with its title, filters, bordered table, totals and sign-off line."""

from django.utils.translation import gettext as _

from . import paper
from .analysis_tables import CardSummary, SalesTable, nature_label

# A sheet holds at most this many customers; past it the sheet says so (filter by
# unit or region for the rest).
NAMES_LIMIT = 20_000


def _sheet(wb, title: str, width: int, filters, extra: list[tuple[str, str]]) -> paper.Paper:
    page = paper.Paper(wb.create_sheet(title[:31]))
    page.title(title, width)
    page.info([(str(label), str(value)) for label, value in filters[:2]] + extra)
    return page


def region_sheet(wb, names, *, filters, prepared_by: str) -> None:
    """客户区域分析表: region, name, nature and number of products of each customer."""
    page = _sheet(wb, _("Customer region analysis"), 4, filters, [])
    page.header([_("Region"), _("Customer name"), _("Business nature"), _("Number of products")])
    count = 0
    for row in names[: NAMES_LIMIT + 1]:
        count += 1
        if count > NAMES_LIMIT:
            page.line([_("More customers than one sheet holds: filter by unit or region.")])
            break
        page.line(
            [
                row["region__name"] or _("No region"),
                row["name"],
                nature_label(row["nature"]),
                row["products"],
            ],
        )
    if not count:
        page.line([_("No customers match these filters."), "", "", ""])
    page.sign_off(
        [(_("Prepared by"), prepared_by), (_("Filled in by"), ""), (_("Reviewed by"), "")],
        4,
    )
    page.widths([16, 34, 16, 14])


def sales_sheet(wb, table: SalesTable, *, filters, prepared_by: str) -> None:
    """客户销售分析表: the year's turnover by product (rows) and address (columns)."""
    width = len(table.regions) + 2
    page = _sheet(
        wb,
        _("Customer sales analysis"),
        max(width, 4),
        filters,
        [(_("Year"), str(table.year)), (_("Product category"), table.category_label)],
    )
    page.header([_("Product"), *[label for _pk, label in table.regions], _("Total")])
    money = dict.fromkeys(range(2, width + 1), paper.MONEY)
    for row in table.rows:
        page.line([row["product"], *row["cells"], row["total"]], formats=money)
    page.line(
        [_("Total (each customer once)"), *table.region_totals, table.total],
        formats=money,
        total=True,
    )
    page.info([(_("Turnover (CNY)"), _("a customer using several products counts under each"))])
    page.sign_off([(_("Prepared by"), prepared_by), (_("Reviewed by"), "")], max(width, 4))
    page.widths([24, *[16] * (width - 1)])


def card_sheet(wb, card: CardSummary, *, filters, prepared_by: str) -> None:
    """客户资料卡 summary: by region, customers, the year's logistics turnover and its share."""
    page = _sheet(wb, _("Customer file summary"), 5, filters, [(_("Year"), str(card.year))])
    page.header(
        [
            _("Region"),
            _("Number of customers"),
            _("Logistics turnover (CNY)"),
            _("Share of the total"),
            _("Notes"),
        ],
    )
    formats = {3: paper.MONEY, 4: paper.PERCENT}
    for row in card.rows:
        page.line(
            [row["region"], row["customers"], row["amount"], row["share"], ""], formats=formats
        )
    share = 100 if card.total else None
    page.line([_("Total"), card.customers, card.total, share, ""], formats=formats, total=True)
    page.sign_off([(_("Prepared by"), prepared_by), (_("Reviewed by"), "")], 5)
    page.widths([18, 14, 20, 12, 24])
