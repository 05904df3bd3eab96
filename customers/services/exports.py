"""The customer list as .xlsx: written at once by the view, or by a background
export job (crm_site.core.exports) from the filters the view validated."""

from django.utils import timezone
from django.utils.translation import gettext as _

from crm_site.core import exports
from crm_site.core.services import audit

from .. import selectors, xlsx
from ..models import GradingRule


def customer_export_params(filterset, sort: str) -> dict:
    """What an export keeps of the page's filters: JSON-safe, validated, and the
    audit log's version of them (a search may be a phone number: not kept)."""
    audited = {k: str(v) for k, v in filterset.active_filters().items()}
    if "q" in audited:
        audited["q"] = "…"
    return {"filters": filterset.cleaned_filters(), "sort": sort, "audit": audited}


def _kept_params(user, params: dict) -> dict:
    """`params` as customer_export_params gives them; a job recorded before filters
    were kept validated holds the page's raw parameters: validate them now."""
    if "filters" in params or not params:
        return {"filters": {}, "sort": selectors.DEFAULT_SORT, "audit": {}} | params
    data = exports.query_dict(params)
    rule = GradingRule.objects.current().as_rule()
    filterset = selectors.customer_filter(user=user, data=data, rule=rule)
    return customer_export_params(filterset, selectors.customer_sort(data.get("sort")))


def customers_export_write(*, user, params: dict, stream, progress=None, request=None):
    """Write the customers of `params` (customer_export_params) to `stream`; audited.
    Returns (rows, file name). `request`, when given, only adds its address to the log."""
    params = _kept_params(user, params)
    customers = selectors.customer_list(user=user, filters=params["filters"], sort=params["sort"])
    rows = xlsx.export_values(customers)
    if progress is not None:
        rows = exports.counted(rows, progress)
    count = xlsx.write_export(rows, stream)
    audit(
        actor=user,
        action="customers.export",
        summary=_("%(count)s customers exported") % {"count": count},
        data={"filters": params["audit"], "sort": params["sort"], "rows": count},
        request=request,
    )
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return count, f"{_('customer-list')}-{stamp}.xlsx"
