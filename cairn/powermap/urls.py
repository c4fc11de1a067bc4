"""The power map's pages, mounted at /c/<slug>/powermap/ (namespace `powermap`). The map, its
table and the prospects come from `urls_map`; import and export from `urls_io`."""

from django.urls import URLPattern, URLResolver, include, path

from . import views

app_name = "powermap"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.stakeholders, name="stakeholders"),
    path("stakeholders/new/", views.new_stakeholder, name="new_stakeholder"),
    path("stakeholders/<int:stakeholder_id>/", views.stakeholder, name="stakeholder"),
    path(
        "stakeholders/<int:stakeholder_id>/edit/", views.edit_stakeholder, name="edit_stakeholder"
    ),
    path(
        "stakeholders/<int:stakeholder_id>/position/",
        views.record_position,
        name="record_position",
    ),
    path(
        "stakeholders/<int:stakeholder_id>/relationships/new/",
        views.add_relationship,
        name="add_relationship",
    ),
    path("stakeholders/<int:stakeholder_id>/merge/", views.merge_stakeholder, name="merge"),
    path(
        "relationships/<int:relationship_id>/edit/",
        views.edit_relationship,
        name="edit_relationship",
    ),
    path(
        "relationships/<int:relationship_id>/remove/",
        views.remove_relationship,
        name="remove_relationship",
    ),
]

# the map, its table and the prospects; import and export
urlpatterns += [
    path("", include("cairn.powermap.urls_map")),
    path("", include("cairn.powermap.urls_io")),
]
