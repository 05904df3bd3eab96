"""The outlet register (网点): list, page, admin edits, .xlsx export and import."""

import tempfile

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import call_or_add_errors
from crm_site.core.listing import sorted_list_context
from crm_site.core.services import audit
from crm_site.core.xlsx import XLSX_CONTENT_TYPE
from customers import xlsx as customer_xlsx

from . import imports, selectors, services, xlsx
from .filters import OutletFilter
from .forms import OutletForm, OutletImportForm
from .models import Outlet

PAGE_SIZE = 25
SORT_KEYS = ("code", "name", "kind", "unit", "updated")


def _xlsx_response(stream, filename: str) -> FileResponse:
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
    )


@role_required(Role.STAFF)
def outlet_list(request):
    """The outlets of the user's units (an admin: all), filtered, sorted, paginated."""
    filterset = OutletFilter(request.GET or None, user=request.user)
    outlets = selectors.outlet_list(user=request.user, filters=filterset)
    context = sorted_list_context(
        request, filterset, outlets, per_page=PAGE_SIZE, sort_keys=SORT_KEYS
    )
    context["can_edit"] = request.user.is_at_least(Role.ADMIN)
    context["can_export"] = request.user.is_at_least(Role.SUPERVISOR)
    return render(request, "outlets/outlet_list.html", context)


@role_required(Role.STAFF)
def outlet_detail(request, pk: int):
    outlet = selectors.outlet_detail(user=request.user, pk=pk)
    sections = selectors.outlet_sections(request, outlet)
    is_admin = request.user.is_at_least(Role.ADMIN)
    context = {
        "outlet": outlet,
        "sections": sections,
        "figures": [figure for section in sections for figure in section.get("figures", ())],
        "can_edit": is_admin,
        "history": list(selectors.outlet_history(outlet).select_related("actor")[:10])
        if is_admin
        else [],
    }
    return render(request, "outlets/outlet_detail.html", context)


@role_required(Role.ADMIN)
def outlet_create(request):
    form = OutletForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        outlet = call_or_add_errors(
            form,
            services.outlet_create,
            actor=request.user,
            fields=form.service_fields(),
            request=request,
        )
        if outlet is not None:
            messages.success(request, _("Outlet %(outlet)s added.") % {"outlet": outlet})
            return redirect(outlet)
    return render(request, "outlets/outlet_form.html", {"form": form})


@role_required(Role.ADMIN)
def outlet_edit(request, pk: int):
    outlet = selectors.outlet_detail(user=request.user, pk=pk)
    form = OutletForm(request.POST or None, instance=outlet)
    if request.method == "POST" and form.is_valid():
        saved = call_or_add_errors(
            form,
            services.outlet_update,
            outlet=selectors.outlet_detail(user=request.user, pk=pk),
            actor=request.user,
            fields=form.service_fields(),
            version=form.loaded_version(),
            request=request,
        )
        if saved is not None:
            messages.success(request, _("Outlet %(outlet)s saved.") % {"outlet": saved})
            return redirect(saved)
    return render(request, "outlets/outlet_form.html", {"form": form, "outlet": outlet})


def _set_active(request, pk: int, *, active: bool):
    outlet = selectors.outlet_detail(user=request.user, pk=pk)
    try:
        services.outlet_set_active(
            outlet=outlet, actor=request.user, active=active, request=request
        )
    except ValidationError as exc:  # already in that state (a double submit)
        messages.error(request, " ".join(exc.messages))
        return redirect(outlet)
    if active:
        messages.success(request, _("Outlet %(outlet)s is active again.") % {"outlet": outlet})
    else:
        messages.success(request, _("Outlet %(outlet)s deactivated.") % {"outlet": outlet})
    return redirect(outlet)


@require_POST
@role_required(Role.ADMIN)
def outlet_deactivate(request, pk: int):
    return _set_active(request, pk, active=False)


@require_POST
@role_required(Role.ADMIN)
def outlet_activate(request, pk: int):
    return _set_active(request, pk, active=True)


@role_required(Role.SUPERVISOR)
def outlet_export(request):
    """The filtered register as .xlsx (the list's parameters; the file imports unchanged)."""
    filterset = OutletFilter(request.GET or None, user=request.user)
    outlets = selectors.outlet_list(user=request.user, filters=filterset)
    stream = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
    count = xlsx.write_export(outlets, stream)
    audit(
        actor=request.user,
        action="outlets.export",
        summary=f"{count}",
        data={"rows": count, "filters": sorted(k for k, v in request.GET.items() if v)},
        object_type=Outlet._meta.label_lower,
        request=request,
    )
    return _xlsx_response(stream, f"{_('outlets')}.xlsx")


@role_required(Role.ADMIN)
def outlet_import_template(request):
    stream = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    xlsx.write_template(stream, **selectors.import_template_choices(user=request.user))
    return _xlsx_response(stream, f"{_('outlet-import-template')}.xlsx")


@role_required(Role.ADMIN)
def outlet_import(request):
    """Upload a register file: every row is checked; with no error the whole file
    is applied, else nothing is and the page lists the rows' errors."""
    form = OutletImportForm(request.POST or None, request.FILES or None)
    context = {"form": form, "columns": xlsx.COLUMNS, "max_rows": xlsx.MAX_ROWS}
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            plan = imports.outlet_import_check(actor=request.user, upload=upload)
        except customer_xlsx.ImportFileError as exc:
            form.add_error("file", exc.message)
            return render(request, "outlets/outlet_import.html", context, status=400)
        if plan.error_count or not plan.rows:
            context["plan"] = plan
            if not plan.rows:
                form.add_error("file", _("The file has no rows to import."))
            return render(request, "outlets/outlet_import.html", context, status=400)
        try:
            imports.outlet_import_apply(
                actor=request.user, plan=plan, file_name=upload.name, request=request
            )
        except IntegrityError:
            form.add_error(
                "file",
                _("Outlets were changed by someone else meanwhile. Upload the file again."),
            )
            return render(request, "outlets/outlet_import.html", context, status=409)
        messages.success(
            request,
            _(
                "Import done: %(created)s outlets added, %(updated)s updated, %(unchanged)s unchanged."
            )
            % {
                "created": len(plan.creates),
                "updated": len(plan.updates),
                "unchanged": plan.unchanged,
            },
        )
        return redirect("outlets:list")
    return render(request, "outlets/outlet_import.html", context)
