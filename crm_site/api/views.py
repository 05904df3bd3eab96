"""The API's endpoints: HTTP only. Reads call the pages' selectors (so the
scope is theirs: a row outside it is a 404); writes bind the pages' forms and
call the pages' services, so a key can never see or do more than its user on
the pages."""

import contextlib
import uuid

from django.db.models import Model
from django.shortcuts import get_object_or_404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.utils.translation.trans_real import parse_accept_lang_header
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from complaints import forms as complaint_forms
from complaints import permissions as complaint_permissions
from complaints import selectors as complaint_selectors
from complaints import services as complaint_services
from complaints.claims import selectors as claim_selectors
from complaints.claims.filters import STATE_CHOICES as CLAIM_STATES
from complaints.claims.filters import register_filter as claim_register_filter
from complaints.claims.models import Claim, ClaimKind
from complaints.filters import ComplaintFilter
from complaints.models import Complaint
from crm_site.accounts.models import Role
from crm_site.accounts.scope import is_at_least
from crm_site.core import selectors as core_selectors
from crm_site.core import services as core_services
from crm_site.core.models import Notification
from customers import selectors as customer_selectors
from customers import services as customer_services
from customers.forms import ContactForm, CustomerForm
from customers.models import Contact, Customer, Outlet, Waybill
from customers.revenue import selectors as revenue_selectors
from customers.revenue import services as revenue_services
from customers.revenue.filters import TurnoverFilter
from customers.revenue.models import MonthlyTurnover
from reports import permissions as report_permissions
from reports import selectors as report_selectors
from reports.filters import SummaryFilter
from reports.models import MonthlyPatrolSummary
from visits import selectors as visit_selectors
from visits import services as visit_services
from visits.filters import DailyReportFilter
from visits.forms import EntryForm
from visits.models import DailyReport, DailyReportEntry, UrgentReport
from visits.plans import selectors as plan_selectors
from visits.plans import services as plan_services
from visits.plans.filters import PlannedContactFilter
from visits.plans.forms import PlannedContactForm
from visits.plans.models import ContactKind, PlannedContact
from visits.urgent import selectors as urgent_selectors
from visits.urgent import services as urgent_services
from visits.urgent.filters import UrgentFilter
from visits.urgent.forms import AcknowledgeForm, UrgentReportForm

from . import selectors, serializers, services
from .errors import FormInvalid
from .idempotency import idempotent

ERRORS = dict.fromkeys((400, 401, 403, 404, 409, 429), serializers.ErrorSerializer)
IDEMPOTENCY_HEADER = OpenApiParameter(
    "Idempotency-Key",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    description=gettext_lazy(
        "A retry with the same key returns the first answer and creates nothing. "
        "同一键的重试返回首次结果，不会重复创建。"
    ),
)


def documented(
    serializer,
    *,
    list=None,
    filters=None,
    retrieve=None,
    create=None,
    create_input=None,
    partial_update=None,
    update_input=None,
):
    """The schema of a viewset's standard actions, given their summaries: a
    list of `serializer` (with the query parameters `filters`), one of it, a
    create from `create_input` (201, with the Idempotency-Key header) and a
    change from `update_input`; every action documents the error answers."""
    actions = {}
    if list is not None:
        parameters = {} if filters is None else {"parameters": filters}
        actions["list"] = extend_schema(
            summary=list, responses={200: serializer(many=True), **ERRORS}, **parameters
        )
    if retrieve is not None:
        actions["retrieve"] = extend_schema(summary=retrieve, responses={200: serializer, **ERRORS})
    if create is not None:
        actions["create"] = extend_schema(
            summary=create,
            request=create_input,
            parameters=[IDEMPOTENCY_HEADER],
            responses={201: serializer, **ERRORS},
        )
    if partial_update is not None:
        actions["partial_update"] = extend_schema(
            summary=partial_update, request=update_input, responses={200: serializer, **ERRORS}
        )
    return extend_schema_view(**actions)


def _language(request) -> str | None:
    """The language the caller asked for in Accept-Language, if we have it."""
    header = request.META.get("HTTP_ACCEPT_LANGUAGE", "")
    for code, _q in parse_accept_lang_header(header):
        if code == "*":
            continue
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return None


