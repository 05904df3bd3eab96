"""Urgent-report pages, mounted at /visits/urgent/ in the "visits" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("", views.urgent_list, name="urgent_list"),
    path("rows/", views.urgent_rows, name="urgent_rows"),
    path("new/", views.urgent_create, name="urgent_create"),
    path("<int:pk>/", views.urgent_detail, name="urgent_detail"),
    path("<int:pk>/acknowledge/", views.urgent_acknowledge, name="urgent_acknowledge"),
    path("<int:pk>/comment/", views.urgent_comment, name="urgent_comment"),
    path("<int:pk>/reassign/", views.urgent_reassign, name="urgent_reassign"),
    path("<int:pk>/resolve/", views.urgent_resolve, name="urgent_resolve"),
    path("<int:pk>/take-over/", views.urgent_take_over, name="urgent_take_over"),
]
