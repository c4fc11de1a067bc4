from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cairn.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from cairn.coalitions.hooks import register_delivery_hook

        from . import hooks

        register_delivery_hook("ledger", hooks.post_funding_delivery)
