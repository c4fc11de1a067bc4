from django.apps import AppConfig


class GovernanceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cairn.governance"
    verbose_name = "Governance"

    def ready(self) -> None:
        from .authorizable import register_built_in

        register_built_in()
