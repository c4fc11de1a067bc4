"""Staff pages of letter and call campaigns, mounted at /c/<slug>/advocacy/ (namespace
`advocacy`)."""

from django.urls import URLPattern, path

from . import views

app_name = "advocacy"
urlpatterns: list[URLPattern] = [
    path("", views.campaign_list, name="list"),
    path("new/", views.new_campaign, name="new"),
    path("districts/", views.districts, name="districts"),
    path("districts/<int:district_table_id>/", views.district_table, name="district_table"),
    path("<int:advocacy_id>/", views.detail, name="detail"),
    path("<int:advocacy_id>/edit/", views.edit_campaign, name="edit"),
    path("<int:advocacy_id>/targets/", views.targets, name="targets"),
    path(
        "<int:advocacy_id>/targets/<int:advocacy_target_id>/remove/",
        views.remove_target,
        name="remove_target",
    ),
    path("<int:advocacy_id>/replies/", views.replies, name="replies"),
    path(
        "<int:advocacy_id>/deliveries/<int:advocacy_delivery_id>/bounce/",
        views.bounce,
        name="bounce",
    ),
    path("<int:advocacy_id>/batches/", views.batches, name="batches"),
    path("<int:advocacy_id>/batches/<int:print_batch_id>/", views.batch, name="batch"),
    path(
        "<int:advocacy_id>/batches/<int:print_batch_id>/delivered/",
        views.batch_delivered,
        name="batch_delivered",
    ),
]
