"""Every URL of the site, opened by every persona, answers what its role allows.

The table below has a row for every named URL pattern (the Django admin's own
pages and static files aside). A row gives, for each persona column, the
answer to a GET, and for action URLs the answer to a POST:

    column order: anonymous, staff, staff_other, supervisor, supervisor_other,
                  manager, manager_other, admin
    (staff_a, supervisor_a and manager_a are unit A; the *_other personas are
    unit B; every object in a URL belongs to unit A and to staff_a)

    L     302 to the login page            302   a redirect elsewhere
    200 / 403 / 404 / 405                  the status itself
    ok    (POST only) allowed: not sent here, the app's own tests cover it
    same  (POST only) any answer below 500, and the database is unchanged

A POST token other than "ok" is sent, and the database must be exactly the
same afterwards (a refused action changes nothing).

Adding a page: add a row. A URL without a row fails the test that carries its
name, and so does a row whose URL no longer exists. The objects a row's
`kwargs` may name are those of the `world` fixture (tests/security/conftest.py:
customer, contact, report, entry, complaint, notification, upload, run, rule,
urgent, ...); a new kind of object goes there first.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

import pytest
from django.apps import apps
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from customers.fields import customer_label
from tests.security.conftest import PERSONAS, database_snapshot, sign_in, snapshot_difference

pytestmark = pytest.mark.django_db

EVERYONE = "L 200 200 200 200 200 200 200"
STAFF_UP = EVERYONE
SUPERVISOR_UP = "L 403 403 200 200 200 200 200"
ADMIN_ONLY = "L 403 403 403 403 403 403 200"
# An object of unit A that staff_a owns: the other unit's people get 404.
SCOPED = "L 200 404 200 404 200 404 200"
# A page only the owner of the daily report uses (others in scope: 403).
OWNER_ONLY = "L 200 404 403 404 403 404 403"
POST_ONLY = "L 405 405 405 405 405 405 405"
OWNER_EXPORT = "L 404 404 200 404 404 404 404"
# Urgent reports and monthly summaries: supervisors and up, in scope.
URGENT_QUEUE = SUPERVISOR_UP
URGENT_SCOPED = "L 403 403 200 404 200 404 200"
URGENT_POST_ONLY = POST_ONLY
# POST columns of actions: anyone in scope may act (the other unit: 404), or
# supervisors and up in scope (staff: 403).
SCOPED_ACT = "L ok 404 ok 404 ok 404 ok"
SUPERVISOR_ACT = "L 403 403 ok 404 ok 404 ok"
ADMIN_ACT = "L 403 403 403 403 403 403 ok"


@dataclass(frozen=True)
class Case:
    get: str
    kwargs: Callable | None = None  # world -> URL kwargs
    post: str | None = None
    data: Callable | None = None  # world -> POST data
    label: str = ""


def _customer(w):
    return {"pk": w.customer.pk}


def _contact(w):
    return {"pk": w.customer.pk, "contact_id": w.contact.pk}


def _report(w):
    return {"pk": w.report.pk}


def _entry(w):
    return {"pk": w.report.pk, "entry_id": w.entry.pk}


def _complaint(w):
    return {"pk": w.complaint.pk}


def _complaint_action(action: str, post: str, data: dict | None = None, label: str = "") -> Case:
    """A step posted to the complaint's action URL (GET is not allowed)."""
    return Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.complaint.pk, "action": action},
        post=post,
        data=(lambda w: data) if data else None,
        label=label or action,
    )


def _urgent(w):
    return {"pk": w.urgent.pk}


def _claim(w):
    return {"pk": w.claim.pk}


def _claim_action(action: str, post: str, data: dict | None = None, label: str = "") -> Case:
    """A step posted to the claim's action URL (GET is not allowed)."""
    return Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.claim.pk, "action": action},
        post=post,
        data=(lambda w: data) if data else None,
        label=label or action,
    )


def _summary(w):
    return {"pk": w.summary.pk}


def _export(w):
    return {"pk": w.export_job.pk}


def _prospect(w):
    return {"pk": w.prospect.pk}


def _outlet(w):
    return {"pk": w.outlet.pk}


def _outlet_data(w):
    return {"code": "HIJACK-WD", "name": "冒充网点", "kind": "outlet", "unit": w.unit_a.pk}


def _with_token(**fields) -> Callable:
    """world -> `fields` and a fresh form token, as an idempotent form posts."""
    return lambda w: fields | {"form_token": str(uuid.uuid4())}


_contact_data = _with_token(name="冒充", mobile="13900000000")


def _entry_data(w, **extra):
    return {
        "customer": customer_label(w.customer),
        "kind": "call",
        "time": "00:11",
        "effect": "改写的效果",
        "form_token": str(uuid.uuid4()),
    } | extra


def _survey_data(w):
    from customers.voice.models import SURVEY_FIELDS

    return dict.fromkeys(SURVEY_FIELDS, "2") | {
        "surveyed_on": "2026-01-05",
        "form_token": str(uuid.uuid4()),
    }


def _enterprise_data(w):
    return {
        "customer": customer_label(w.customer),
        "visited_on": "2026-01-05",
        "visitor": w.staff.pk,
        "opinions": "越权记录",
        "form_token": str(uuid.uuid4()),
    }


