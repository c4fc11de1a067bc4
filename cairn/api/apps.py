from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "cairn.api"
    label = "api"
    verbose_name = "API"
