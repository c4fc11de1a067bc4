from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("cairn.core.urls")),
    path("accounts/", include("cairn.accounts.urls")),
    path("c/<slug:slug>/people/", include("cairn.people.urls")),
    path("c/<slug:slug>/", include("cairn.coalitions.urls")),
    path("admin/", admin.site.urls),
]
