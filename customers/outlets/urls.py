"""The outlet register (网点), in the "outlets" namespace."""

from django.urls import path

from . import views

app_name = "outlets"

urlpatterns = [
    path("", views.outlet_list, name="list"),
    path("new/", views.outlet_create, name="create"),
    path("export/", views.outlet_export, name="export"),
    path("import/", views.outlet_import, name="import"),
    path("import/template/", views.outlet_import_template, name="import_template"),
    path("<int:pk>/", views.outlet_detail, name="detail"),
    path("<int:pk>/edit/", views.outlet_edit, name="edit"),
    path("<int:pk>/deactivate/", views.outlet_deactivate, name="deactivate"),
    path("<int:pk>/activate/", views.outlet_activate, name="activate"),
]
