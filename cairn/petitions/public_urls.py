from django.urls import path

from . import public_views as views

app_name = "petitions_public"
# The busiest first (a viral petition's page and counts): each pattern tried before costs every
# request. No two patterns match the same path, so the order changes nothing else.
urlpatterns = [
    path("<slug:petition_slug>/", views.petition_page, name="petition"),
    path("<slug:petition_slug>/counts.json", views.counts_json, name="counts_json"),
    path("<slug:petition_slug>/widget/", views.widget, name="widget"),
    path("<slug:petition_slug>/form-token/", views.form_token, name="form_token"),
    path("<slug:petition_slug>/sign/", views.sign, name="sign"),
    path("", views.petition_list, name="list"),
    path("confirm/<str:token>/", views.confirm, name="confirm"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("<slug:petition_slug>/thanks/", views.thanks, name="thanks"),
    path("<slug:petition_slug>/counts.csv", views.counts_csv, name="counts_csv"),
]
