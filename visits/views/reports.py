"""Daily reports: list, today's report, one report, its entries, autosave, submit."""

import contextlib
from datetime import datetime, time, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.forms import add_service_errors
from crm_site.core.listing import active_params, paginate
from crm_site.core.services import work_calendar

from .. import selectors, services
from ..filters import DailyReportFilter
from ..forms import EntryFlagForm, EntryForm, ReviewForm, SubmitForm
from ..models import DailyReport, EntryDraft
from ..plans import selectors as plan_selectors
from .common import json_error


@role_required(Role.STAFF)
def report_list(request):
    """Own reports; supervisors and up: their units' reports, filterable."""
    user = request.user
    people = selectors.staff_people(user=user) if user.is_at_least(Role.SUPERVISOR) else ()
    filterset = DailyReportFilter(request.GET or None, people=people)
    page = paginate(request, selectors.daily_report_list(user=user, filters=filterset), 25)
    params = active_params(request)
    context = {
        "form": filterset.form,
        "page_obj": page,
        "query_string": urlencode(params),
        "today_report": selectors.daily_report_today(user=user, day=timezone.localdate()),
        "files_reports": user.has_role(Role.STAFF),
        "can_review": user.is_at_least(Role.SUPERVISOR),
        "filtered": bool(params),
    }
    return render(request, "visits/report_list.html", context)


def _entry_query(data) -> str:
    """The customer and kind a "write entry" link carries on to the new entry."""
    if not data.get("customer", "").isdigit():
        return ""
    return urlencode({k: data[k] for k in ("customer", "kind") if data.get(k)})


@role_required(Role.STAFF)
def report_new(request):
    """Today's report: opens it if started; otherwise a page whose button (a
    POST) starts the draft, so a prefetch, a crawler or a reminder link opened
    by GET creates nothing. ?customer=<id>&kind= go on to a new entry."""
    source = request.POST if request.method == "POST" else request.GET
    query = _entry_query(source)
    today = timezone.localdate()
    report = selectors.daily_report_today(user=request.user, day=today)
    if report is None and request.method != "POST":
        context = {
            "customer": source.get("customer", "") if query else "",
            "kind": source.get("kind", "") if query else "",
        }
        return render(request, "visits/report_start.html", context)
    if report is None:
        try:
            report, _created = services.daily_report_open(user=request.user, day=today)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("visits:report_list")
    if report.is_editable and query:
        return redirect(f"{reverse('visits:entry_new', args=[report.pk])}?{query}")
    return redirect(report)


@role_required(Role.STAFF)
def report_detail(request, pk: int):
    report = selectors.daily_report_detail(user=request.user, pk=pk)
    is_owner = report.user_id == request.user.pk
    can_review = (
        not is_owner
        and request.user.is_at_least(Role.SUPERVISOR)
        and report.status == DailyReport.Status.SUBMITTED
    )
    can_edit = is_owner and report.is_editable
    # Supervisors and up raise urgent reports from flagged entries.
    can_raise_urgent = request.user.is_at_least(Role.SUPERVISOR)
    entries = selectors.daily_report_entries(
        report=report, flagged_first=not is_owner, with_urgent=can_raise_urgent
    )
    resubmission = (
        selectors.daily_report_resubmission(report=report, entries=entries)
        if not is_owner
        else None
    )
    context = {
        "report": report,
        "entries": resubmission["entries"] if resubmission else entries,
        "resubmission": resubmission,
        "next": request.get_full_path(),
        "can_raise_urgent": can_raise_urgent,
        "events": selectors.daily_report_events(report=report),
        "is_owner": is_owner,
        "can_edit": can_edit,
        "can_review": can_review,
        "review_form": ReviewForm() if can_review else None,
        "submit_form": SubmitForm(initial={"note": report.note}) if can_edit else None,
        "unreported": selectors.daily_report_unreported_contacts(report=report) if can_edit else (),
        "planned": plan_selectors.planned_for_report(report=report) if can_edit else (),
        "drafts": selectors.entry_draft_exists(report=report) if can_edit else False,
        "is_working_day": work_calendar(report.date, report.date).is_working_day(report.date),
    }
    return render(request, "visits/report_detail.html", context)


def _editable_report(request, pk: int) -> DailyReport:
    report = selectors.daily_report_detail(user=request.user, pk=pk)
    if report.user_id != request.user.pk:
        raise PermissionDenied
    return report


def _default_time(report: DailyReport) -> time:
    now = timezone.localtime()
    if report.date == now.date():
        return now.time().replace(second=0, microsecond=0)
    return time(9, 0)


def _initial_for_new(request, report: DailyReport, draft: EntryDraft | None) -> dict:
    if draft is not None:
        return EntryForm.initial_from_draft(draft.data)
    initial: dict = {"time": _default_time(report)}
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        customer = selectors.entry_customer(user=request.user, pk=int(customer_id))
        if customer is not None:
            initial["customer"] = customer
    if request.GET.get("kind") in ("visit", "call"):
        initial["kind"] = request.GET["kind"]
    with contextlib.suppress(ValueError):
        initial["time"] = datetime.strptime(request.GET.get("time", ""), "%H:%M").time()
    return initial


