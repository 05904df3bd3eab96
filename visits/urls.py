from django.urls import include, path

from .views import compliance, due, intelligence, reports

app_name = "visits"

urlpatterns = [
    path("due/", due.due, name="due"),
    path("due/<int:customer_id>/call/", due.log_call, name="log_call"),
    path("compliance/", compliance.compliance, name="compliance"),
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/review/", reports.review_queue, name="review"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/submit/", reports.report_submit, name="report_submit"),
    path("reports/<int:pk>/note/", reports.report_note, name="report_note"),
    path("reports/<int:pk>/review/", reports.report_review, name="report_review"),
    path("reports/<int:pk>/entries/<int:entry_id>/flag/", reports.entry_flag, name="entry_flag"),
    path("reports/<int:pk>/entries/new/", reports.entry_new, name="entry_new"),
    path("reports/<int:pk>/entries/<int:entry_id>/", reports.entry_edit, name="entry_edit"),
    path(
        "reports/<int:pk>/entries/<int:entry_id>/delete/",
        reports.entry_delete,
        name="entry_delete",
    ),
    path("reports/<int:pk>/draft/", reports.entry_draft, name="entry_draft"),
    path(
        "reports/<int:pk>/draft/discard/", reports.entry_draft_discard, name="entry_draft_discard"
    ),
    path("intelligence/", intelligence.intelligence_list, name="intelligence"),
    # Names stay in the "visits" namespace: the sub-domain adds no namespace.
    path("urgent/", include("visits.urgent.urls")),
    path("", include("visits.plans.urls")),
]
