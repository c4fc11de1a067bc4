from django.apps import AppConfig


class CoalitionsConfig(AppConfig):
    name = "cairn.coalitions"
    label = "coalitions"
    verbose_name = "Coalitions"
