from django.urls import path

from . import public_views as views

app_name = "events_public"
urlpatterns = [
    path("<slug:event_slug>/", views.event_page, name="event"),
    path("<slug:event_slug>/rsvp/", views.rsvp, name="rsvp"),
    path("<slug:event_slug>/event.ics", views.event_ics, name="ics"),
    path("<slug:event_slug>/ticket/<str:code>/", views.ticket, name="ticket"),
    path("<slug:event_slug>/ticket/<str:code>/qr.svg", views.ticket_qr, name="ticket_qr"),
    path("<slug:event_slug>/ticket/<str:code>/cancel/", views.cancel, name="cancel"),
    path("day/<slug:campaign_slug>/", views.campaign_page, name="event_campaign"),
    path("day/<slug:campaign_slug>/events.ics", views.campaign_ics, name="event_campaign_ics"),
    path("of/<slug:coalition_slug>/", views.coalition_events, name="coalition"),
    path("of/<slug:coalition_slug>/events.ics", views.coalition_ics, name="coalition_ics"),
]
