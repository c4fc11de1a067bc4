"""CSV import pages, mounted at /c/<slug>/people/import/ (the slug reaches `coalition_view`)."""

from django.urls import path

from . import import_views

app_name = "people_import"
urlpatterns = [
    path("", import_views.upload, name="upload"),
    path("<int:job_id>/", import_views.job, name="job"),
    path("<int:job_id>/mapping/", import_views.mapping, name="mapping"),
    path("<int:job_id>/progress/", import_views.progress, name="progress"),
    path("<int:job_id>/skip/", import_views.skip_bad_rows, name="skip"),
    path("<int:job_id>/cancel/", import_views.cancel, name="cancel"),
]