# --- the REST API (/api/v1/) and the API key pages ------------------------------
# The API answers 401 (not the login page) without credentials; the matrix signs
# in with the session, as the browser's "try it out" does.
API_ALL = "401 200 200 200 200 200 200 200"
API_SCOPED = "401 200 404 200 404 200 404 200"
API_SUPERVISOR_UP = "401 403 403 200 200 200 200 200"
API_SUPERVISOR_SCOPED = "401 403 403 200 404 200 404 200"
API_POST_ONLY = "401 405 405 405 405 405 405 405"
API_SCOPED_ACT = "401 ok 404 ok 404 ok 404 ok"
WORLD_WAYBILL = "SECWB000001"


def _api_outlet(w):
    from customers.models import Outlet

    outlet, _created = Outlet.objects.get_or_create(
        code="SEC-OUT-A", defaults={"name": "安全网点", "unit": w.unit_a}
    )
    return {"pk": outlet.pk}


def _api_waybill(w):
    from customers.models import Waybill

    waybill, _created = Waybill.objects.get_or_create(number=WORLD_WAYBILL)
    w.complaint.waybills.add(waybill)
    return {"number": waybill.number}


def _api_customer(w):
    return {"customer_pk": w.customer.pk}


MATRIX: dict[str, Case | list[Case]] = {
    # --- site, accounts, notifications, audit -----------------------------
    "home": Case(EVERYONE),
    "healthz": Case("200 200 200 200 200 200 200 200"),
    # Tests run Celery eagerly: no broker, beat or worker to wait for (tests/core/test_health.py).
    "readyz": Case("200 200 200 200 200 200 200 200"),
    "favicon": Case("200 200 200 200 200 200 200 200"),
    "javascript_catalog": Case("200 200 200 200 200 200 200 200"),
    "login": Case("200 302 302 302 302 302 302 302"),
    "logout": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    "password_change": Case(
        EVERYONE,
        post="L same same same same same same same",
        data=lambda w: {
            "old_password": "wrong",
            "new_password1": "Zx9!new-pass-2026",
            "new_password2": "x",
        },
    ),  # fmt: skip
    "password_change_done": Case(EVERYONE),
    "two_factor": Case(EVERYONE),
    "two_factor_setup": Case(EVERYONE),
    "two_factor_verify": Case("L 302 302 302 302 302 302 302"),
    "two_factor_disable": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    "two_factor_codes": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    "set_language": Case("405 405 405 405 405 405 405 405", post="ok ok ok ok ok ok ok ok"),
    "core:notifications": Case(EVERYONE),
    # Someone else's notification: nothing is marked read, the list opens.
    "core:notification_read": Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.notification.pk},
        post="L ok same same same same same same",
    ),
    "core:notification_read_all": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    "audit_log": Case(ADMIN_ONLY),
    # A background export is read only by the user who asked for it (supervisor_a).
    "core:export_detail": Case(OWNER_EXPORT, kwargs=_export),
    "core:export_status": Case(OWNER_EXPORT, kwargs=_export),
    "core:export_download": Case(OWNER_EXPORT, kwargs=_export),
    # --- customers -------------------------------------------------------
    "customers:list": Case(EVERYONE),
    "customers:create": Case(STAFF_UP),
    "customers:export": Case(EVERYONE),
    "customers:import": Case(SUPERVISOR_UP),
    "customers:import_template": Case(SUPERVISOR_UP),
    # An uploaded file is read back only by its uploader (supervisor_a).
    "customers:import_preview": Case(
        "L 403 403 200 404 404 404 404", kwargs=lambda w: {"pk": w.upload.pk}
    ),
    "customers:import_apply": Case(
        POST_ONLY, kwargs=lambda w: {"pk": w.upload.pk}, post="L 403 403 ok 404 404 404 404"
    ),
    # supervisor_b ticks unit A's customer and gives it to staff_b: refused.
    "customers:reassign": Case(
        POST_ONLY,
        post="L 403 403 ok same ok same ok",
        data=lambda w: {"customers": [w.customer.pk], "visiting_person": w.staff_other.pk},
    ),
    "customers:grading": Case(ADMIN_ONLY),
    "customers:regrade_now": Case(POST_ONLY, post="L 403 403 403 403 403 403 ok"),
    "customers:rule_version": Case(ADMIN_ONLY, kwargs=lambda w: {"version": w.rule.version}),
    "customers:regrade_run": Case(ADMIN_ONLY, kwargs=lambda w: {"pk": w.run.pk}),
    "customers:autocomplete": Case(EVERYONE),
    "customers:detail": Case(SCOPED, kwargs=_customer),
    "customers:history": [
        Case(SCOPED, kwargs=lambda w: _customer(w) | {"kind": "changes"}),
        Case(SCOPED, kwargs=lambda w: _customer(w) | {"kind": "grades"}),
    ],
    "customers:edit": Case(
        SCOPED,
        kwargs=_customer,
        post=SCOPED_ACT,
        data=lambda w: {"code": "HIJACK", "name": "被改名", "unit": w.unit_b.pk},
    ),
    "customers:pin_grade": Case(
        "L 403 403 200 404 200 404 200",
        kwargs=_customer,
        post=SUPERVISOR_ACT,
        data=lambda w: {"grade": "D", "reason": "越权"},
    ),
    "customers:unpin_grade": Case(POST_ONLY, kwargs=_customer, post=SUPERVISOR_ACT),
    "customers:contact_create": Case(
        SCOPED,
        kwargs=_customer,
        post=SCOPED_ACT,
        data=_contact_data,
    ),
    "customers:contact_edit": Case(
        SCOPED,
        kwargs=_contact,
        post=SCOPED_ACT,
        data=_contact_data,
    ),
    "customers:contact_delete": Case(POST_ONLY, kwargs=_contact, post=SCOPED_ACT),
    # Personal data (PIPL): supervisors and up of the customer's unit.
    "customers:personal_data": Case(
        "L 403 403 200 404 200 404 200", kwargs=_customer, post="L 405 405 405 405 405 405 405"
    ),
    "customers:anonymise": Case(
        "L 403 403 200 404 200 404 200",
        kwargs=_customer,
        post=SUPERVISOR_ACT,
        data=lambda w: {"reason": "越权", "confirm": w.customer.code},
    ),
    # --- customer voice (issue 12) ------------------------------------------
    # Per-unit survey figures: supervisors and up (staff 403), scoped inside.
    "customers:survey_report": Case(SUPERVISOR_UP),
    "customers:survey_export": Case(SUPERVISOR_UP),
    "customers:survey_detail": Case(SCOPED, kwargs=lambda w: {"pk": w.survey.pk}),
    "customers:survey_create": Case(SCOPED, kwargs=_customer, post=SCOPED_ACT, data=_survey_data),
    "customers:enterprise_survey_list": Case(STAFF_UP),
    # The other unit cannot name unit A's customer: the form is refused, nothing saved.
    "customers:enterprise_survey_create": Case(
        STAFF_UP, post="L ok same ok same ok same ok", data=_enterprise_data
    ),
    "customers:enterprise_survey_detail": Case(SCOPED, kwargs=lambda w: {"pk": w.enterprise.pk}),
    # Only the unit's supervisor (or higher) adds the department head's opinion.
    "customers:enterprise_survey_opinion": Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.enterprise.pk},
        post=SUPERVISOR_ACT,
        data=lambda w: {"head_opinion": "越权批示"},
    ),
    "customers:watch_list": Case(SCOPED, kwargs=_customer),
    "customers:watch_create": Case(
        SCOPED,
        kwargs=_customer,
        post=SCOPED_ACT,
        data=_with_token(reported_on="2026-01-05", changed_bankruptcy="on", note_bankruptcy="越权"),
    ),
    "customers:watch_detail": Case(
        SCOPED, kwargs=lambda w: {"pk": w.customer.pk, "watch_id": w.watch.pk}
    ),
    # --- monthly turnover and targets -----------------------------------------
    # Staff see their visited customers' turnover; supervisors import and edit in
    # their units; managers set targets (the other unit's form refuses unit A).
    "customers:turnover_list": Case(EVERYONE),
    "customers:turnover_import": Case(
        SUPERVISOR_UP, post="L 403 403 same same same same same", data=lambda w: {}
    ),
    "customers:turnover_template": Case(SUPERVISOR_UP),
    # What a regrade moved, read by supervisors and up: only their units'
    # customers are listed (the other unit's see an empty page).
    "customers:turnover_regrade": Case(SUPERVISOR_UP, kwargs=lambda w: {"pk": w.run.pk}),
    "customers:turnover_edit": Case(
        "L 403 403 200 404 200 404 200",
        kwargs=lambda w: {"pk": w.turnover.pk},
        post=SUPERVISOR_ACT,
        data=lambda w: {"amount": "1.00", "version": w.turnover.version},
    ),
    "customers:customer_turnover": Case(SCOPED, kwargs=_customer),
    "customers:target_list": Case(
        "L 403 403 403 403 200 200 200",
        post="L 403 403 403 403 ok same ok",
        data=lambda w: {"unit": w.unit_a.pk, "month": "2026-01", "amount": "1"},
    ),
    # --- customer development and care dates (issue 12) -------------------
    # Prospects are staff_a's: the other unit gets 404, everyone in scope may act.
    "customers:development_list": Case(EVERYONE),
    "customers:development_create": Case(STAFF_UP),
    "customers:development_detail": Case(SCOPED, kwargs=_prospect),
    "customers:development_step": Case(
        POST_ONLY,
        kwargs=_prospect,
        post=SCOPED_ACT,
        data=_with_token(step="1", happened_on="2026-01-05"),
    ),
    "customers:development_convert": Case(
        SCOPED,
        kwargs=_prospect,
        post=SCOPED_ACT,
        data=lambda w: {"card": "new", "code": "HIJACK-1", "first_amount": "1", "how_won": "x"},
    ),
    "customers:development_drop": Case(
        POST_ONLY,
        kwargs=_prospect,
        post=SCOPED_ACT,
        data=lambda w: {"reason": "越权"},
    ),
    "customers:care_list": Case(EVERYONE),
    # --- the outlet register (网点) -----------------------------------------
    # Unit members see their units' outlets (the other unit: 404); only admins
    # edit, import and deactivate them (anyone else: 403, whatever the unit).
    "outlets:list": Case(EVERYONE),
    "outlets:detail": Case(SCOPED, kwargs=_outlet),
    "outlets:create": Case(ADMIN_ONLY, post=ADMIN_ACT, data=_outlet_data),
    "outlets:edit": Case(ADMIN_ONLY, kwargs=_outlet, post=ADMIN_ACT, data=_outlet_data),
    "outlets:deactivate": Case(POST_ONLY, kwargs=_outlet, post=ADMIN_ACT),
    "outlets:activate": Case(POST_ONLY, kwargs=_outlet, post=ADMIN_ACT),
    "outlets:export": Case(SUPERVISOR_UP),
    "outlets:import": Case(ADMIN_ONLY, post=ADMIN_ACT),
    "outlets:import_template": Case(ADMIN_ONLY),
    # --- visits ----------------------------------------------------------
    "visits:due": Case(STAFF_UP),
    "visits:log_call": Case(
        POST_ONLY,
        kwargs=lambda w: {"customer_id": w.customer.pk},
        post=SCOPED_ACT,
        data=_with_token(),
    ),
    "visits:compliance": Case(SUPERVISOR_UP),
    "visits:report_list": Case(STAFF_UP),
    # Opens (creating) the persona's own report for today: always a redirect.
    # Opens today's report (staff_a has one), or a page whose button starts it.
    "visits:report_new": Case("L 302 200 200 200 200 200 200", post="L ok ok ok ok ok ok ok"),
    "visits:review": Case(SUPERVISOR_UP),
    "visits:report_detail": Case(SCOPED, kwargs=_report),
    "visits:report_submit": Case(
        POST_ONLY, kwargs=_report, post="L ok 404 403 404 403 404 403", data=lambda w: {"note": ""}
    ),
    "visits:report_note": Case(
        POST_ONLY, kwargs=_report, post="L ok 404 403 404 403 404 403", data=lambda w: {"note": "x"}
    ),
    "visits:report_review": Case(
        POST_ONLY,
        kwargs=_report,
        post=SUPERVISOR_ACT,
        data=lambda w: {"action": "return", "comment": "越权退回"},
    ),
    "visits:entry_new": Case(
        OWNER_ONLY, kwargs=_report, post="L ok 404 403 404 403 404 403", data=_entry_data
    ),
    "visits:entry_edit": Case(
        OWNER_ONLY, kwargs=_entry, post="L ok 404 403 404 403 404 403", data=_entry_data
    ),
    "visits:entry_delete": Case(POST_ONLY, kwargs=_entry, post="L ok 404 403 404 403 404 403"),
    # A reviewer's "needs changes" mark on one entry: supervisors and up, in scope.
    "visits:entry_flag": Case(
        POST_ONLY, kwargs=_entry, post=SUPERVISOR_ACT, data=lambda w: {"flag_comment": "需修改"}
    ),
    "visits:entry_draft": Case(
        POST_ONLY, kwargs=_report, post="L ok 404 403 404 403 404 403", data=_entry_data
    ),
    "visits:entry_draft_discard": Case(
        POST_ONLY, kwargs=_report, post="L ok 404 403 404 403 404 403"
    ),
    # Market and competitor intelligence (issue 12): everyone sees their own scope.
    "visits:intelligence": Case(STAFF_UP),
    # --- urgent reports (issue 6) -----------------------------------------
    # Staff never see urgent reports (403); the other unit's people get 404.
    "visits:urgent_list": Case(URGENT_QUEUE),
    "visits:urgent_rows": Case(URGENT_QUEUE),
    "visits:urgent_create": Case(URGENT_QUEUE),
    "visits:urgent_detail": Case(URGENT_SCOPED, kwargs=_urgent),
    "visits:urgent_acknowledge": Case(
        URGENT_POST_ONLY, kwargs=_urgent, post="L 403 403 same 404 ok 404 ok"
    ),
    "visits:urgent_comment": Case(
        URGENT_POST_ONLY,
        kwargs=_urgent,
        post=SUPERVISOR_ACT,
        data=lambda w: {"comment-comment": "越权批注", "comment-token": str(uuid.uuid4())},
    ),
    "visits:urgent_reassign": Case(
        URGENT_POST_ONLY,
        kwargs=_urgent,
        post="L 403 403 same 404 ok 404 ok",
        data=lambda w: {"reassign-assignee": w.manager_other.pk, "reassign-reason": "越权转派"},
    ),
    "visits:urgent_resolve": Case(
        URGENT_POST_ONLY,
        kwargs=_urgent,
        post="L 403 403 same 404 ok 404 ok",
        data=lambda w: {"resolve-resolution": "越权结案"},
    ),
    # Taking over is for a report still pending routing; this one is routed,
    # so even the unit's manager changes nothing.
    "visits:urgent_take_over": Case(
        URGENT_POST_ONLY, kwargs=_urgent, post="L 403 403 same 404 same 404 same"
    ),
    # --- the visit calendar, planned contacts, feeds and service plans -------
    # The calendar opens on one's own week; a person or unit out of reach is a
    # 404 (tests/visits/test_plans.py).
    "visits:calendar": Case(STAFF_UP),
    "visits:calendar_events": Case(STAFF_UP),
    "visits:calendar_feed_enable": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    "visits:calendar_feed_revoke": Case(POST_ONLY, post="L ok ok ok ok ok ok ok"),
    # The private feed needs no sign-in: the token is the key (revoked: 404).
    "visits:calendar_feed_ics": Case(
        "200 200 200 200 200 200 200 200", kwargs=lambda w: {"token": w.feed.token}
    ),
    "visits:planned_contact": Case(SCOPED, kwargs=lambda w: {"pk": w.planned.pk}),
    "visits:planned_contact_move": Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.planned.pk},
        post=SCOPED_ACT,
        data=lambda w: {"day": (w.planned.day + timedelta(days=1)).isoformat()},
    ),
    "visits:planned_contact_cancel": Case(
        POST_ONLY,
        kwargs=lambda w: {"pk": w.planned.pk},
        post=SCOPED_ACT,
        data=lambda w: {"reason": "越权取消"},
    ),
    # Service plans: managers draft and approve; staff read their units' approved plans.
    "visits:plan_list": Case(STAFF_UP),
    "visits:plan_new": Case(
        "L 403 403 403 403 200 200 200",
        post="L 403 403 403 403 ok same ok",
        data=lambda w: {
            "unit": w.unit_a.pk,
            "title": "越权计划",
            "period": "month",
            "start": "2027-03-01",
            "end": "2027-03-31",
            "visits_target": "1",
        },
    ),
    "visits:plan_detail": Case(SCOPED, kwargs=lambda w: {"pk": w.plan.pk}),
    # The world's plan is approved: nobody edits it any more.
    "visits:plan_edit": Case("L 403 403 403 403 403 404 403", kwargs=lambda w: {"pk": w.plan.pk}),
    "visits:plan_approve": Case(
        POST_ONLY, kwargs=lambda w: {"pk": w.plan.pk}, post="L 403 403 403 403 same 404 same"
    ),
    # --- monthly summaries (issue 7) ---------------------------------------
    "reports:monthly_list": Case(SUPERVISOR_UP),
    "reports:monthly_detail": Case(URGENT_SCOPED, kwargs=_summary),
    "reports:monthly_status": Case(URGENT_SCOPED, kwargs=_summary),
    "reports:monthly_export": Case(URGENT_SCOPED, kwargs=_summary),
    "reports:monthly_request": Case(URGENT_SCOPED, kwargs=lambda w: {"pk": w.rollup_request.pk}),
    "reports:monthly_build": Case(
        "L 403 403 405 405 405 405 405",
        post="L 403 403 ok same same same ok",
        data=lambda w: {"unit": w.unit_a.pk, "month": w.summary.month.strftime("%Y-%m")},
    ),
    "reports:monthly_rebuild": Case(
        "L 403 403 405 405 405 405 405", kwargs=_summary, post="L 403 403 ok 404 same 404 ok"
    ),
    "reports:monthly_commentary": Case(
        "L 403 403 405 405 405 405 405",
        kwargs=_summary,
        post="L 403 403 ok 404 same 404 ok",
        data=lambda w: {"commentary": "越权批注"},
    ),
    "reports:monthly_review": Case(
        "L 403 403 405 405 405 405 405",
        kwargs=_summary,
        post="L 403 403 same 404 ok 404 ok",
        data=lambda w: {"review_comment": "越权审阅"},
    ),
    # --- customer analysis and big-customer reviews (issue 12) -------------
    "reports:analysis": Case(SUPERVISOR_UP),
    "reports:revenue_gap": Case(SUPERVISOR_UP),
    # Big-customer revenue reports: everyone with a role, on their own units and
    # the turnover they may see (another unit's report 404:
    # tests/reports/test_big_customer_revenue.py).
    "reports:big_customers": Case(STAFF_UP),
    "reports:big_customers_export": Case(STAFF_UP),
    # Market shares and cost ratios: supervisors and up read; managers and up
    # enter (the other unit's manager cannot pick unit A or its region).
    "reports:market": Case(SUPERVISOR_UP),
    "reports:market_estimates": Case(
        "L 403 403 403 403 200 200 200",
        post="L 403 403 403 403 ok same ok",
        data=lambda w: {
            "region": w.region.pk,
            "year": "2026",
            "market_size": "1000",
            "competitor_turnover": "100",
        },
    ),
    "reports:market_costs": Case(
        "L 403 403 403 403 200 200 200",
        post="L 403 403 403 403 ok same ok",
        data=lambda w: {"unit": w.unit_a.pk, "month": "2026-01", "advertising": "1"},
    ),
    "reports:analysis_export": Case(SUPERVISOR_UP),
    "reports:review_list": Case(SUPERVISOR_UP),
    # The other unit's people cannot pick unit A: refused, nothing opened.
    "reports:review_open": Case(
        "L 403 403 405 405 405 405 405",
        post="L 403 403 ok same ok same ok",
        data=lambda w: {"unit": w.unit_a.pk, "quarter": w.review.quarter_label},
    ),
    "reports:review_detail": Case(URGENT_SCOPED, kwargs=lambda w: {"pk": w.review.pk}),
    "reports:review_item": Case(
        "L 403 403 405 405 405 405 405",
        kwargs=lambda w: {"pk": w.review.pk, "item_id": w.review_item.pk},
        post=SUPERVISOR_ACT,
        data=lambda w: {f"item{w.review_item.pk}-findings": "越权记录"},
    ),
    # --- complaints -----------------------------------------------------
    "complaints:list": Case(EVERYONE),
    "complaints:create": Case(STAFF_UP),
    "complaints:export": Case(EVERYONE),
    "complaints:stats": Case(EVERYONE),
    "complaints:detail": Case(SCOPED, kwargs=_complaint),
    "complaints:print": Case(SCOPED, kwargs=_complaint),
    # Not resolved yet: the notice page sends the user back to the complaint.
    "complaints:notice": Case("L 302 404 302 404 302 404 302", kwargs=_complaint),
    "complaints:recording": Case(SCOPED, kwargs=_complaint),
    "complaints:action": [
        _complaint_action("start", SCOPED_ACT, {"start-comment": "越权开始调查"}),
        _complaint_action(
            "approve", "L 403 404 403 404 ok 404 ok", {"approve-comment": "越权批准"}
        ),
        # Pausing the clock: anyone in scope who works the complaint; the
        # other unit's people do not see it.
        _complaint_action(
            "pause", SCOPED_ACT, {"pause-reason": "outlet_reply", "pause-comment": "等网点回复"}
        ),
        # Resuming a clock that runs is refused for everyone and changes nothing.
        _complaint_action(
            "resume", "L same 404 same 404 same 404 same", {"resume-comment": "恢复"}
        ),
        _complaint_action(
            "no-such-action", "L 404 404 404 404 404 404 404", label="unknown action"
        ),
        _complaint_action(
            "waybills", SCOPED_ACT, {"waybills-waybills": "SEC0000000001"}, label="waybills"
        ),
    ],
    # Merging two complaints about one waybill: supervisors and up of the unit
    # (refused before the form is read; tests/complaints/test_waybills.py merges).
    "complaints:merge": Case(
        POST_ONLY,
        kwargs=_complaint,
        post="L 403 404 ok 404 ok 404 ok",
        data=lambda w: {"merge-other": w.complaint.pk, "merge-keep": "this"},
    ),
    # The search box: everyone signed in, each finding only their scope (tests/reports).
    "search:search": Case(EVERYONE),
    # A waybill named only by unit A's complaints: the other unit's people get 404.
    "waybills:detail": Case(SCOPED, kwargs=lambda w: {"number": "SEC1234567890"}),
    # --- claims (理赔) on complaints -----------------------------------------
    "complaints:claims": Case(EVERYONE),
    "complaints:claim_export": Case(EVERYONE),
    "complaints:claim_payouts": Case(SUPERVISOR_UP),
    "complaints:claim_create": Case(SCOPED, kwargs=_complaint),
    "complaints:claim_detail": Case(SCOPED, kwargs=_claim),
    "complaints:claim_evidence": Case(
        SCOPED, kwargs=lambda w: {"pk": w.claim.pk, "evidence_id": w.claim_evidence.pk}
    ),
    "complaints:claim_action": [
        # staff_a filed and assessed it: not theirs to approve or reject.
        _claim_action("approve", "L 403 404 ok 404 ok 404 ok", {"approve-comment": "越权批准"}),
        _claim_action("reject", "L 403 404 ok 404 ok 404 ok", {"reject-reason": "越权拒赔"}),
        _claim_action(
            "pay",
            "L 403 404 ok 404 ok 404 ok",
            {"pay-paid_amount": "280.00", "pay-paid_on": "2026-01-05"},
        ),
        _claim_action("assess", SCOPED_ACT, {"assess-assessed_amount": "1.00"}),
        _claim_action("no-such-action", "L 404 404 404 404 404 404 404", label="unknown action"),
    ],
    # --- the REST API and the API key pages ------------------------------
    "api_keys": Case(EVERYONE),
    "api_key_revoke": Case(
        POST_ONLY,
        kwargs=lambda w: {"prefix": w.api_key.prefix},
        post="L ok 404 404 404 404 404 ok",
    ),
    "api:schema": Case(API_ALL),
    "api:docs": Case(EVERYONE),
    "api:redoc": Case(EVERYONE),
    "api:customer-list": Case(API_ALL),
    "api:customer-detail": Case(API_SCOPED, kwargs=_customer),
    "api:contact-list": Case(API_SCOPED, kwargs=_api_customer),
    "api:contact-detail": Case(
        API_SCOPED, kwargs=lambda w: {"customer_pk": w.customer.pk, "pk": w.contact.pk}
    ),
    "api:daily-report-list": Case(API_ALL),
    "api:daily-report-detail": Case(API_SCOPED, kwargs=_report),
    "api:daily-report-entries": Case(API_SCOPED, kwargs=_report),
    "api:entry-list": Case(API_POST_ONLY),
    "api:urgent-report-list": Case(API_SUPERVISOR_UP),
    "api:urgent-report-detail": Case(API_SUPERVISOR_SCOPED, kwargs=_urgent),
    "api:urgent-report-acknowledge": Case(
        "401 403 403 405 405 405 405 405",
        kwargs=_urgent,
        post="401 403 403 same 404 same 404 same",
    ),
    "api:complaint-list": Case(API_ALL),
    "api:complaint-detail": Case(API_SCOPED, kwargs=_complaint),
    "api:complaint-step": Case(
        API_POST_ONLY,
        kwargs=lambda w: {"pk": w.complaint.pk, "step": "start"},
        post=API_SCOPED_ACT,
    ),
    "api:claim-list": Case(API_ALL),
    "api:claim-detail": Case(API_SCOPED, kwargs=_claim),
    # Planned contacts: the caller's own calendar by default; POST is a create
    # whose answer the API tests check (tests/api/test_claims_and_planned_contacts.py).
    "api:planned-contact-list": Case(API_ALL),
    "api:planned-contact-detail": Case(API_SCOPED, kwargs=lambda w: {"pk": w.planned.pk}),
    # Monthly turnover: staff read their visited customers', supervisors and up
    # their units'; saving is supervisors' and up (staff: 403). POSTs that would
    # save are checked by tests/api/test_turnover.py.
    "api:turnover-list": Case(API_ALL, post="401 403 403 ok ok ok ok ok"),
    "api:turnover-detail": Case(API_SCOPED, kwargs=lambda w: {"pk": w.turnover.pk}),
    "api:turnover-batch": Case(API_POST_ONLY, post="401 403 403 ok ok ok ok ok"),
    "api:outlet-list": Case(API_ALL),
    # What Outlet.objects.visible_to holds: the unit's members, staff included.
    "api:outlet-detail": Case(API_SCOPED, kwargs=_api_outlet),
    "api:waybill-detail": Case(API_SCOPED, kwargs=_api_waybill),
    "api:waybill-events": Case(API_POST_ONLY, kwargs=_api_waybill, post=API_SCOPED_ACT),
    "api:summary-list": Case(API_SUPERVISOR_UP),
    "api:summary-detail": Case(API_SUPERVISOR_SCOPED, kwargs=_summary),
    "api:notification-list": Case(API_ALL),
    "api:notification-detail": Case(
        "401 200 404 404 404 404 404 404", kwargs=lambda w: {"pk": w.notification.pk}
    ),
    "api:notification-read": Case(
        API_POST_ONLY,
        kwargs=lambda w: {"pk": w.notification.pk},
        post="401 ok 404 404 404 404 404 404",
    ),
    "api:notification-read-all": Case(API_POST_ONLY, post="401 ok ok ok ok ok ok ok"),
}


