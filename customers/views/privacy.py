"""Personal data of one customer's people (PIPL): export it, anonymise it."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.inputs import CleanInputForm

from .. import privacy, xlsx
from .book import _customer_for


class AnonymiseForm(CleanInputForm):
    reason = forms.CharField(
        label=gettext_lazy("Request or reason"),
        max_length=200,
        help_text=gettext_lazy(
            "E.g. the date and channel of the person's request. It goes into the audit log: "
            "do not write names or phone numbers here."
        ),
    )
    confirm = forms.CharField(
        label=gettext_lazy("Type the customer code to confirm"), max_length=32
    )

    def __init__(self, *args, customer, **kwargs):
        super().__init__(*args, **kwargs)
        self.customer = customer

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.customer.code:
            raise forms.ValidationError(_("This is not the code of this customer."))
        return value


@require_GET
@role_required(Role.SUPERVISOR)
def personal_data_export(request, pk: int):
    """The customer's personal data as .xlsx (default) or JSON (?format=json); audited."""
    customer = _customer_for(request, pk)
    fmt = "json" if request.GET.get("format") == "json" else "xlsx"
    content, _data = privacy.customer_personal_data_export(
        customer=customer, actor=request.user, fmt=fmt, request=request
    )
    content_type = "application/json" if fmt == "json" else xlsx.XLSX_CONTENT_TYPE
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="personal-data-{customer.code}.{fmt}"'
    response["Cache-Control"] = "private, no-store"
    return response


@role_required(Role.SUPERVISOR)
def anonymise(request, pk: int):
    customer = _customer_for(request, pk)
    if not privacy.may_handle_personal_data(request.user):
        raise PermissionDenied
    form = AnonymiseForm(request.POST or None, customer=customer)
    if request.method == "POST" and form.is_valid():
        counts = privacy.customer_anonymise(
            customer=customer,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            request=request,
        )
        messages.success(
            request,
            _(
                "Personal data anonymised: %(contacts)s contacts and %(complaints)s complaints. "
                "Visits and complaint figures are unchanged."
            )
            % counts,
        )
        return redirect(customer)
    context = {
        "customer": customer,
        "form": form,
        "contacts": customer.contacts.count(),
        "complaints": privacy._complaints(customer).count(),
    }
    return render(request, "customers/anonymise.html", context)
