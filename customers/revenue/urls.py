"""Revenue pages, in the "customers" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("turnover/", views.turnover_list, name="turnover_list"),
    path("turnover/import/", views.turnover_import, name="turnover_import"),
    path("turnover/import/template/", views.turnover_template, name="turnover_template"),
    path("turnover/<int:pk>/edit/", views.turnover_edit, name="turnover_edit"),
    path("turnover/regrade/<int:pk>/", views.turnover_regrade, name="turnover_regrade"),
    path("turnover/targets/", views.target_list, name="target_list"),
    path("<int:pk>/turnover/", views.customer_turnover, name="customer_turnover"),
]