# --- the URL resolver --------------------------------------------------------


def _walk(patterns, namespace="", route=""):
    for pattern in patterns:
        here = route + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                continue  # the Django admin's own pages: admins only, by Django
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, inner, here)
        elif isinstance(pattern, URLPattern):
            if settings.STATIC_URL and here.startswith(settings.STATIC_URL.lstrip("/")):
                continue
            yield (f"{namespace}{pattern.name}" if pattern.name else None), here


def site_url_names() -> dict[str, str]:
    """Every named URL pattern of the site: name -> route."""
    return {
        name or f"<unnamed {route}>": route for name, route in _walk(get_resolver().url_patterns)
    }


SITE_URLS = site_url_names()


def matches(token: str, response) -> bool:
    status = response.status_code
    if token == "L":
        return status == 302 and response["Location"].startswith(reverse("login"))
    if token == "302":
        return status == 302 and not response["Location"].startswith(reverse("login"))
    if token == "same":
        return status < 500
    return status == int(token)


def _describe(response) -> str:
    if response.status_code in (301, 302):
        return f"{response.status_code} -> {response['Location']}"
    return str(response.status_code)


def _check_row(client, world, name: str, case: Case) -> list[str]:
    problems = []
    tokens = case.get.split()
    assert len(tokens) == len(PERSONAS), f"{name}: the GET row needs {len(PERSONAS)} columns"
    url = reverse(name, kwargs=case.kwargs(world) if case.kwargs else None)
    where = f"{name}{f' ({case.label})' if case.label else ''} {url}"
    for persona, token in zip(PERSONAS, tokens, strict=True):
        sign_in(client, world, persona)
        response = client.get(url)
        if not matches(token, response):
            problems.append(
                f"GET {where} as {persona}: expected {token}, got {_describe(response)}"
            )
    if case.post is None:
        return problems
    tokens = case.post.split()
    assert len(tokens) == len(PERSONAS), f"{name}: the POST row needs {len(PERSONAS)} columns"
    for persona, token in zip(PERSONAS, tokens, strict=True):
        if token == "ok":
            continue
        sign_in(client, world, persona)
        data = case.data(world) if case.data else {}
        before = database_snapshot()
        response = client.post(url, data)
        changed = snapshot_difference(before, database_snapshot())
        if not matches(token, response):
            problems.append(
                f"POST {where} as {persona}: expected {token}, got {_describe(response)}"
            )
        if changed:
            problems.append(f"POST {where} as {persona} changed data: {', '.join(changed)}")
    return problems


