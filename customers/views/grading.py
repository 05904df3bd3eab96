"""Grading rules (admins): edit with a preview, versions, regrade runs."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from crm_site.accounts.decorators import role_required
from crm_site.accounts.models import Role
from crm_site.core.listing import paginate
from crm_site.core.services import audit
from crm_site.core.versioning import StaleEdit

from .. import display, grading, selectors, services
from ..forms import RuleEditor
from ..models import GradingRule
from ..services.rules import definition_digest

RUN_ROWS_PER_PAGE = 50


def _rule_tables(rule: GradingRule) -> dict:
    """A rule's definition laid out for reading (grades, bands, points with labels)."""
    definition = rule.definition
    groups = []
    for key, choices in (
        ("scale", display.Scale),
        ("trend", display.Trend),
        ("nature", display.Nature),
    ):
        groups.append(
            {
                "label": display.CRITERIA[key],
                "rows": [
                    (label, definition.get(key, {}).get(value, 0))
                    for value, label in choices.choices
                ],
            }
        )
    data = rule.as_rule()
    bands = [
        {
            "min": display.money(low),
            "points": points,
            "max": display.money(data.revenue_bands[i - 1][0]) if i else None,
        }
        for i, (low, points) in enumerate(data.revenue_bands)
    ]
    return {"grades": data.grades, "bands": bands, "groups": groups}


def _preview_context(preview, rule_definition) -> dict:
    rule = GradingRule(definition=rule_definition).as_rule()
    codes = [g.code for g in rule.grades]
    extra = [c for c in preview.before if c not in codes]
    rows = [
        {
            "code": code,
            "name": rule.grade_names().get(code, code),
            "before": preview.before.get(code, 0),
            "after": preview.after.get(code, 0),
            "delta": preview.after.get(code, 0) - preview.before.get(code, 0),
        }
        for code in [*codes, *extra]
    ]
    return {"preview": preview, "preview_rows": rows, "moves": preview.sorted_moves()}


def _save_rule(request, editor, definition, current):
    """The saved rule's regrade run; None when someone saved a newer version
    since the editor was opened (said as a message; the editor keeps the
    user's rule, now standing on the newest version)."""
    try:
        return services.grading_rule_save(
            actor=request.user,
            definition=definition,
            note=editor.rule.cleaned_data.get("note", ""),
            request=request,
            version=editor.loaded_version(),
        )
    except StaleEdit as exc:
        messages.error(request, exc.messages[0])
        editor.carry_version(current.version)
        return None


@role_required(Role.ADMIN)
def grading_rules(request):
    current = selectors.current_rule()
    start_from = current
    if request.method == "GET" and request.GET.get("from"):
        start_from = selectors.rule_version(version=request.GET.get("from")) or current
    editor = RuleEditor(
        request.POST or None, definition=start_from.definition, version=current.version
    )
    context = {"current": current, "start_from": start_from, "editor": editor}
    if request.method == "POST" and editor.is_valid():
        definition = editor.definition()
        digest = definition_digest(definition)
        if request.POST.get("action") == "save":
            if editor.rule.cleaned_data.get("digest") != digest:
                messages.warning(
                    request, _("The rule changed after the preview. Check this preview, then save.")
                )
            elif run := _save_rule(request, editor, definition, current):
                messages.success(
                    request,
                    _("Rule v%(version)s saved. Customers are being regraded in the background.")
                    % {"version": run.rule.version},
                )
                return redirect(run)
        context |= _preview_context(
            services.grading_rule_preview(definition=definition), definition
        )
        context["digest"] = digest
    context |= {"tables": _rule_tables(current), **selectors.grading_overview()}
    return render(request, "customers/grading.html", context)


@role_required(Role.ADMIN)
def rule_version(request, version: int):
    rule = selectors.rule_version_detail(version=version)
    context = {
        "rule": rule,
        "tables": _rule_tables(rule),
        "is_current": rule.pk == selectors.current_rule().pk,
        "runs": rule.runs.select_related("requested_by"),
    }
    return render(request, "customers/rule_version.html", context)


@role_required(Role.ADMIN)
def regrade_run(request, pk: int):
    run = selectors.regrade_run_detail(pk=pk)
    changes, pinned = selectors.regrade_run_rows(run=run)
    change_page = paginate(request, changes, RUN_ROWS_PER_PAGE)
    pinned_page = paginate(
        request, pinned, RUN_ROWS_PER_PAGE, number=request.GET.get("pinned_page")
    )
    rule = run.rule.as_rule()
    for customer in pinned_page:
        customer.rule_grade = grading.grade(customer.attributes(), rule).grade
    context = {
        "run": run,
        "page_obj": change_page,
        "pinned_page": pinned_page,
        "moves": run.sorted_moves(),
        "summary": display.run_summary(run),
        "refresh": not run.is_finished,
    }
    return render(request, "customers/regrade_run.html", context)


@require_POST
@role_required(Role.ADMIN)
def regrade_now(request):
    run = services.regrade_run_start(
        rule=selectors.current_rule(),
        actor=request.user,
        reason=_("Regrade requested by an administrator"),
    )
    audit(actor=request.user, action="customers.regrade_requested", obj=run, request=request)
    messages.success(request, _("Regrade started."))
    return redirect(run)
