"""Calendar and service-plan pages, mounted under /visits/ in the "visits" namespace."""

from django.urls import path

from . import views

urlpatterns = [
    path("calendar/", views.calendar, name="calendar"),
    path("calendar/events/", views.calendar_events, name="calendar_events"),
    path("calendar/feed/", views.calendar_feed_enable, name="calendar_feed_enable"),
    path("calendar/feed/revoke/", views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path("calendar/contacts/<int:pk>/", views.planned_contact, name="planned_contact"),
    path(
        "calendar/contacts/<int:pk>/move/", views.planned_contact_move, name="planned_contact_move"
    ),
    path(
        "calendar/contacts/<int:pk>/cancel/",
        views.planned_contact_cancel,
        name="planned_contact_cancel",
    ),
    path("calendar/<str:token>.ics", views.calendar_feed_ics, name="calendar_feed_ics"),
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.plan_new, name="plan_new"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.plan_edit, name="plan_edit"),
    path("plans/<int:pk>/approve/", views.plan_approve, name="plan_approve"),
]
