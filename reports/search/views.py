"""HTTP only: the search box's answer and the waybill page."""

from django.http import Http404
from django.shortcuts import redirect, render

from crm_site.core import nav
from customers.waybills.numbers import is_waybill, normalise

from . import selectors


def search(request):
    """/search/?q= : grouped, scoped results; one complaint asked for by its
    number opens straight away."""
    navigation = nav.navigation_reads(request)
    result = selectors.search(
        user=request.user, q=request.GET.get("q", ""), also=[navigation] if navigation else []
    )
    if result.jump:
        return redirect(result.jump)
    return render(request, "reports/search.html", {"result": result, "q": result.query})


def waybill_detail(request, number: str):
    """/waybills/<number>/ : everything in the user's scope that names the
    waybill, newest first; 404 when nothing in scope does."""
    canonical = normalise(number)
    if not is_waybill(canonical):
        raise Http404
    if canonical != number:
        return redirect("waybills:detail", canonical)
    mentions = selectors.waybill_mentions(user=request.user, number=canonical)
    if not mentions:
        raise Http404
    return render(
        request, "reports/waybill_detail.html", {"number": canonical, "mentions": mentions}
    )