class ApiView:
    """Base of every API view: signed-in by key or session (not the login
    page's redirect), answers in the caller's language."""

    @classmethod
    def as_view(cls, *args, **kwargs):
        view = super().as_view(*args, **kwargs)
        view.login_required = False
        return csrf_exempt(view)

    def initial(self, request, *args, **kwargs):
        asked = _language(request)
        if asked:
            translation.activate(asked)
        super().initial(request, *args, **kwargs)
        if not asked:
            language = getattr(request.user, "language", "")
            if language:
                with contextlib.suppress(LookupError):
                    translation.activate(translation.get_supported_language_variant(language))
        request.LANGUAGE_CODE = translation.get_language()


def _minimum_role(request, role: Role) -> None:
    """403 for a role that may never use the matching page."""
    if not is_at_least(request.user, role):
        raise exceptions.PermissionDenied()


def _form_value(value):
    if value is None:
        return ""
    if isinstance(value, Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_form_value(v) for v in value]
    return value


def _bound_data(form_class, data, *, initial=None, **form_kwargs) -> dict:
    """The input as the page's form receives it: the stored values (for an
    update) under the given ones; null is an empty field."""
    base = {}
    if initial is not None:
        unbound = form_class(**initial, **form_kwargs)
        base = {name: _form_value(unbound.initial.get(name)) for name in unbound.fields}
    if not isinstance(data, dict):
        raise exceptions.ParseError(_("Send a JSON object."))
    given = {name: _form_value(value) for name, value in data.items()}
    return base | given


def _valid(form):
    if not form.is_valid():
        raise FormInvalid(
            {
                ("non_field_errors" if name == "__all__" else name): [str(m) for m in messages]
                for name, messages in form.errors.items()
            }
        )
    return form.cleaned_data


def _filters(filterset):
    """A list's filters: invalid ones are a 400 (the page would show them)."""
    if filterset.is_bound and not filterset.form.is_valid():
        raise FormInvalid(
            {name: [str(m) for m in messages] for name, messages in filterset.form.errors.items()}
        )
    return filterset


def _query(request) -> dict | None:
    """The query parameters a filter set reads (pagination's own left out)."""
    return {
        k: v for k, v in request.query_params.items() if k not in ("cursor", "page_size")
    } or None


# No customer code has a space and a question mark: the form says "no such customer".
NOT_A_CUSTOMER = "? ?"


def _customer_code(user, value) -> str:
    """A customer id given to the API as the pages' customer field takes it (its code)."""
    if value in (None, ""):
        return ""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return NOT_A_CUSTOMER
    code = selectors.customer_code_in_scope(user=user, pk=pk)
    return code or NOT_A_CUSTOMER


class ReadViewSet(ApiView, mixins.ListModelMixin, viewsets.GenericViewSet):
    pass


# --- customers and contacts ---------------------------------------------------------


def _customer_filter_parameters():
    return [
        OpenApiParameter(name, OpenApiTypes.STR, description=description)
        for name, description in [
            ("q", gettext_lazy("Code, name or contact phone")),
            ("grade", gettext_lazy("Grade")),
            ("status", gettext_lazy("Status")),
            ("unit", gettext_lazy("Service unit")),
            ("region", gettext_lazy("Region")),
            ("nature", gettext_lazy("Nature")),
            ("trend", gettext_lazy("Development trend")),
            ("visiting_person", gettext_lazy("Visiting person")),
        ]
    ]


