from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "cairn.ledger"
    label = "ledger"
    verbose_name = "Ledger"

    def ready(self) -> None:
        from cairn.coalitions import public as coalition_public
        from cairn.coalitions.hooks import register_delivery_hook

        from . import hooks, public

        # a delivered funding commitment is a member's contribution to the pooled fund
        register_delivery_hook("ledger", hooks.post_funding_delivery)
        coalition_public.register(
            coalition_public.PublicSection(
                key="funds", title="Pooled funds", entries=public.public_fund_entries, order=60
            )
        )
