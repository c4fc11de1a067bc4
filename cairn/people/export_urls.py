"""CSV export and data-access reports, mounted at /c/<slug>/people/export/."""

from django.urls import path

from . import export_views

app_name = "people_export"
urlpatterns = [
    path("people.csv", export_views.people_csv, name="people_csv"),
    path("<uuid:person_id>/access-report.json", export_views.access_report, name="access_report"),
]
