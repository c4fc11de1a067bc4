"""Staff pages of letter and call campaigns, mounted at /c/<slug>/advocacy/ (namespace
`advocacy`)."""

from django.urls import URLPattern, path

from . import views

app_name = "advocacy"
urlpatterns: list[URLPattern] = [
    path("", views.campaign_list, name="list"),
    path("new/", views.new_campaign, name="new"),
    path("districts/", views.districts, name="districts"),
    path("districts/<int:table_pk>/", views.district_table, name="district_table"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit_campaign, name="edit"),
    path("<int:pk>/targets/", views.targets, name="targets"),
    path("<int:pk>/targets/<int:target_pk>/remove/", views.remove_target, name="remove_target"),
    path("<int:pk>/replies/", views.replies, name="replies"),
    path("<int:pk>/deliveries/<int:delivery_pk>/bounce/", views.bounce, name="bounce"),
    path("<int:pk>/batches/", views.batches, name="batches"),
    path("<int:pk>/batches/<int:batch_pk>/", views.batch, name="batch"),
    path(
        "<int:pk>/batches/<int:batch_pk>/delivered/",
        views.batch_delivered,
        name="batch_delivered",
    ),
]
