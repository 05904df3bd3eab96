from django.urls import include, path

from . import views
from .views import privacy

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
    # Sub-domains add their pages to the "customers" namespace.
    path("", include("customers.voice.urls")),
    path("", include("customers.revenue.urls")),
    path("", include("customers.prospects.urls")),
    path("<int:pk>/", views.customer_detail, name="detail"),
    path("<int:pk>/history/<str:kind>/", views.customer_history, name="history"),
    path("<int:pk>/edit/", views.customer_edit, name="edit"),
    path("<int:pk>/grade/pin/", views.pin_grade, name="pin_grade"),
    path("<int:pk>/grade/unpin/", views.unpin_grade, name="unpin_grade"),
    path("<int:pk>/contacts/new/", views.contact_create, name="contact_create"),
    path("<int:pk>/contacts/<int:contact_id>/edit/", views.contact_edit, name="contact_edit"),
    path("<int:pk>/contacts/<int:contact_id>/delete/", views.contact_delete, name="contact_delete"),
    path("<int:pk>/personal-data/", privacy.personal_data_export, name="personal_data"),
    path("<int:pk>/personal-data/anonymise/", privacy.anonymise, name="anonymise"),
]