def _save_entry(request, report, form, entry=None):
    """Run the service; on a rule error, put the message on the form and return None."""
    try:
        if entry is None:
            entry, created = services.daily_report_entry_create(
                report=report,
                actor=request.user,
                content=form.content(),
                form_token=form.cleaned_data["form_token"],
            )
            if not created:
                messages.info(request, _("This entry was already saved; it was not added twice."))
        else:
            services.daily_report_entry_update(
                entry=entry, actor=request.user, content=form.content()
            )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return None
    return entry


# "Save and add another" starts the next entry this much later than the one saved.
NEXT_ENTRY_STEP = timedelta(minutes=30)


def _next_time(report: DailyReport, after: time) -> time:
    """The next entry's default time: a step after the last one, never past midnight
    and, on today's report, never past now (a later time would be refused)."""
    start = datetime.combine(report.date, after)
    candidate = start + NEXT_ENTRY_STEP
    if candidate.date() != report.date:
        return after
    now = timezone.localtime()
    if report.date == now.date():
        candidate = max(start, min(candidate, now.replace(tzinfo=None)))
    return candidate.time().replace(second=0, microsecond=0)


def _after_save(request, report, entry, form):
    """Redirect with ?saved=<token>: the page then forgets the copy kept in the browser.

    "Save and add another" keeps visit or call and moves the time on; "submit"
    (the phone's action bar) sends the report once the entry is saved."""
    messages.success(
        request, _("Entry for %(customer)s saved.") % {"customer": entry.customer.name}
    )
    token = str(request.POST.get("form_token", ""))
    then = request.POST.get("then")
    if then == "another":
        query = urlencode(
            {
                "saved": token,
                "kind": form.cleaned_data["kind"],
                "time": _next_time(report, form.cleaned_data["time"]).strftime("%H:%M"),
            }
        )
        return redirect(f"{reverse('visits:entry_new', args=[report.pk])}?{query}")
    if then == "submit":
        return _submit(request, report, note=None, saved=token)
    saved = urlencode({"saved": token})
    return redirect(f"{report.get_absolute_url()}?{saved}#entry-{entry.pk}")


def _not_editable(request, report):
    messages.warning(
        request,
        _("This report is %(status)s and can no longer be changed.")
        % {"status": report.get_status_display()},
    )
    return redirect(report)


@role_required(Role.STAFF)
def entry_new(request, pk: int):
    report = _editable_report(request, pk)
    if not report.is_editable:
        return _not_editable(request, report)
    draft = selectors.entry_draft(report=report)
    if request.method == "POST":
        if request.POST.get("then") == "submit" and not request.POST.get("customer", "").strip():
            # Submit from an untouched new-entry form: nothing to save first.
            return _submit(request, report, note=None)
        form = EntryForm(request.POST, user=request.user, report=report)
        if form.is_valid() and (entry := _save_entry(request, report, form)):
            return _after_save(request, report, entry, form)
        draft = None
    else:
        form = EntryForm(
            initial=_initial_for_new(request, report, draft), user=request.user, report=report
        )
    return render(
        request,
        "visits/entry_form.html",
        {
            "report": report,
            "form": form,
            "entry": None,
            "draft": draft,
            "entry_count": selectors.daily_report_entry_count(report=report),
        },
    )


@role_required(Role.STAFF)
def entry_edit(request, pk: int, entry_id: int):
    report = _editable_report(request, pk)
    entry = selectors.daily_report_entry(report=report, pk=entry_id)
    if not report.is_editable:
        return _not_editable(request, report)
    draft = selectors.entry_draft(report=report, entry=entry)
    if request.method == "POST":
        form = EntryForm(request.POST, user=request.user, report=report)
        if form.is_valid() and _save_entry(request, report, form, entry):
            return _after_save(request, report, entry, form)
        draft = None
    else:
        initial = EntryForm.initial_from_entry(entry)
        if draft is not None:
            initial |= EntryForm.initial_from_draft(draft.data)
            initial["form_token"] = entry.form_token
        form = EntryForm(initial=initial, user=request.user, report=report)
    return render(
        request,
        "visits/entry_form.html",
        {
            "report": report,
            "form": form,
            "entry": entry,
            "draft": draft,
            "entry_count": selectors.daily_report_entry_count(report=report),
        },
    )


@require_POST
@role_required(Role.STAFF)
def entry_delete(request, pk: int, entry_id: int):
    report = _editable_report(request, pk)
    entry = selectors.daily_report_entry(report=report, pk=entry_id, with_customer=True)
    try:
        services.daily_report_entry_delete(entry=entry, actor=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("Entry for %(customer)s deleted, and its visit with it.")
            % {"customer": entry.customer.name},
        )
    return redirect(report)


def _draft_of(request, pk: int):
    """The editable report a draft is posted to, and its entry (None: a new one)."""
    report = _editable_report(request, pk)
    entry_id = request.POST.get("entry", "")
    if not entry_id.isdigit():
        return report, None
    return report, selectors.daily_report_entry(report=report, pk=int(entry_id))


