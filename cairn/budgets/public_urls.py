from django.urls import path

from . import views

app_name = "budgets_public"
urlpatterns = [
    path("<uuid:budget_round_uuid>/", views.public_ballot, name="ballot"),
]
