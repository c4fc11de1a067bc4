from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "cairn.audit"
    label = "audit"
    verbose_name = "Partnership audit"

    def ready(self) -> None:
        # A version of the audit's thresholds can be authorized by a decision (governance's
        # Authorization link): the authorization page offers the coalition's versions.
        from django.urls import reverse

        from cairn.governance import authorizable

        from .models import ThresholdVersion

        authorizable.register(
            authorizable.Kind(
                label="Audit thresholds",
                model=ThresholdVersion,
                choices=lambda c: ThresholdVersion.objects.filter(coalition=c).order_by("-pk"),
                url=lambda slug, row: reverse("audit:policy", args=[slug]) + f"#v{row.pk}",
            )
        )
