from django.apps import AppConfig


class NarrativeConfig(AppConfig):
    name = "cairn.narrative"
    label = "narrative"
    verbose_name = "Narrative"

    def ready(self) -> None:
        # A framework version takes effect when a decision adopts it: governance's authorization
        # page offers the coalition's proposed versions; the campaign dashboard counts what the
        # content's tracked links brought.
        from . import registration

        registration.register_all()
