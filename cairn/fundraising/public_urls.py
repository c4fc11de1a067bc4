from django.urls import path

from . import public_views as views

app_name = "fundraising_public"
urlpatterns = [
    path("webhooks/stripe/", views.stripe_webhook, name="stripe_webhook"),
    path("manage/<str:token>/", views.manage, name="manage"),
    path("<slug:page_slug>/", views.page, name="page"),
    path("<slug:page_slug>/donate/", views.donate, name="donate"),
    path("<slug:page_slug>/widget/", views.widget, name="widget"),
    path("<slug:page_slug>/thanks/<uuid:donation_uuid>/", views.thanks, name="thanks"),
]
