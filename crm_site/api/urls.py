"""/api/v1/: the resources, the OpenAPI schema and its two readers."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from . import docs, views

app_name = "api"

router = SimpleRouter(trailing_slash=True)
router.register("customers", views.CustomerViewSet, basename="customer")
router.register(
    r"customers/(?P<customer_pk>[^/.]+)/contacts", views.ContactViewSet, basename="contact"
)
router.register("daily-reports", views.DailyReportViewSet, basename="daily-report")
router.register("entries", views.EntryViewSet, basename="entry")
router.register("urgent-reports", views.UrgentReportViewSet, basename="urgent-report")
router.register("complaints", views.ComplaintViewSet, basename="complaint")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("planned-contacts", views.PlannedContactViewSet, basename="planned-contact")
router.register("turnover", views.TurnoverViewSet, basename="turnover")
router.register("outlets", views.OutletViewSet, basename="outlet")
router.register("waybills", views.WaybillViewSet, basename="waybill")
router.register("monthly-summaries", views.SummaryViewSet, basename="summary")
router.register("notifications", views.NotificationViewSet, basename="notification")

urlpatterns = [
    path("schema/", docs.schema, name="schema"),
    path("docs/", docs.swagger, name="docs"),
    path("redoc/", docs.redoc, name="redoc"),
    path("", include(router.urls)),
]
