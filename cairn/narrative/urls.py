from django.urls import path

from . import views

app_name = "narrative"
urlpatterns = [
    path("", views.index, name="index"),
    path("frameworks/new/", views.new_framework, name="new_framework"),
    path("reviewers/", views.reviewers, name="reviewers"),
    path("frameworks/<int:framework_id>/", views.framework, name="framework"),
    path("frameworks/<int:framework_id>/diff/", views.diff, name="diff"),
    path("frameworks/<int:framework_id>/versions/new/", views.new_version, name="new_version"),
    path("frameworks/<int:framework_id>/v<int:version_number>/", views.version, name="version"),
    path(
        "frameworks/<int:framework_id>/v<int:version_number>/framework.json",
        views.version_json,
        name="version_json",
    ),
    path(
        "frameworks/<int:framework_id>/v<int:version_number>/edit/",
        views.edit_version,
        name="edit_version",
    ),
    path(
        "frameworks/<int:framework_id>/v<int:version_number>/edit/json/",
        views.edit_version_json,
        name="edit_version_json",
    ),
    path(
        "frameworks/<int:framework_id>/v<int:version_number>/propose/",
        views.propose_version,
        name="propose_version",
    ),
    path(
        "frameworks/<int:framework_id>/v<int:version_number>/adopt/",
        views.adopt_version,
        name="adopt_version",
    ),
    path("campaigns/<int:campaign_id>/content/", views.content_list, name="content_list"),
    path("campaigns/<int:campaign_id>/content/new/", views.new_content, name="new_content"),
    path("campaigns/<int:campaign_id>/check/", views.check_new, name="check_new"),
    path("campaigns/<int:campaign_id>/kit/", views.kit, name="kit"),
    path("campaigns/<int:campaign_id>/kit/print/", views.kit_print, name="kit_print"),
    path("campaigns/<int:campaign_id>/kit.csv", views.kit_csv, name="kit_csv"),
    path("campaigns/<int:campaign_id>/pulse/", views.pulse, name="pulse"),
    path("content/<int:content_id>/", views.content, name="content"),
    path("content/<int:content_id>/edit/", views.edit_content, name="edit_content"),
    path("content/<int:content_id>/check/", views.check_content, name="check_content"),
    path("content/<int:content_id>/submit/", views.submit_content, name="submit"),
    path("content/<int:content_id>/withdraw/", views.withdraw_content, name="withdraw"),
    path("content/<int:content_id>/changes/", views.request_changes, name="request_changes"),
    path("content/<int:content_id>/approve/", views.approve_content, name="approve"),
    path("content/<int:content_id>/publish/", views.publish_content, name="publish"),
    path("content/<int:content_id>/retire/", views.retire_content, name="retire"),
    path("content/<int:content_id>/comment/", views.comment, name="comment"),
    path("content/<int:content_id>/dismiss/", views.dismiss_flag, name="dismiss"),
    path("content/<int:content_id>/reach/", views.record_reach, name="reach"),
]
