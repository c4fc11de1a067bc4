"""Staff pages of forms, mounted at /c/<slug>/forms/ (namespace `signups`)."""

from django.urls import URLPattern, path

from . import views

app_name = "signups"
urlpatterns: list[URLPattern] = [
    path("", views.form_list, name="list"),
    path("new/", views.new_form, name="new"),
    path("<int:form_id>/", views.detail, name="detail"),
    path("<int:form_id>/edit/", views.edit_form, name="edit"),
    path("<int:form_id>/links/", views.add_link, name="add_link"),
    path("<int:form_id>/submissions.csv", views.submissions_csv, name="csv"),
]
