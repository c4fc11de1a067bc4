from django.urls import path

from . import review_views, views

app_name = "people"
urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.add_person, name="add_person"),
    path("bulk/tag/", views.bulk_tag, name="bulk_tag"),
    path("bulk/list/", views.bulk_add_to_list, name="bulk_add_to_list"),
    path("segments/", views.save_segment, name="save_segment"),
    path("tags/", views.tags, name="tags"),
    path("tags/<uuid:tag_id>/delete/", views.delete_tag, name="delete_tag"),
    path("lists/", views.lists, name="lists"),
    path("lists/<uuid:list_id>/", views.people_list, name="list"),
    path("duplicates/", views.duplicates, name="duplicates"),
    path("merge/", views.merge, name="merge"),
    path("names/<int:review_id>/", review_views.resolve_name, name="resolve_name"),
    path("<uuid:person_id>/", views.person, name="person"),
    path("<uuid:person_id>/tags/", views.tag_person, name="tag_person"),
    path("<uuid:person_id>/tags/<uuid:tag_id>/remove/", views.untag_person, name="untag_person"),
    path(
        "<uuid:person_id>/emails/<int:email_id>/status/",
        views.set_email_status,
        name="set_email_status",
    ),
    path("<uuid:person_id>/erase/", views.erase_person, name="erase_person"),
]
