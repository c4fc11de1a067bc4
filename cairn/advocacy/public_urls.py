"""The public pages of letter and call campaigns, mounted at /a/ (namespace `advocacy_public`).
`advocacy_public:write` is the stable name of the letter form (GET lookup, POST send)."""

from django.urls import URLPattern, path

from . import public_views

app_name = "advocacy_public"
urlpatterns: list[URLPattern] = [
    path("<slug:slug>/", public_views.write, name="write"),
    path("<slug:slug>/sent/<str:token>/", public_views.sent, name="sent"),
    path(
        "<slug:slug>/sent/<str:token>/calls/<int:delivery_pk>/",
        public_views.report,
        name="report",
    ),
]
