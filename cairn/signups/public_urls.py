"""The public form page, mounted at /f/ (namespace `signups_public`)."""

from django.urls import URLPattern, path

from . import public_views

app_name = "signups_public"
urlpatterns: list[URLPattern] = [
    path("<uuid:form_uuid>/", public_views.form_page, name="form"),
]
