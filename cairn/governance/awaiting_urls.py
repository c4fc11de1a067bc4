"""The one decisions page outside any coalition: what awaits the signed-in user's vote."""

from django.urls import path

from . import views

app_name = "awaiting"
urlpatterns = [path("", views.awaiting, name="awaiting")]
