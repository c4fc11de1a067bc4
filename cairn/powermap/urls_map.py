"""The map, its JSON and table, and the prospects pages; included by `cairn.powermap.urls`
(namespace `powermap`)."""

from django.urls import path

from . import views_map

urlpatterns = [
    path("map/", views_map.power_map, name="map"),
    path("map/data.json", views_map.map_data, name="map_data"),
    path("map/table/", views_map.map_table, name="map_table"),
    path("prospects/", views_map.prospects, name="prospects"),
    path(
        "prospects/<int:campaign_id>/",
        views_map.campaign_prospects,
        name="campaign_prospects",
    ),
    path(
        "prospects/<int:campaign_id>/pipeline/<int:stakeholder_id>/",
        views_map.add_to_pipeline,
        name="add_to_pipeline",
    ),
]
