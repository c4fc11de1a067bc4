from django.apps import AppConfig


class FundraisingConfig(AppConfig):
    name = "cairn.fundraising"
    label = "fundraising"
    verbose_name = "Fundraising"

    def ready(self) -> None:
        from cairn.people import hooks

        from .people_hooks import HOOKS

        hooks.register(HOOKS)

        from .engagement import register_sources  # the dashboard's donations and donors

        register_sources()