@documented(
    serializers.CustomerSerializer,
    list=gettext_lazy("Customers (客户) in your scope, with the list page's filters"),
    filters=_customer_filter_parameters(),
    retrieve=gettext_lazy("One customer card (客户资料卡)"),
    create=gettext_lazy("Create a customer; graded by the current rule (grade is read-only)"),
    create_input=serializers.CustomerInputSerializer,
    partial_update=gettext_lazy("Change a customer; `version` guards against a lost update"),
    update_input=serializers.CustomerPatchSerializer,
)
class CustomerViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = serializers.CustomerSerializer
    queryset = selectors.schema_only(Customer)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def list(self, request):
        user = request.user
        rule = customer_selectors.current_rule().as_rule()
        query = _query(request)
        filters = {}
        if query:
            # The list page's filter form, with its choices (units, people, regions)
            # read only when a filter is given.
            filterset = _filters(
                customer_selectors.customer_filter(
                    user=user,
                    data=query,
                    rule=rule,
                    people=customer_selectors.person_choices(user=user),
                )
            )
            filters = filterset.cleaned_filters()
        customers = customer_selectors.customer_list(
            user=user, filters=filters, sort="code", rule=rule
        )
        page = self.paginate_queryset(customers)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        customer = customer_selectors.customer_for(user=request.user, pk=_pk(pk))
        return Response(self.get_serializer(customer).data)

    def _save(self, request, customer=None):
        user = request.user
        data = dict(request.data) if isinstance(request.data, dict) else request.data
        kwargs = {"user": user}
        if customer is None:
            data = _bound_data(CustomerForm, data, **kwargs)
            data["form_token"] = str(uuid.uuid4())
            form = CustomerForm(data, **kwargs)
        else:
            data = _bound_data(CustomerForm, data, initial={"instance": customer}, **kwargs)
            data.pop("version_digest", None)
            if "version" not in request.data:
                data.pop("version", None)
            form = CustomerForm(data, instance=customer, **kwargs)
        cleaned = _valid(form)
        common = {
            "actor": user,
            "fields": form.service_fields(),
            "services": cleaned.get("services", []),
            "override_reason": cleaned.get("override_reason", ""),
        }
        if customer is None:
            return customer_services.customer_create(form_token=cleaned["form_token"], **common)
        stored = customer_selectors.customer_stored(pk=customer.pk)
        return customer_services.customer_update(
            customer=stored, version=form.loaded_version(), **common
        )

    @idempotent
    def create(self, request):
        customer = self._save(request)
        return Response(self.get_serializer(customer).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, pk=None):
        customer = customer_selectors.customer_for(user=request.user, pk=_pk(pk))
        saved = self._save(request, customer)
        return Response(self.get_serializer(saved).data)


def _pk(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise exceptions.NotFound() from exc


CUSTOMER_PK = OpenApiParameter("customer_pk", OpenApiTypes.INT, OpenApiParameter.PATH)


@extend_schema(parameters=[CUSTOMER_PK])
@documented(
    serializers.ContactSerializer,
    list=gettext_lazy("A customer's contacts (联系人)"),
    retrieve=gettext_lazy("One contact"),
    create=gettext_lazy("Add a contact"),
    create_input=serializers.ContactInputSerializer,
    partial_update=gettext_lazy("Change a contact"),
    update_input=serializers.ContactPatchSerializer,
)
class ContactViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = serializers.ContactSerializer
    queryset = selectors.schema_only(Contact)
    http_method_names = ["get", "post", "patch", "head", "options"]

    def _customer(self):
        return customer_selectors.customer_for(
            user=self.request.user, pk=_pk(self.kwargs["customer_pk"])
        )

    def list(self, request, customer_pk=None):
        contacts = self._customer().contacts.all()
        page = self.paginate_queryset(contacts)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, customer_pk=None, pk=None):
        contact = get_object_or_404(self._customer().contacts, pk=_pk(pk))
        return Response(self.get_serializer(contact).data)

    @idempotent
    def create(self, request, customer_pk=None):
        customer = self._customer()
        data = _bound_data(ContactForm, request.data)
        data["form_token"] = str(uuid.uuid4())
        form = ContactForm(data)
        cleaned = _valid(form)
        contact = customer_services.contact_create(
            customer=customer,
            actor=request.user,
            fields=form.service_fields(),
            form_token=cleaned["form_token"],
        )
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request, customer_pk=None, pk=None):
        customer = self._customer()
        contact = get_object_or_404(customer.contacts, pk=_pk(pk))
        data = _bound_data(ContactForm, request.data, initial={"instance": contact})
        data.pop("version_digest", None)
        if "version" not in request.data:
            data.pop("version", None)
        form = ContactForm(data, instance=contact)
        _valid(form)
        saved = customer_services.contact_update(
            contact=customer.contacts.get(pk=contact.pk),
            actor=request.user,
            fields=form.service_fields(),
            version=form.loaded_version(),
        )
        return Response(self.get_serializer(saved).data)


# --- daily reports and entries ------------------------------------------------------------