@require_POST
@role_required(Role.STAFF)
def entry_draft(request, pk: int):
    """Autosave (fetch or sendBeacon): keep the entry form's content on the server."""
    report, entry = _draft_of(request, pk)
    if not report.is_editable:
        return json_error(_("This report can no longer be changed."), 409)
    draft = services.entry_draft_save(
        report=report, actor=request.user, data=request.POST, entry=entry
    )
    saved_at = timezone.localtime(draft.updated_at).strftime("%H:%M:%S") if draft else ""
    return JsonResponse({"ok": True, "saved": draft is not None, "saved_at": saved_at})


@require_POST
@role_required(Role.STAFF)
def entry_draft_discard(request, pk: int):
    report, entry = _draft_of(request, pk)
    services.entry_draft_discard(report=report, actor=request.user, entry=entry)
    messages.info(request, _("Draft discarded."))
    if entry is not None:
        return redirect("visits:entry_edit", report.pk, entry.pk)
    return redirect("visits:entry_new", report.pk)


@require_POST
@role_required(Role.STAFF)
def report_note(request, pk: int):
    """Autosave of the day's remarks."""
    report = _editable_report(request, pk)
    try:
        services.daily_report_save_note(
            report=report, actor=request.user, note=request.POST.get("note", "")[:5000]
        )
    except ValidationError as exc:
        return json_error(" ".join(exc.messages), 409)
    return JsonResponse({"ok": True, "saved": True})


@require_POST
@role_required(Role.STAFF)
def report_submit(request, pk: int):
    report = _editable_report(request, pk)
    form = SubmitForm(request.POST)
    note = form.cleaned_data["note"].strip() if form.is_valid() else None
    return _submit(request, report, note=note)


def _submit(request, report, *, note: str | None, saved: str = ""):
    """Submit the report and show it (?saved= lets the page forget a saved entry's copy)."""
    url = report.get_absolute_url() + (f"?{urlencode({'saved': saved})}" if saved else "")
    try:
        moved = services.daily_report_submit(report=report, actor=request.user, note=note)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(url)
    if moved:
        messages.success(request, _("Report submitted to your supervisor."))
    else:
        messages.info(request, _("This report was already submitted; nothing changed."))
    return redirect(url)


@role_required(Role.SUPERVISOR)
def review_queue(request):
    """Submitted reports of the unit awaiting review; those with flagged entries first."""
    page = paginate(request, selectors.daily_report_review_queue(user=request.user), 10)
    for report in page:
        report.resubmission = selectors.daily_report_resubmission(
            report=report, entries=report.entries.all()
        )
        report.entry_list = (
            report.resubmission["entries"] if report.resubmission else report.entries.all()
        )
    return render(
        request,
        "visits/review.html",
        {"page_obj": page, "review_form": ReviewForm(), "next": request.get_full_path()},
    )


def _back_to(request, report):
    """The review queue the form came from, else the report."""
    target = request.POST.get("next", "")
    queue = reverse("visits:review")
    if target == queue or target.startswith(queue + "?"):
        return redirect(target)
    return redirect(report)


@require_POST
@role_required(Role.SUPERVISOR)
def entry_flag(request, pk: int, entry_id: int):
    """Mark one entry "needs changes" with the reviewer's comment (empty: unmark)."""
    report = selectors.daily_report_detail(user=request.user, pk=pk)
    entry = selectors.daily_report_entry(report=report, pk=entry_id)
    form = EntryFlagForm(request.POST)
    comment = form.cleaned_data["flag_comment"] if form.is_valid() else ""
    try:
        flag = services.entry_flag_set(entry=entry, actor=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(report)
    if flag is None:
        messages.info(request, _("The entry is no longer marked as needing changes."))
    else:
        messages.success(request, _("Entry marked as needing changes."))
    return _back_to(request, report)


@require_POST
@role_required(Role.SUPERVISOR)
def report_review(request, pk: int):
    report = selectors.daily_report_detail(user=request.user, pk=pk)
    if report.user_id == request.user.pk:
        raise PermissionDenied
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose to mark the report reviewed or to return it."))
        return redirect(report)
    action, comment = form.cleaned_data["action"], form.cleaned_data["comment"]
    try:
        if action == "return":
            moved = services.daily_report_return(report=report, actor=request.user, comment=comment)
        else:
            moved = services.daily_report_review(report=report, actor=request.user, comment=comment)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(report)
    name = {"name": report.user.get_full_name(), "day": report.date}
    if not moved:
        messages.info(request, _("This report is no longer awaiting review; nothing changed."))
    elif action == "return":
        messages.success(
            request, _("Report of %(name)s for %(day)s returned with your comment.") % name
        )
    else:
        messages.success(request, _("Report of %(name)s for %(day)s marked reviewed.") % name)
    if action == "review_next":
        following = selectors.daily_report_next_for_review(user=request.user, after=report)
        if following is None:
            messages.info(request, _("No more reports are waiting for your review."))
            return redirect("visits:review")
        return redirect(following)
    return _back_to(request, report)
