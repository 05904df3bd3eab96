"""Customer development and care-date pages, in the "customers" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("development/", views.development_list, name="development_list"),
    path("development/new/", views.development_create, name="development_create"),
    path("development/<int:pk>/", views.development_detail, name="development_detail"),
    path("development/<int:pk>/steps/", views.development_step, name="development_step"),
    path(
        "development/<int:pk>/convert/",
        views.development_convert,
        name="development_convert",
    ),
    path("development/<int:pk>/drop/", views.development_drop, name="development_drop"),
    path("care/", views.care_list, name="care_list"),
]