@pytest.mark.parametrize("name", sorted(set(SITE_URLS) | set(MATRIX)))
def test_every_persona_gets_the_answer_its_role_allows(name, client, world):
    assert name in SITE_URLS, (
        f"The permission matrix has a row for {name!r}, which is no longer a URL of the site: "
        "remove the row from MATRIX in tests/security/test_permission_matrix.py."
    )
    assert name in MATRIX, (
        f"The URL {name!r} ({SITE_URLS[name]}) has no row in the permission matrix: add one to "
        "MATRIX in tests/security/test_permission_matrix.py saying what each role gets."
    )
    cases = MATRIX[name] if isinstance(MATRIX[name], list) else [MATRIX[name]]
    problems = [p for case in cases for p in _check_row(client, world, name, case)]
    assert not problems, "\n".join(problems)


def test_the_matrix_covers_the_pages_of_the_design():
    """The URL map of DESIGN.md is in the table (a safety net for the walk itself)."""
    for name in [
        "customers:list",
        "customers:detail",
        "customers:export",
        "customers:import",
        "customers:grading",
        "visits:due",
        "visits:compliance",
        "visits:report_detail",
        "visits:review",
        "complaints:list",
        "complaints:detail",
        "complaints:export",
        "complaints:stats",
        "audit_log",
    ]:
        assert name in SITE_URLS and name in MATRIX


