from django.urls import path

from . import views

app_name = "petitions"
urlpatterns = [
    path("", views.petition_list, name="list"),
    path("new/", views.new_petition, name="new"),
    path("lists/", views.lists, name="lists"),
    path("lists/<int:entry_id>/remove/", views.remove_entry, name="remove_entry"),
    path("<int:petition_id>/", views.detail, name="detail"),
    path("<int:petition_id>/edit/", views.edit_petition, name="edit"),
    path("<int:petition_id>/submit/", views.submit, name="submit"),
    path("<int:petition_id>/sponsor/", views.sponsor, name="sponsor"),
    path("<int:petition_id>/open/", views.open_, name="open"),
    path("<int:petition_id>/reject/", views.reject, name="reject"),
    path("<int:petition_id>/close/", views.close, name="close"),
    path("<int:petition_id>/reopen/", views.reopen, name="reopen"),
    path("<int:petition_id>/take-down/", views.take_down, name="take_down"),
    path("<int:petition_id>/restore/", views.restore, name="restore"),
    path("<int:petition_id>/victory/", views.victory, name="victory"),
    path("<int:petition_id>/delivery/", views.delivery, name="delivery"),
    path("<int:petition_id>/response/", views.response, name="response"),
    path("<int:petition_id>/integrity/", views.integrity, name="integrity"),
    path("<int:petition_id>/integrity/network/", views.review_network, name="review_network"),
    path(
        "<int:petition_id>/integrity/<int:invalidation_id>/undo/",
        views.undo_invalidation,
        name="undo_invalidation",
    ),
    path("<int:petition_id>/export.csv", views.export_csv, name="export_csv"),
    path("<int:petition_id>/export.json", views.export_json, name="export_json"),
    path("<int:petition_id>/packet/", views.packet, name="packet"),
    path("<int:petition_id>/updates/", views.updates, name="updates"),
    path("<int:petition_id>/updates/<int:update_id>/", views.update, name="update"),
]
