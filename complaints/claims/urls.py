"""Claim pages, in the "complaints" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("claims/", views.claim_list, name="claims"),
    path("claims/export/", views.claim_export, name="claim_export"),
    path("claims/payouts/", views.claim_payouts, name="claim_payouts"),
    path("claims/<int:pk>/", views.claim_detail, name="claim_detail"),
    path("claims/<int:pk>/do/<slug:action>/", views.claim_action, name="claim_action"),
    path(
        "claims/<int:pk>/evidence/<int:evidence_id>/",
        views.claim_evidence,
        name="claim_evidence",
    ),
    path("<int:pk>/claims/new/", views.claim_create, name="claim_create"),
]
