from django.urls import path

from . import views

app_name = "api_tokens"
urlpatterns = [
    path("", views.tokens, name="tokens"),
    path("new/", views.create_token, name="create"),
    path("<int:token_id>/revoke/", views.revoke_token, name="revoke"),
]
