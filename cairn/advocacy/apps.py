from django.apps import AppConfig


class AdvocacyConfig(AppConfig):
    name = "cairn.advocacy"
    label = "advocacy"
    verbose_name = "Letter and call campaigns"

    def ready(self) -> None:
        from .registration import register_all

        register_all()
