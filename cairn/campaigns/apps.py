from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "cairn.campaigns"
    label = "campaigns"

    def ready(self) -> None:
        # The engagement sources that campaigns knows about itself (supporters, signatures);
        # other apps register theirs from their own ready() through cairn.campaigns.engagement.
        from . import sources

        sources.register_builtin_sources()
