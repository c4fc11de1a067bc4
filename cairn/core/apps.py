from django.apps import AppConfig


class CoreConfig(AppConfig):
    """Site-wide pieces: the base layout, components, static assets, the home page."""

    name = "cairn.core"
    label = "core"
    verbose_name = "Core"
