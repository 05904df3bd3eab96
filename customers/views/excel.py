"""Excel in and out: export of the filtered list, import with preview, blank template."""

import tempfile

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core import exports
from crm_site.core.listing import paginate

from .. import selectors, services, xlsx
from ..forms import ImportUploadForm
from ..models import CustomerImport
from ..services.exports import customer_export_params, customers_export_write

ERRORS_PER_PAGE = 200
# Room for the multipart envelope around a file of the maximum size.
ENVELOPE_BYTES = 64 * 1024


def _xlsx_response(stream, filename: str) -> FileResponse:
    stream.seek(0)
    return FileResponse(
        stream, as_attachment=True, filename=filename, content_type=xlsx.XLSX_CONTENT_TYPE
    )


def customer_export(request):
    """The filtered, sorted list as .xlsx (same parameters as the list). Above
    CRM_EXPORT_SYNC_LIMIT rows it becomes a background job with a progress page."""
    rule = selectors.current_rule().as_rule()
    filterset = selectors.customer_filter(user=request.user, data=request.GET, rule=rule)
    sort = selectors.customer_sort(request.GET.get("sort"))
    params = customer_export_params(filterset, sort)
    total = (
        selectors.customer_list(user=request.user, filters=params["filters"], sort=sort, rule=rule)
        .order_by()
        .count()
    )
    if total > settings.CRM_EXPORT_SYNC_LIMIT:
        job = exports.export_job_start(
            user=request.user, kind="customers", params=params, total=total
        )
        return redirect(job)
    # Closed by FileResponse once sent.
    stream = tempfile.SpooledTemporaryFile(max_size=16 * 1024 * 1024)  # noqa: SIM115
    _count, filename = customers_export_write(
        user=request.user, params=params, stream=stream, request=request
    )
    return _xlsx_response(stream, filename)


@role_required(Role.SUPERVISOR)
def import_template(request):
    stream = tempfile.SpooledTemporaryFile(max_size=1024 * 1024)  # noqa: SIM115
    xlsx.write_template(stream, **selectors.import_template_choices(user=request.user))
    name = _("customer-import-template")
    return _xlsx_response(stream, f"{name}.xlsx")


def _too_large(request) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > xlsx.MAX_UPLOAD_BYTES + ENVELOPE_BYTES


@csrf_exempt
@role_required(Role.SUPERVISOR)
def customer_import(request):
    """Upload a file for preview. An oversized body is refused before it is read
    (the CSRF check would otherwise read it first), then CSRF is checked as usual."""
    if request.method == "POST" and _too_large(request):
        error = _("The file is larger than %(mb)s MB. Split it into several files.") % {
            "mb": xlsx.MAX_UPLOAD_BYTES // (1024 * 1024)
        }
        return _upload_page(request, ImportUploadForm(), status=413, error=error)
    return _customer_import(request)


@csrf_protect
def _customer_import(request):
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        record = services.customer_import_upload(
            actor=request.user,
            upload=form.cleaned_data["file"],
            form_token=form.cleaned_data["form_token"],
        )
        return redirect(record)
    return _upload_page(request, form)


def _upload_page(request, form, status=200, error=""):
    context = {
        "form": form,
        "upload_error": error,
        "recent": selectors.customer_import_recent(user=request.user),
        "columns": [{"header": str(c.label), "required": c.required} for c in xlsx.IMPORT_COLUMNS],
        "max_rows": xlsx.MAX_ROWS,
        "max_mb": xlsx.MAX_UPLOAD_BYTES // (1024 * 1024),
    }
    return render(request, "customers/import_upload.html", context, status=status)


@role_required(Role.SUPERVISOR)
def import_preview(request, pk):
    record = selectors.customer_import_for(user=request.user, pk=pk)
    result = record.result
    errors = [
        e | {"header": str(xlsx.COLUMN_BY_KEY[e["column"]].label)}
        if e.get("column") in xlsx.COLUMN_BY_KEY
        else e
        for e in result.get("errors", [])
    ]
    error_page = paginate(request, errors, ERRORS_PER_PAGE)
    updates = [
        u
        | {
            "labels": [
                str(xlsx.COLUMN_BY_KEY[f].label) if f in xlsx.COLUMN_BY_KEY else f
                for f in u["fields"]
            ]
        }
        for u in result.get("updates", [])
    ]
    context = {
        "record": record,
        "result": result,
        "page_obj": error_page,
        "updates": updates,
        "can_apply": record.state == CustomerImport.State.PREVIEWED
        and not result.get("error_count")
        and (result.get("create_count") or result.get("update_count")),
        "more_creates": result.get("create_count", 0) - len(result.get("creates", [])),
        "more_updates": result.get("update_count", 0) - len(updates),
        "more_errors": result.get("error_count", 0) - len(errors),
        "refresh": record.is_busy,
    }
    return render(request, "customers/import_preview.html", context)


@require_POST
@role_required(Role.SUPERVISOR)
def import_apply(request, pk):
    record = selectors.customer_import_for(user=request.user, pk=pk)
    if record.state in (CustomerImport.State.APPLYING, CustomerImport.State.APPLIED):
        messages.info(request, _("This file was already imported."))
    elif not services.customer_import_request_apply(actor=request.user, record=record):
        messages.error(request, _("This file cannot be imported any more. Upload it again."))
    else:
        messages.success(
            request, _("The import is being applied; this page shows the result when it is done.")
        )
    return redirect(record)
