from django.urls import path

from . import public_views as views

app_name = "events_public"
urlpatterns = [
    path("<slug:slug>/", views.event_page, name="event"),
    path("<slug:slug>/rsvp/", views.rsvp, name="rsvp"),
    path("<slug:slug>/event.ics", views.event_ics, name="ics"),
    path("<slug:slug>/ticket/<str:code>/", views.ticket, name="ticket"),
    path("<slug:slug>/ticket/<str:code>/qr.svg", views.ticket_qr, name="ticket_qr"),
    path("<slug:slug>/ticket/<str:code>/cancel/", views.cancel, name="cancel"),
    path("day/<slug:slug>/", views.campaign_page, name="campaign"),
    path("day/<slug:slug>/events.ics", views.campaign_ics, name="campaign_ics"),
    path("of/<slug:coalition_slug>/", views.coalition_events, name="coalition"),
    path("of/<slug:coalition_slug>/events.ics", views.coalition_ics, name="coalition_ics"),
]
