"""Customer-voice pages: surveys and the customer watch, in the "customers" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("surveys/", views.survey_report, name="survey_report"),
    path("surveys/export/", views.survey_export, name="survey_export"),
    path("surveys/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("surveys/enterprise/", views.enterprise_survey_list, name="enterprise_survey_list"),
    path(
        "surveys/enterprise/new/", views.enterprise_survey_create, name="enterprise_survey_create"
    ),
    path(
        "surveys/enterprise/<int:pk>/",
        views.enterprise_survey_detail,
        name="enterprise_survey_detail",
    ),
    path(
        "surveys/enterprise/<int:pk>/opinion/",
        views.enterprise_survey_opinion,
        name="enterprise_survey_opinion",
    ),
    path("<int:pk>/surveys/new/", views.survey_create, name="survey_create"),
    path("<int:pk>/watch/", views.watch_list, name="watch_list"),
    path("<int:pk>/watch/new/", views.watch_create, name="watch_create"),
    path("<int:pk>/watch/<int:watch_id>/", views.watch_detail, name="watch_detail"),
]
