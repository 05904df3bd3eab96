from django.urls import path

from . import views

app_name = "complaints"

urlpatterns = [
    path("", views.complaint_list, name="list"),
    path("new/", views.complaint_create, name="create"),
    path("export/", views.complaint_export, name="export"),
    path("stats/", views.complaint_stats, name="stats"),
    path("<int:pk>/", views.complaint_detail, name="detail"),
    path("<int:pk>/print/", views.complaint_print, name="print"),
    path("<int:pk>/notice/", views.complaint_notice, name="notice"),
    path("<int:pk>/recording/", views.complaint_recording, name="recording"),
    path("<int:pk>/do/<slug:action>/", views.complaint_action, name="action"),
    path("<int:pk>/merge/", views.complaint_merge, name="merge"),
]
