from django.urls import path

from . import public_views as views

app_name = "public"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("<slug:slug>/", views.coalition_page, name="coalition"),
]
