"""The ledger's staff pages, mounted at /c/<slug>/funds/ (namespace `ledger`)."""

from django.urls import path

from . import views

app_name = "ledger"
urlpatterns = [
    path("", views.funds, name="funds"),
    path("members/<int:membership_id>/", views.member, name="member"),
    path("<slug:fund_slug>/", views.fund, name="fund"),
    path("<slug:fund_slug>/publish/", views.publish, name="publish"),
    path("<slug:fund_slug>/ledger.csv", views.fund_csv, name="csv"),
    path("<slug:fund_slug>/accounts/<int:account_id>/", views.account, name="account"),
]
