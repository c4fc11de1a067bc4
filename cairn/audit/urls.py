from django.urls import path

from . import views

app_name = "audit"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("run/", views.run_audit, name="run"),
    path("report/", views.report, name="report"),
    path("audit.csv", views.audit_csv, name="csv"),
    path("policy/", views.policy, name="policy"),
    path("members/<int:member_id>/", views.member_profile, name="member"),
    path("members/<int:member_id>/override/", views.override, name="override"),
    path("members/<int:member_id>/annotate/", views.annotate, name="annotate"),
]