@documented(
    serializers.DailyReportSerializer,
    list=gettext_lazy("Daily reports (日报表): your own; supervisors and up their units'"),
    filters=[
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("person", OpenApiTypes.STR),
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
    ],
    retrieve=gettext_lazy("One daily report"),
)
class DailyReportViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.DailyReportSerializer
    queryset = selectors.schema_only(DailyReport)

    def list(self, request):
        user = request.user
        people = (
            visit_selectors.staff_people(user=user) if is_at_least(user, Role.SUPERVISOR) else ()
        )
        filterset = _filters(DailyReportFilter(_query(request), people=people))
        reports = visit_selectors.daily_report_list(user=user, filters=filterset)
        page = self.paginate_queryset(reports)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return visit_selectors.daily_report_detail(
            user=self.request.user, pk=_pk(self.kwargs["pk"])
        )

    @extend_schema(
        summary=gettext_lazy("The entries of a daily report"),
        responses={200: serializers.EntrySerializer(many=True), **ERRORS},
    )
    @action(detail=True, methods=["get"], serializer_class=serializers.EntrySerializer)
    def entries(self, request, pk=None):
        report = self.get_object()
        entries = report.entries.prefetch_related("waybills")
        page = self.paginate_queryset(entries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


@documented(
    serializers.EntrySerializer,
    create=gettext_lazy(
        "File an entry into your daily report of today (opened if needed), as from a phone"
    ),
    create_input=serializers.EntryInputSerializer,
)
class EntryViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = serializers.EntrySerializer
    queryset = selectors.schema_only(DailyReportEntry)

    @idempotent
    def create(self, request):
        user = request.user
        _minimum_role(request, Role.STAFF)
        report, _created = visit_services.daily_report_open(user=user, day=timezone.localdate())
        if not report.is_editable:
            raise exceptions.ValidationError(
                _("This report is %(status)s and can no longer be changed.")
                % {"status": report.get_status_display()}
            )
        data = _bound_data(EntryForm, request.data, user=user, report=report)
        data["customer"] = _customer_code(user, data.get("customer"))
        data["form_token"] = str(uuid.uuid4())
        form = EntryForm(data, user=user, report=report)
        cleaned = _valid(form)
        entry, _created = visit_services.daily_report_entry_create(
            report=report, actor=user, content=form.content(), form_token=cleaned["form_token"]
        )
        return Response(self.get_serializer(entry).data, status=status.HTTP_201_CREATED)


# --- urgent reports ----------------------------------------------------------------------------


@documented(
    serializers.UrgentReportSerializer,
    list=gettext_lazy("Urgent reports (巡访紧急报告) in your scope (supervisors and up)"),
    filters=[
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("unit", OpenApiTypes.STR),
        OpenApiParameter("category", OpenApiTypes.STR),
        OpenApiParameter("mine", OpenApiTypes.BOOL),
    ],
    retrieve=gettext_lazy("One urgent report"),
    create=gettext_lazy("Raise an urgent report; it is routed to a manager"),
    create_input=serializers.UrgentInputSerializer,
)
class UrgentReportViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.UrgentReportSerializer
    queryset = selectors.schema_only(UrgentReport)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _minimum_role(request, Role.SUPERVISOR)

    def list(self, request):
        user = request.user
        filterset = _filters(
            UrgentFilter(
                _query(request), user=user, units=urgent_selectors.urgent_filter_units(user=user)
            )
        )
        reports = urgent_selectors.urgent_queue(user=user, filters=filterset)
        page = self.paginate_queryset(reports.prefetch_related("waybills"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return urgent_selectors.urgent_detail(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    @idempotent
    def create(self, request):
        user = request.user
        data = _bound_data(UrgentReportForm, request.data, user=user)
        data["customer"] = _customer_code(user, data.get("customer"))
        data.pop("source_entry", None)
        data["form_token"] = str(uuid.uuid4())
        form = UrgentReportForm(data, user=user)
        d = _valid(form)
        report = services.urgent_report_raise_with_waybills(
            actor=user,
            fields={
                name: d[name]
                for name in ("unit", "category", "title", "details", "proposal", "customer")
            },
            form_token=d["form_token"],
            waybills=str(request.data.get("waybills") or ""),
        )
        return Response(self.get_serializer(report).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("Acknowledge (the manager it is assigned to)"),
        request=serializers.CommentInputSerializer,
        responses={200: serializers.UrgentReportSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def acknowledge(self, request, pk=None):
        report = self.get_object()
        form = AcknowledgeForm(_bound_data(AcknowledgeForm, request.data))
        d = _valid(form)
        urgent_services.urgent_report_acknowledge(
            report=report, actor=request.user, comment=d["comment"]
        )
        report.refresh_from_db()
        return Response(self.get_serializer(report).data)


# --- complaints ---------------------------------------------------------------------------------


def complaint_actions() -> dict:
    """The complaint page's steps (without the recording upload): form and service."""
    f, s = complaint_forms, complaint_services
    return {
        "start": (f.CommentForm, s.complaint_start_investigation),
        "findings": (f.FindingsForm, s.complaint_record_findings),
        "assign": (f.AssignForm, s.complaint_assign),
        "propose": (f.ProposeForm, s.complaint_propose),
        "approve": (f.CommentForm, s.complaint_approve),
        "send_back": (f.SendBackForm, s.complaint_send_back),
        "resolve": (f.CommentForm, s.complaint_resolve),
        "notify": (f.NotifyForm, s.complaint_notify_customer),
        "return_visit": (f.ReturnVisitForm, s.complaint_return_visit),
    }


def complaint_forms_actions() -> list[str]:
    return list(complaint_actions())


@documented(
    serializers.ComplaintSerializer,
    list=gettext_lazy("Complaints (客户投诉) in your scope, with the register's filters"),
    filters=[
        *[
            OpenApiParameter(name, OpenApiTypes.STR)
            for name in ("q", "status", "severity", "category", "channel", "unit")
        ],
        OpenApiParameter("overdue", OpenApiTypes.BOOL),
        OpenApiParameter("mine", OpenApiTypes.BOOL),
        OpenApiParameter("received_from", OpenApiTypes.DATE),
        OpenApiParameter("received_to", OpenApiTypes.DATE),
        OpenApiParameter("customer", OpenApiTypes.INT),
    ],
    retrieve=gettext_lazy("One complaint"),
    create=gettext_lazy("Log a complaint with its channel and waybill numbers"),
    create_input=serializers.ComplaintInputSerializer,
)
class ComplaintViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ComplaintSerializer
    queryset = selectors.schema_only(Complaint)

    def list(self, request):
        user = request.user
        filterset = _filters(ComplaintFilter(_query(request), user=user))
        complaints = complaint_selectors.complaint_list(user=user, filters=filterset)
        page = self.paginate_queryset(complaints.prefetch_related("waybills"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return complaint_selectors.complaint_detail(
            user=self.request.user, pk=_pk(self.kwargs["pk"])
        )

    @idempotent
    def create(self, request):
        user = request.user
        _minimum_role(request, Role.STAFF)
        data = _bound_data(complaint_forms.ComplaintLogForm, request.data, user=user)
        data["customer"] = _customer_code(user, data.get("customer"))
        numbers_text = str(data.pop("waybills", "") or "")
        data["form_token"] = str(uuid.uuid4())
        if isinstance(data.get("received_at"), str):
            data["received_at"] = data["received_at"].replace("T", " ")[:19]
        form = complaint_forms.ComplaintLogForm(data, {}, user=user)
        cleaned = dict(_valid(form))
        if not cleaned.get("recording"):
            cleaned["recording"] = None
        complaint = services.complaint_log_with_waybills(
            actor=user, fields=cleaned, waybills=numbers_text
        )
        return Response(self.get_serializer(complaint).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy(
            "A workflow step: start, findings, assign, propose, approve, send_back, resolve, "
            "notify, return_visit (as on the complaint page)"
        ),
        request=serializers.ComplaintActionSerializer,
        parameters=[
            OpenApiParameter(
                "step",
                OpenApiTypes.STR,
                OpenApiParameter.PATH,
                enum=complaint_forms_actions(),
            )
        ],
        responses={200: serializers.ComplaintSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"], url_path=r"actions/(?P<step>[a-z_]+)")
    def step(self, request, pk=None, step=None):
        complaint = self.get_object()
        forms_and_services = complaint_actions()
        if step not in forms_and_services:
            raise exceptions.NotFound()
        if not complaint_permissions.may(request.user, step, complaint):
            raise exceptions.PermissionDenied()
        form_class, service = forms_and_services[step]
        data = _bound_data(form_class, request.data, complaint=complaint)
        prefixed = {f"{step}-{name}": value for name, value in data.items()}
        form = form_class(prefixed, {}, prefix=step, complaint=complaint)
        _valid(form)
        service(complaint=complaint, actor=request.user, **form.service_kwargs())
        complaint.refresh_from_db()
        return Response(self.get_serializer(complaint).data)


# --- claims ------------------------------------------------------------------------------------


@documented(
    serializers.ClaimSerializer,
    list=gettext_lazy("Claims (理赔) in your scope, with the register's filters"),
    filters=[
        OpenApiParameter(
            "q", OpenApiTypes.STR, description=gettext_lazy("Complaint number or customer")
        ),
        OpenApiParameter("state", OpenApiTypes.STR, enum=[v for v, _l in CLAIM_STATES]),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=ClaimKind.values),
        OpenApiParameter("unit", OpenApiTypes.INT),
        OpenApiParameter(
            "outlet", OpenApiTypes.INT, description=gettext_lazy("Responsible outlet")
        ),
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter("paid_month", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter("amount_min", OpenApiTypes.DECIMAL),
        OpenApiParameter("amount_max", OpenApiTypes.DECIMAL),
    ],
    retrieve=gettext_lazy("One claim"),
)
class ClaimViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.ClaimSerializer
    queryset = selectors.schema_only(Claim)

    def list(self, request):
        user = request.user
        filterset = _filters(claim_register_filter(user=user, data=_query(request)))
        claims = claim_selectors.claim_list(user=user, filters=filterset)
        page = self.paginate_queryset(claims.prefetch_related("waybills"))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return claim_selectors.claim_detail(user=self.request.user, pk=_pk(self.kwargs["pk"]))


# --- planned contacts ---------------------------------------------------------------------------


@documented(
    serializers.PlannedContactSerializer,
    list=gettext_lazy(
        "Planned contacts (计划联系) on a calendar: your own, or (supervisors and up) "
        "a person's or a unit's, as on the calendar page"
    ),
    filters=[
        OpenApiParameter("person", OpenApiTypes.INT),
        OpenApiParameter("unit", OpenApiTypes.INT),
        OpenApiParameter("date_from", OpenApiTypes.DATE),
        OpenApiParameter("date_to", OpenApiTypes.DATE),
        OpenApiParameter("state", OpenApiTypes.STR, enum=PlannedContact.State.values),
        OpenApiParameter("kind", OpenApiTypes.STR, enum=ContactKind.values),
    ],
    retrieve=gettext_lazy("One planned contact"),
    create=gettext_lazy("Plan a contact on a working day, on a calendar you may open"),
    create_input=serializers.PlannedContactInputSerializer,
)
class PlannedContactViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.PlannedContactSerializer
    queryset = selectors.schema_only(PlannedContact)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _minimum_role(request, Role.STAFF)

    def list(self, request):
        user = request.user
        filterset = _filters(PlannedContactFilter(_query(request), user=user))
        contacts = plan_selectors.calendar_contacts(user=user, **filterset.calendar())
        page = self.paginate_queryset(filterset.apply(contacts))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return plan_selectors.planned_contact_detail(
            user=self.request.user, pk=_pk(self.kwargs["pk"])
        )

    @idempotent
    def create(self, request):
        user = request.user
        data = _bound_data(PlannedContactForm, request.data, user=user)
        data["customer"] = _customer_code(user, data.get("customer"))
        form = PlannedContactForm(data, user=user)
        _valid(form)
        contact = plan_services.planned_contact_create(actor=user, **form.service_kwargs())
        return Response(self.get_serializer(contact).data, status=status.HTTP_201_CREATED)


# --- monthly turnover --------------------------------------------------------------------------

TURNOVER_BATCH_MAX = 5000


def _turnover_row(user, data) -> tuple[dict, str]:
    """One row as the turnover import reads it, and the field its customer was
    named by (`customer_code`, else the id in `customer`)."""
    if not isinstance(data, dict):
        raise exceptions.ParseError(_("Send a JSON object."))
    if data.get("customer_code") not in (None, ""):
        code, named_by = data["customer_code"], "customer_code"
    else:
        code, named_by = _customer_code(user, data.get("customer")), "customer"
    return {"code": code, "month": data.get("month"), "amount": data.get("amount")}, named_by


def _turnover_save(request, given: list, *, batch: bool):
    """Save the rows through the import's service (all or nothing, a stored
    month replaced); its errors as a 400, by field (`rows.<n>.<field>` in a batch)."""
    user = request.user
    rows, named_by = [], []
    for number, data in enumerate(given, start=1):
        values, name = _turnover_row(user, data)
        rows.append((number, values, False))
        named_by.append(name)
    outcome = revenue_services.turnover_rows_save(actor=user, rows=rows, name="api")
    if outcome.error_count:
        errors: dict[str, list[str]] = {}
        for error in outcome.errors:
            field = error["column"] or "non_field_errors"
            if field == "code":
                field = named_by[error["row"] - 1]
            key = f"rows.{error['row']}.{field}" if batch else field
            errors.setdefault(key, []).append(error["message"])
        raise FormInvalid(errors)
    return outcome, revenue_selectors.turnover_rows(user=user, keys=outcome.saved)


@documented(
    serializers.TurnoverSerializer,
    list=gettext_lazy(
        "Monthly turnover (营业额): supervisors and up their units', staff that of the "
        "customers they visit"
    ),
    filters=[
        OpenApiParameter("customer", OpenApiTypes.INT, description=gettext_lazy("Customer id")),
        OpenApiParameter("customer_code", OpenApiTypes.STR),
        OpenApiParameter("month_from", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter("month_to", OpenApiTypes.STR, description="YYYY-MM"),
        OpenApiParameter("unit", OpenApiTypes.INT),
    ],
    retrieve=gettext_lazy("One customer's turnover in one month"),
)
class TurnoverViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.TurnoverSerializer
    queryset = selectors.schema_only(MonthlyTurnover)

    def list(self, request):
        user = request.user
        filterset = _filters(TurnoverFilter(_query(request), user=user))
        rows = filterset.apply(revenue_selectors.turnover_list(user=user))
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return revenue_selectors.turnover_get(user=self.request.user, pk=_pk(self.kwargs["pk"]))

    @extend_schema(
        summary=gettext_lazy(
            "Save one customer's turnover for a month (supervisors and up), as the import "
            "does: a month already stored is replaced (200), a new one created (201)"
        ),
        request=serializers.TurnoverInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={
            201: serializers.TurnoverSerializer,
            200: serializers.TurnoverSerializer,
            **ERRORS,
        },
    )
    @idempotent
    def create(self, request):
        _minimum_role(request, Role.SUPERVISOR)
        outcome, saved = _turnover_save(request, [request.data], batch=False)
        return Response(
            self.get_serializer(saved[0]).data,
            status=status.HTTP_201_CREATED if outcome.created else status.HTTP_200_OK,
        )

    @extend_schema(
        summary=gettext_lazy(
            "Save many months at once (supervisors and up): all or nothing, as the import; "
            "a month already stored is replaced"
        ),
        request=serializers.TurnoverBatchInputSerializer,
        parameters=[IDEMPOTENCY_HEADER],
        responses={200: serializers.TurnoverBatchSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], serializer_class=serializers.TurnoverBatchSerializer)
    @idempotent
    def batch(self, request):
        _minimum_role(request, Role.SUPERVISOR)
        given = request.data.get("rows") if isinstance(request.data, dict) else None
        if not isinstance(given, list) or not given:
            raise FormInvalid({"rows": [_("Send a list of at least one row.")]})
        if len(given) > TURNOVER_BATCH_MAX:
            raise FormInvalid(
                {"rows": [_("Send at most %(n)s rows at once.") % {"n": TURNOVER_BATCH_MAX}]}
            )
        outcome, saved = _turnover_save(request, given, batch=True)
        result = {
            "created": outcome.created,
            "updated": outcome.updated,
            "unchanged": outcome.unchanged,
            "results": serializers.TurnoverSerializer(saved, many=True).data,
        }
        return Response(result)


# --- outlets, waybills, summaries, notifications --------------------------------------------------


@documented(
    serializers.OutletSerializer,
    list=gettext_lazy("Outlets (网点) in your scope"),
    filters=[OpenApiParameter("active", OpenApiTypes.BOOL)],
    retrieve=gettext_lazy("One outlet"),
)
class OutletViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.OutletSerializer
    queryset = selectors.schema_only(Outlet)

    def get_queryset(self):
        active = self.request.query_params.get("active") in ("true", "1")
        return selectors.outlet_list(user=self.request.user, active_only=active)

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return get_object_or_404(self.get_queryset(), pk=_pk(self.kwargs["pk"]))


@documented(
    serializers.WaybillSerializer,
    retrieve=gettext_lazy(
        "Everything in your scope that names a waybill (运单), with its tracking trail"
    ),
)
class WaybillViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = serializers.WaybillSerializer
    queryset = selectors.schema_only(Waybill)
    lookup_field = "number"
    lookup_value_regex = "[^/]+"

    def retrieve(self, request, number=None):
        records = selectors.waybill_records(user=request.user, number=number or "")
        if records is None:
            raise exceptions.NotFound()
        return Response(self.get_serializer(records).data)

    @extend_schema(
        summary=gettext_lazy(
            "Record a tracking event from the transport system (idempotent by event_id)"
        ),
        request=serializers.TrackingEventInputSerializer,
        responses={
            201: serializers.TrackingEventSerializer,
            200: serializers.TrackingEventSerializer,
            **ERRORS,
        },
    )
    @action(detail=True, methods=["post"], serializer_class=serializers.TrackingEventSerializer)
    def events(self, request, number=None):
        if not selectors.may_track(user=request.user, number=number or ""):
            raise exceptions.NotFound()
        given = serializers.TrackingEventInputSerializer(data=request.data)
        given.is_valid(raise_exception=True)
        d = given.validated_data
        event, created = services.tracking_event_record(
            actor=request.user,
            waybill_number=number or "",
            event_id=d["event_id"],
            status=d["status"],
            at=d["at"],
            place=d.get("place", ""),
            outlet_code=d.get("outlet", ""),
        )
        return Response(
            self.get_serializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


@documented(
    serializers.SummarySerializer,
    list=gettext_lazy("Monthly patrol summaries (每月巡访情况报告书), supervisors and up"),
    filters=[
        OpenApiParameter("unit", OpenApiTypes.STR),
        OpenApiParameter("status", OpenApiTypes.STR),
        OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM"),
    ],
    retrieve=gettext_lazy("One monthly summary"),
)
class SummaryViewSet(ApiView, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    serializer_class = serializers.SummarySerializer
    queryset = selectors.schema_only(MonthlyPatrolSummary)

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        _minimum_role(request, Role.SUPERVISOR)

    def list(self, request):
        user = request.user
        filterset = _filters(
            SummaryFilter(_query(request), units=report_permissions.visible_units(user))
        )
        summaries = report_selectors.summary_list(user=user, filters=filterset)
        page = self.paginate_queryset(summaries)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def get_object(self):
        return report_selectors.summary_detail(user=self.request.user, pk=_pk(self.kwargs["pk"]))


@documented(
    serializers.NotificationSerializer,
    list=gettext_lazy("Your notifications (通知), newest first"),
    filters=[OpenApiParameter("unread", OpenApiTypes.BOOL)],
    retrieve=gettext_lazy("One notification"),
)
class NotificationViewSet(ApiView, viewsets.GenericViewSet):
    serializer_class = serializers.NotificationSerializer
    queryset = selectors.schema_only(Notification)

    def list(self, request):
        unread = request.query_params.get("unread") in ("true", "1")
        notifications = core_selectors.notification_list(user=request.user, unread_only=unread)
        page = self.paginate_queryset(notifications)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, pk=None):
        notification = core_selectors.notification_for(user=request.user, pk=_pk(pk))
        if notification is None:
            raise exceptions.NotFound()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary=gettext_lazy("Mark one notification read"),
        request=None,
        responses={200: serializers.NotificationSerializer, **ERRORS},
    )
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = core_selectors.notification_for(user=request.user, pk=_pk(pk))
        if notification is None:
            raise exceptions.NotFound()
        core_services.notification_mark_read(user=request.user, notification_id=notification.pk)
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)

    @extend_schema(
        summary=gettext_lazy("Mark all your notifications read"),
        request=None,
        responses={200: serializers.MarkedReadSerializer, **ERRORS},
    )
    @action(detail=False, methods=["post"], url_path="read-all")
    def read_all(self, request):
        marked = core_services.notification_mark_read(user=request.user)
        return Response({"marked": marked})
