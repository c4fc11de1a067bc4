from django.apps import AppConfig


class BudgetsConfig(AppConfig):
    name = "cairn.budgets"
    label = "budgets"
    verbose_name = "Budgets"

    def ready(self) -> None:
        # A decision adopts a round's result or allocates a line (governance's authorization
        # page offers them); a supporter's ballot follows a merge and is anonymized on erasure.
        from . import registration

        registration.register_all()
