from django.apps import AppConfig


class PowermapConfig(AppConfig):
    name = "cairn.powermap"
    label = "powermap"
    verbose_name = "Power map"
