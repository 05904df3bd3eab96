"""What the API answers (output) and documents as input.

Input is checked by the pages' own forms (crm_site/api/forms.py runs them), so
a field a role may not set on the page cannot be set here either; the input
serializers below describe that input for the schema and check its types.
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from complaints.claims.models import Claim
from complaints.models import Complaint
from crm_site.core.inputs import refuse_dates_out_of_range
from crm_site.core.models import Notification
from customers.models import Contact, Customer, Outlet
from customers.revenue.models import MonthlyTurnover
from customers.waybills.models import TrackingEvent
from reports.models import MonthlyPatrolSummary
from visits.models import DailyReport, DailyReportEntry, UrgentReport
from visits.plans.models import ContactKind, PlannedContact

# --- output ----------------------------------------------------------------------


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("Machine-readable error code."))
    message = serializers.CharField(help_text=_("The error in the caller's language."))
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text=_("Messages by input field."),
    )


class CustomerSerializer(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = [
            "id",
            "code",
            "name",
            "nature",
            "scale",
            "annual_revenue",
            "trend",
            "industry",
            "status",
            "unit",
            "region",
            "address",
            "sales_owner",
            "visiting_person",
            "serving_outlet",
            "notes",
            "grade",
            "grade_pinned",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = Contact
        fields = [
            "id",
            "customer",
            "name",
            "organisation",
            "position",
            "address",
            "mobile",
            "phone",
            "email",
            "wechat",
            "care_kind",
            "care_date",
            "is_primary",
            "notes",
            "version",
        ]
        read_only_fields = fields


class EntrySerializer(serializers.ModelSerializer):
    waybills = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = DailyReportEntry
        fields = [
            "id",
            "report",
            "customer",
            "kind",
            "occurred_at",
            "opinions",
            "market",
            "effect",
            "handling",
            "other",
            "needs_escalation",
            "escalation_reason",
            "waybills",
            "created_at",
        ]
        read_only_fields = fields


class DailyReportSerializer(serializers.ModelSerializer):
    class Meta:
        model = DailyReport
        fields = [
            "id",
            "user",
            "unit",
            "date",
            "status",
            "note",
            "submitted_at",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "created_at",
        ]
        read_only_fields = fields


class UrgentReportSerializer(serializers.ModelSerializer):
    waybills = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = UrgentReport
        fields = [
            "id",
            "unit",
            "raised_by",
            "source_entry",
            "customer",
            "category",
            "title",
            "details",
            "proposal",
            "status",
            "assignee",
            "ack_deadline",
            "routed_at",
            "acknowledged_at",
            "escalated_at",
            "resolved_at",
            "resolution",
            "waybills",
            "created_at",
        ]
        read_only_fields = fields


class ComplaintSerializer(serializers.ModelSerializer):
    waybills = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)
    category = serializers.SlugRelatedField(slug_field="code", read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "customer",
            "unit",
            "channel",
            "received_at",
            "received_by",
            "complainant",
            "contact_phone",
            "content",
            "demand",
            "category",
            "severity",
            "responsible_department",
            "responsible_outlet",
            "origin_outlet",
            "destination_outlet",
            "handler",
            "deadline",
            "status",
            "cause",
            "solution",
            "resolved_at",
            "notified_on",
            "satisfied",
            "closed_at",
            "waybills",
            "version",
            "created_at",
        ]
        read_only_fields = fields


class ClaimSerializer(serializers.ModelSerializer):
    number = serializers.CharField(read_only=True, help_text=_("<complaint number>-L<n>"))
    waybills = serializers.SlugRelatedField(slug_field="number", many=True, read_only=True)

    class Meta:
        model = Claim
        fields = [
            "id",
            "number",
            "complaint",
            "unit",
            "kind",
            "declared_value",
            "insured",
            "amount_claimed",
            "description",
            "state",
            "logged_by",
            "assessed_amount",
            "assessment_note",
            "assessed_by",
            "assessed_at",
            "approval_level",
            "approved_by",
            "approved_at",
            "paid_amount",
            "paid_on",
            "payment_reference",
            "paid_by",
            "paid_at",
            "rejection_reason",
            "rejected_by",
            "rejected_at",
            "waybills",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlannedContactSerializer(serializers.ModelSerializer):
    class Meta:
        model = PlannedContact
        fields = [
            "id",
            "customer",
            "person",
            "unit",
            "plan",
            "day",
            "start_time",
            "end_time",
            "kind",
            "purpose",
            "state",
            "reason",
            "source",
            "moved",
            "visit",
            "created_at",
        ]
        read_only_fields = fields


class TurnoverSerializer(serializers.ModelSerializer):
    customer_code = serializers.CharField(source="customer.code", read_only=True)
    unit = serializers.IntegerField(
        source="customer.unit_id", read_only=True, help_text=_("The customer's service unit.")
    )
    month = serializers.SerializerMethodField(help_text="YYYY-MM")

    class Meta:
        model = MonthlyTurnover
        fields = [
            "id",
            "customer",
            "customer_code",
            "unit",
            "month",
            "amount",
            "version",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.STR)
    def get_month(self, row) -> str:
        return f"{row.month:%Y-%m}"


class TurnoverBatchSerializer(serializers.Serializer):
    created = serializers.IntegerField(help_text=_("Months stored for the first time."))
    updated = serializers.IntegerField(help_text=_("Months whose stored figure was replaced."))
    unchanged = serializers.IntegerField(help_text=_("Months sent again with the same figure."))
    results = TurnoverSerializer(many=True, help_text=_("The rows as stored, in the order sent."))


class OutletSerializer(serializers.ModelSerializer):
    class Meta:
        model = Outlet
        fields = [
            "id",
            "code",
            "name",
            "kind",
            "unit",
            "region",
            "address",
            "manager_name",
            "manager_phone",
            "is_active",
        ]
        read_only_fields = fields


class SummarySerializer(serializers.ModelSerializer):
    class Meta:
        model = MonthlyPatrolSummary
        fields = [
            "id",
            "unit",
            "month",
            "status",
            "commentary",
            "submitted_at",
            "reviewed_at",
            "review_comment",
            "built_at",
            "stale",
            "customers",
            "visits_done",
            "calls_done",
            "visits_percent",
            "calls_percent",
            "compliance_percent",
            "customers_behind",
            "opinions_count",
            "market_count",
            "urgent_raised",
            "urgent_resolved",
            "urgent_open",
            "complaints_received",
            "complaints_resolved",
            "complaints_on_time",
        ]
        read_only_fields = fields


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "url", "read_at", "created_at"]
        read_only_fields = fields


class TrackingEventSerializer(serializers.ModelSerializer):
    waybill = serializers.SlugRelatedField(slug_field="number", read_only=True)
    outlet = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = TrackingEvent
        fields = ["id", "event_id", "waybill", "status", "at", "place", "outlet", "received_at"]
        read_only_fields = fields


class WaybillSerializer(serializers.Serializer):
    number = serializers.CharField()
    complaints = ComplaintSerializer(many=True)
    entries = EntrySerializer(many=True)
    urgent_reports = UrgentReportSerializer(many=True)
    latest_status = TrackingEventSerializer(allow_null=True)
    trail = TrackingEventSerializer(many=True)


class MarkedReadSerializer(serializers.Serializer):
    marked = serializers.IntegerField(help_text=_("How many notifications changed."))


# --- input (documented; the pages' forms decide) ----------------------------------


class CustomerInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=30)
    name = serializers.CharField(max_length=200)
    nature = serializers.CharField(max_length=20)
    scale = serializers.CharField(max_length=20)
    annual_revenue = serializers.DecimalField(max_digits=14, decimal_places=2)
    trend = serializers.CharField(max_length=20)
    industry = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.CharField(max_length=20)
    unit = serializers.IntegerField()
    region = serializers.IntegerField(required=False, allow_null=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    sales_owner = serializers.IntegerField(required=False, allow_null=True)
    visiting_person = serializers.IntegerField(required=False, allow_null=True)
    services = serializers.ListField(child=serializers.IntegerField(), required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    override_reason = serializers.CharField(required=False, allow_blank=True, max_length=500)
    version = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("On update: the version you read; a newer one answers 409."),
    )


class CustomerPatchSerializer(CustomerInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class ContactInputSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True)
    position = serializers.CharField(max_length=100, required=False, allow_blank=True)
    address = serializers.CharField(max_length=300, required=False, allow_blank=True)
    mobile = serializers.CharField(max_length=30, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=30, required=False, allow_blank=True)
    email = serializers.CharField(max_length=254, required=False, allow_blank=True)
    wechat = serializers.CharField(max_length=100, required=False, allow_blank=True)
    care_kind = serializers.CharField(max_length=20, required=False, allow_blank=True)
    care_date = serializers.DateField(required=False, allow_null=True)
    is_primary = serializers.BooleanField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False, allow_null=True)


class ContactPatchSerializer(ContactInputSerializer):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.required = False


class EntryInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text=_("The customer's id."))
    kind = serializers.ChoiceField(choices=["visit", "call"])
    time = serializers.TimeField(help_text=_("HH:MM today (Asia/Shanghai)."))
    opinions = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    market = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    competitors = serializers.CharField(required=False, allow_blank=True, max_length=300)
    effect = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    handling = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    other = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    needs_escalation = serializers.BooleanField(required=False)
    escalation_reason = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class UrgentInputSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    category = serializers.CharField(max_length=30)
    title = serializers.CharField(max_length=200)
    details = serializers.CharField(max_length=10_000)
    proposal = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    customer = serializers.IntegerField(required=False, allow_null=True)
    waybills = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, help_text=_("Waybill numbers.")
    )


class CommentInputSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ComplaintInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField()
    channel = serializers.CharField(max_length=20)
    received_at = serializers.DateTimeField()
    complainant = serializers.CharField(max_length=100)
    contact_phone = serializers.CharField(required=False, allow_blank=True, max_length=40)
    content = serializers.CharField(max_length=10_000)
    demand = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    category = serializers.IntegerField(help_text=_("A complaint category's id."))
    severity = serializers.CharField(max_length=10, required=False)
    handler = serializers.IntegerField(required=False, allow_null=True)
    acknowledged_on = serializers.DateField(required=False, allow_null=True)
    waybills = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=2000,
        help_text=_("Waybill numbers, separated by spaces, commas or new lines."),
    )


class ComplaintActionSerializer(serializers.Serializer):
    comment = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    cause = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    responsible_department = serializers.CharField(required=False, allow_blank=True, max_length=100)
    solution = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    major = serializers.BooleanField(required=False)
    handler = serializers.IntegerField(required=False)
    notified_on = serializers.DateField(required=False)
    means = serializers.CharField(required=False, allow_blank=True, max_length=100)
    satisfied = serializers.BooleanField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    version = serializers.IntegerField(required=False, allow_null=True)


class TrackingEventInputSerializer(serializers.Serializer):
    event_id = serializers.CharField(
        max_length=100, help_text=_("The sender's own id of the event: a resend is ignored.")
    )
    status = serializers.CharField(max_length=50)
    # The forms' rule for every date (a time before 1970 has no offset a client can read).
    at = serializers.DateTimeField(validators=[refuse_dates_out_of_range])
    place = serializers.CharField(required=False, allow_blank=True, max_length=200)
    outlet = serializers.CharField(
        required=False, allow_blank=True, max_length=30, help_text=_("An outlet's code.")
    )


class PlannedContactInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(help_text=_("The customer's id."))
    person = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=_("Whose calendar (a user's id); yours when not given."),
    )
    day = serializers.DateField(help_text=_("A working day, today or later."))
    kind = serializers.ChoiceField(choices=ContactKind.values)
    purpose = serializers.CharField(required=False, allow_blank=True, max_length=200)
    start_time = serializers.TimeField(required=False, allow_null=True)
    end_time = serializers.TimeField(
        required=False, allow_null=True, help_text=_("After start_time.")
    )


class TurnoverInputSerializer(serializers.Serializer):
    customer = serializers.IntegerField(
        required=False, allow_null=True, help_text=_("The customer's id (or give customer_code).")
    )
    customer_code = serializers.CharField(
        required=False, allow_blank=True, max_length=40, help_text=_("The customer's code.")
    )
    month = serializers.CharField(max_length=7, help_text="YYYY-MM")
    amount = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        min_value=0,
        help_text=_("The month's turnover in CNY, to the cent; replaces a stored figure."),
    )


class TurnoverBatchInputSerializer(serializers.Serializer):
    rows = TurnoverInputSerializer(
        many=True,
        help_text=_("Up to 5,000 months; one wrong row saves none (errors name rows.<n>.<field>)."),
    )