# --- scope: which rows each persona's visible_to holds -------------------------
#
# One row per object of the world, read against `Model.objects.visible_to(user)`
# directly (rows without a page of their own included). Columns: staff,
# staff_other, supervisor, supervisor_other, manager, manager_other, admin;
# 1 = visible. `owned_when_inactive`: the persona (by column name) who still
# holds the row once deactivated (rows addressed to one person); for every
# other row a deactivated persona holds nothing.

IN_SCOPE = "1 0 1 0 1 0 1"  # unit A's, owned by staff_a
LEADS_ONLY = "0 0 1 0 1 0 1"  # unit A's, supervisors and up


@dataclass(frozen=True)
class Scope:
    visible: str
    owned_when_inactive: str | None = None


SCOPE_MATRIX = {
    "customer": Scope(IN_SCOPE),
    "visit": Scope(IN_SCOPE),
    "report": Scope(IN_SCOPE),
    "entry": Scope(IN_SCOPE),
    "draft": Scope("1 0 0 0 0 0 0"),
    "complaint": Scope(IN_SCOPE),
    "claim": Scope(IN_SCOPE),
    "urgent": Scope(LEADS_ONLY),
    "summary": Scope(LEADS_ONLY),
    "rollup_request": Scope(LEADS_ONLY),
    "notification": Scope("1 0 0 0 0 0 0", owned_when_inactive="staff"),
    "export_job": Scope("0 0 1 0 0 0 0", owned_when_inactive="supervisor"),
    "upload": Scope("0 0 1 0 0 0 0", owned_when_inactive="supervisor"),
    # Customer voice, development, care dates, competitors and reviews.
    "survey": Scope(IN_SCOPE),
    "enterprise": Scope(IN_SCOPE),
    "watch": Scope(IN_SCOPE),
    "prospect": Scope(IN_SCOPE),
    # Outlets: every member of unit A, staff included.
    "outlet": Scope(IN_SCOPE),
    "care_reminder": Scope(IN_SCOPE),
    "review": Scope(LEADS_ONLY),
    # Competitor names are one vocabulary for every unit; the tags follow the entry.
    "competitor": Scope("1 1 1 1 1 1 1"),
    "entry_competitor": Scope(IN_SCOPE),
    # A reviewer's "needs changes" mark follows its entry.
    "entry_flag": Scope(IN_SCOPE),
    # An API key is its owner's; admins see every key (to revoke one).
    "api_key": Scope("1 0 0 0 0 0 1", owned_when_inactive="staff"),
    # Planned contacts follow their person and unit; plans their unit; a feed is its owner's.
    "planned": Scope(IN_SCOPE),
    "plan": Scope(IN_SCOPE),
    "feed": Scope("1 0 0 0 0 0 0"),
    # Turnover follows its customer (staff: the customers they visit); targets are the leads'.
    "turnover": Scope(IN_SCOPE),
    "revenue_target": Scope(LEADS_ONLY),
    # A market estimate is seen with the customers of its region; costs are the leads'.
    "market_estimate": Scope(IN_SCOPE),
    "marketing_cost": Scope(LEADS_ONLY),
}
SCOPE_PERSONAS = PERSONAS[1:]


