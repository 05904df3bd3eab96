from django.urls import path

from . import views
from .views import development, privacy, voice

app_name = "customers"

urlpatterns = [
    path("", views.customer_list, name="list"),
    path("new/", views.customer_create, name="create"),
    path("export/", views.customer_export, name="export"),
    path("import/", views.customer_import, name="import"),
    path("import/template/", views.import_template, name="import_template"),
    path("import/<uuid:pk>/", views.import_preview, name="import_preview"),
    path("import/<uuid:pk>/apply/", views.import_apply, name="import_apply"),
    path("reassign/", views.customers_reassign, name="reassign"),
    path("grading/", views.grading_rules, name="grading"),
    path("grading/regrade/", views.regrade_now, name="regrade_now"),
    path("grading/versions/<int:version>/", views.rule_version, name="rule_version"),
    path("grading/runs/<int:pk>/", views.regrade_run, name="regrade_run"),
    path("autocomplete/", views.autocomplete, name="autocomplete"),
    # Customer voice (issue 12): surveys and the customer watch.
    path("surveys/", voice.survey_report, name="survey_report"),
    path("surveys/export/", voice.survey_export, name="survey_export"),
    path("surveys/<int:pk>/", voice.survey_detail, name="survey_detail"),
    path("surveys/enterprise/", voice.enterprise_survey_list, name="enterprise_survey_list"),
    path(
        "surveys/enterprise/new/", voice.enterprise_survey_create, name="enterprise_survey_create"
    ),
    path(
        "surveys/enterprise/<int:pk>/",
        voice.enterprise_survey_detail,
        name="enterprise_survey_detail",
    ),
    path(
        "surveys/enterprise/<int:pk>/opinion/",
        voice.enterprise_survey_opinion,
        name="enterprise_survey_opinion",
    ),
    # Customer development (客户开发) and care dates (客户关怀), issue 12.
    path("development/", development.development_list, name="development_list"),
    path("development/new/", development.development_create, name="development_create"),
    path("development/<int:pk>/", development.development_detail, name="development_detail"),
    path("development/<int:pk>/steps/", development.development_step, name="development_step"),
    path(
        "development/<int:pk>/convert/",
        development.development_convert,
        name="development_convert",
    ),
    path("development/<int:pk>/drop/", development.development_drop, name="development_drop"),
    path("care/", development.care_list, name="care_list"),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/grade/pin/", views.pin_grade, name="pin_grade"),
    path("<int:pk>/grade/unpin/", views.unpin_grade, name="unpin_grade"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/surveys/new/", voice.survey_create, name="survey_create"),
    path("<int:pk>/watch/", voice.watch_list, name="watch_list"),
    path("<int:pk>/watch/new/", voice.watch_create, name="watch_create"),
    path("<int:pk>/watch/<int:watch_id>/", voice.watch_detail, name="watch_detail"),
    path("<int:pk>/personal-data/", privacy.personal_data_export, name="personal_data"),
    path("<int:pk>/personal-data/anonymise/", privacy.anonymise, name="anonymise"),
]
