from django.urls import path

from . import public_views as views

app_name = "ledger_public"
urlpatterns = [
    path("<slug:slug>/<slug:fund_slug>/", views.fund_page, name="fund"),
    path("<slug:slug>/<slug:fund_slug>/ledger.csv", views.fund_csv, name="csv"),
]
