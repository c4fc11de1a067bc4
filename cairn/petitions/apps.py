from django.apps import AppConfig


class PetitionsConfig(AppConfig):
    name = "cairn.petitions"
    label = "petitions"
    verbose_name = "Petitions"

    def ready(self) -> None:
        from cairn.people import hooks

        from .people_hooks import HOOKS

        hooks.register(HOOKS)

        from cairn.coalitions import public

        from .public_section import SECTION

        public.register(SECTION)