def _visible(obj, user) -> bool:
    return type(obj).objects.visible_to(user).filter(pk=obj.pk).exists()


@pytest.mark.parametrize("kind", sorted(SCOPE_MATRIX))
def test_visible_to_holds_each_object_for_exactly_the_personas_of_its_row(kind, world):
    obj = getattr(world, kind)
    expected = dict(zip(SCOPE_PERSONAS, SCOPE_MATRIX[kind].visible.split(), strict=True))
    got = {p: "1" if _visible(obj, world.people[p]) else "0" for p in SCOPE_PERSONAS}
    assert got == expected
    assert not _visible(obj, AnonymousUser())


@pytest.mark.parametrize("kind", sorted(SCOPE_MATRIX))
def test_a_deactivated_persona_holds_nothing_but_what_is_addressed_to_them(kind, world):
    obj = getattr(world, kind)
    owner = SCOPE_MATRIX[kind].owned_when_inactive
    for persona in SCOPE_PERSONAS:
        user = world.people[persona]
        user.is_active = False
        user.save(update_fields=["is_active"])
        assert _visible(obj, user) == (persona == owner), (kind, persona)
        user.is_active = True
        user.save(update_fields=["is_active"])


# Scoped models without an object in the world: their scope is their parent's
# (history rows) or the audit log's own rule, covered by tests/accounts/test_scope.py.
SCOPE_MATRIX_EXEMPT = {
    "core.AuditLog",
    "visits.DailyReportEvent",
    "visits.PlannedContactEvent",
    "visits.ServicePlanEvent",
}


def test_the_scope_matrix_covers_every_model_with_visible_to(world):
    """A model that gains a scope gains a row here (and its object goes to the world)."""
    scoped = {
        model._meta.label
        for model in apps.get_models()
        if hasattr(model._default_manager, "visible_to")
    }
    covered = {type(getattr(world, kind))._meta.label for kind in SCOPE_MATRIX}
    assert scoped - covered - SCOPE_MATRIX_EXEMPT == set()
