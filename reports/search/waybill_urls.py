from django.urls import path

from . import views

app_name = "waybills"

urlpatterns = [
    path("<str:number>/", views.waybill_detail, name="detail"),
]
