from django.urls import path

from . import views

app_name = "events"
urlpatterns = [
    path("", views.event_list, name="list"),
    path("past/", views.past_events, name="past"),
    path("new/", views.new_event, name="new"),
    path("days/new/", views.new_campaign, name="new_campaign"),
    path("days/<int:event_campaign_id>/", views.campaign_detail, name="campaign"),
    path("days/<int:event_campaign_id>/edit/", views.edit_campaign, name="edit_campaign"),
    path("days/<int:event_campaign_id>/turnout.csv", views.campaign_csv, name="campaign_csv"),
    path("<int:event_id>/", views.event_detail, name="detail"),
    path("<int:event_id>/edit/", views.edit_event, name="edit"),
    path("<int:event_id>/cancel/", views.cancel_event, name="cancel_event"),
    path("<int:event_id>/shifts/", views.add_shift, name="add_shift"),
    path("<int:event_id>/shifts/<int:shift_id>/remove/", views.remove_shift, name="remove_shift"),
    path("<int:event_id>/questions/", views.questions, name="questions"),
    path("<int:event_id>/series/", views.series, name="series"),
    path("<int:event_id>/check-in/", views.check_in_page, name="check_in"),
    path(
        "<int:event_id>/attendances/<int:attendance_id>/check-in/",
        views.check_in,
        name="check_in_one",
    ),
    path(
        "<int:event_id>/attendances/<int:attendance_id>/undo/",
        views.undo_check_in,
        name="undo_check_in",
    ),
    path(
        "<int:event_id>/attendances/<int:attendance_id>/cancel/",
        views.cancel_attendance,
        name="cancel_attendance",
    ),
    path("<int:event_id>/attendance.csv", views.attendance_csv, name="attendance_csv"),
]
