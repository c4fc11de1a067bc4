from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "cairn.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        # Attendances follow a merged person and lose their personal data in an erasure; the
        # campaign dashboard counts RSVPs and check-ins per day and host member.
        from . import registration

        registration.register_all()
