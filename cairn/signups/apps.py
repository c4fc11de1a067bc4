from django.apps import AppConfig


class SignupsConfig(AppConfig):
    name = "cairn.signups"
    label = "signups"
    verbose_name = "Sign-up and survey forms"

    def ready(self) -> None:
        from cairn.campaigns import engagement
        from cairn.people import hooks

        from .people_hooks import HOOKS
        from .sources import SUBMISSIONS

        hooks.register(HOOKS)
        engagement.register(SUBMISSIONS)
