from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role

from . import selectors, services
from .filters import AuditLogFilter
from .listing import paginate, query_string


def notification_list(request):
    only_unread = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=only_unread)
    return render(
        request,
        "core/notification_list.html",
        {"page_obj": paginate(request, notifications, 25), "only_unread": only_unread},
    )


@require_POST
def notification_read(request, pk: int):
    """Mark one notification read and follow its link (the bell's click-through)."""
    notification = selectors.notification_for(user=request.user, pk=pk)
    services.notification_mark_read(user=request.user, notification_id=pk)
    target = request.POST.get("next") or (notification.url if notification else "")
    if not target or not url_has_allowed_host_and_scheme(target, {request.get_host()}):
        target = "core:notifications"
    return redirect(target)


@require_POST
def notification_read_all(request):
    count = services.notification_mark_read(user=request.user)
    messages.success(request, _("%(count)d notifications marked as read.") % {"count": count})
    return redirect("core:notifications")


@role_required(Role.ADMIN)
def audit_log(request):
    """The audit log for admins, filterable, newest first."""
    filterset = AuditLogFilter(request.GET)
    entries = selectors.audit_log_list(user=request.user, filters=filterset)
    return render(
        request,
        "core/audit_log.html",
        {
            "filter": filterset,
            "page_obj": paginate(request, entries, 50),
            "query_string": query_string(request),
        },
    )


def _export_job_for(request, pk):
    return selectors.export_job_for(user=request.user, pk=pk)


def export_detail(request, pk):
    """The progress of a background export, and its download when ready."""
    job = _export_job_for(request, pk)
    return render(request, "core/export_detail.html", {"job": job})


def export_status(request, pk):
    from django.http import JsonResponse

    job = _export_job_for(request, pk)
    return JsonResponse(
        {"state": job.state, "done": job.done, "total": job.total, "percent": job.percent}
    )


def export_download(request, pk):
    from django.http import FileResponse, Http404

    from .exports import export_dir

    job = _export_job_for(request, pk)
    if job.state != job.State.DONE or not job.file:
        raise Http404
    path = export_dir() / job.file
    if not path.exists():
        raise Http404
    return FileResponse(
        open(path, "rb"),  # noqa: SIM115 - closed by FileResponse
        as_attachment=True,
        filename=job.filename or "export.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
