from django.urls import path

from . import revenue_views, views, voice_views

app_name = "reports"

urlpatterns = [
    path("monthly/", views.monthly_list, name="monthly_list"),
    path("monthly/build/", views.monthly_build, name="monthly_build"),
    path("monthly/requests/<int:pk>/", views.monthly_request, name="monthly_request"),
    path("monthly/<int:pk>/", views.monthly_detail, name="monthly_detail"),
    path("monthly/<int:pk>/status/", views.monthly_status, name="monthly_status"),
    path("monthly/<int:pk>/rebuild/", views.monthly_rebuild, name="monthly_rebuild"),
    path("monthly/<int:pk>/commentary/", views.monthly_commentary, name="monthly_commentary"),
    path("monthly/<int:pk>/review/", views.monthly_review, name="monthly_review"),
    path("monthly/<int:pk>/export/", views.monthly_export, name="monthly_export"),
    path("analysis/", voice_views.analysis_page, name="analysis"),
    path("analysis/export/", voice_views.analysis_export, name="analysis_export"),
    path("revenue/", revenue_views.revenue_gap, name="revenue_gap"),
    path("revenue/big-customers/", revenue_views.big_customer_report, name="big_customers"),
    path(
        "revenue/big-customers/export/",
        revenue_views.big_customer_export,
        name="big_customers_export",
    ),
    path("reviews/", voice_views.review_list, name="review_list"),
    path("reviews/open/", voice_views.review_open, name="review_open"),
    path("reviews/<int:pk>/", voice_views.review_detail, name="review_detail"),
    path("reviews/<int:pk>/items/<int:item_id>/", voice_views.review_item, name="review_item"),
]
