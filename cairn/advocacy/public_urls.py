"""The public pages of letter and call campaigns, mounted at /a/ (namespace `advocacy_public`).
`advocacy_public:write` is the stable name of the letter form (GET lookup, POST send)."""

from django.urls import URLPattern, path

from . import public_views

app_name = "advocacy_public"
urlpatterns: list[URLPattern] = [
    path("<slug:advocacy_slug>/", public_views.write, name="write"),
    path("<slug:advocacy_slug>/sent/<str:token>/", public_views.sent, name="sent"),
    path(
        "<slug:advocacy_slug>/sent/<str:token>/calls/<int:advocacy_delivery_id>/",
        public_views.report,
        name="report",
    ),
]
