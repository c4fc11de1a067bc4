"""Reads of letter and call campaigns: every one takes the coalition (or a row of it) explicitly."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet

from cairn.campaigns.models import DecisionMaker
from cairn.coalitions.models import Coalition

from .models import (
    Action,
    AdvocacyCampaign,
    AdvocacyTarget,
    Delivery,
    District,
    DistrictTable,
    OfficeReply,
    Outreach,
    PrintBatch,
)


def campaigns(*, coalition: Coalition) -> QuerySet[AdvocacyCampaign]:
    return (
        AdvocacyCampaign.objects.for_coalition(coalition)
        .select_related("campaign", "owner__organization")
        .annotate(
            letters=Count("outreaches", filter=Q(outreaches__action=Action.LETTER)),
            calls=Count("outreaches", filter=Q(outreaches__action=Action.CALL)),
        )
    )


def campaign(*, coalition: Coalition, pk: int) -> AdvocacyCampaign | None:
    return (
        AdvocacyCampaign.objects.for_coalition(coalition)
        .select_related("campaign", "owner__organization", "district_table", "framework_version")
        .filter(pk=pk)
        .first()
    )


def public_campaign(*, slug: str) -> AdvocacyCampaign | None:
    """A campaign the public may see: open or closed, never a draft."""
    return (
        AdvocacyCampaign.objects.select_related("coalition", "district_table")
        .filter(slug=slug)
        .exclude(status=AdvocacyCampaign.Status.DRAFT)
        .first()
    )


def targets(*, advocacy_campaign: AdvocacyCampaign) -> QuerySet[AdvocacyTarget]:
    return AdvocacyTarget.objects.filter(advocacy_campaign=advocacy_campaign).select_related(
        "decision_maker"
    )


def target(*, advocacy_campaign: AdvocacyCampaign, pk: int) -> AdvocacyTarget | None:
    return targets(advocacy_campaign=advocacy_campaign).filter(pk=pk).first()


def decision_makers(*, coalition: Coalition) -> QuerySet[DecisionMaker]:
    return DecisionMaker.objects.for_coalition(coalition).order_by("name")


def counts(*, advocacy_campaign: AdvocacyCampaign) -> dict[str, int]:
    """Letters and calls of the campaign (outreaches: one per supporter and action)."""
    rows = (
        Outreach.objects.filter(advocacy_campaign=advocacy_campaign)
        .values("action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    found = {row["action"]: row["n"] for row in rows}
    return {"letters": found.get(Action.LETTER, 0), "calls": found.get(Action.CALL, 0)}


@dataclass(slots=True)
class TargetTally:
    target: AdvocacyTarget
    by_status: dict[str, int] = field(default_factory=dict)
    by_call_result: dict[str, int] = field(default_factory=dict)
    positions_heard: dict[str, int] = field(default_factory=dict)
    replies: int = 0
    last_position: str = ""

    @property
    def letters(self) -> int:
        return sum(n for status, n in self.by_status.items() if status not in _CALL_STATUSES)

    @property
    def calls(self) -> int:
        return sum(n for status, n in self.by_status.items() if status in _CALL_STATUSES)

    def count(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def emailed(self) -> int:
        return self.count(Delivery.Status.SENT)

    @property
    def queued(self) -> int:
        return self.count(Delivery.Status.QUEUED) + self.count(Delivery.Status.SENDING)

    @property
    def bounced(self) -> int:
        return self.count(Delivery.Status.BOUNCED) + self.count(Delivery.Status.FAILED)

    @property
    def printed(self) -> int:
        return self.count(Delivery.Status.PRINTED) + self.count(Delivery.Status.DELIVERED)

    @property
    def to_print(self) -> int:
        return self.count(Delivery.Status.TO_PRINT)

    @property
    def calls_reported(self) -> int:
        return self.count(Delivery.Status.CALLED)


_CALL_STATUSES = frozenset({Delivery.Status.TO_CALL, Delivery.Status.CALLED})


def tallies(*, advocacy_campaign: AdvocacyCampaign) -> list[TargetTally]:
    """Per target: deliveries by status, calls by result, positions heard on calls, replies
    (four GROUP BY queries whatever the number of targets)."""
    rows = {t.pk: TargetTally(target=t) for t in targets(advocacy_campaign=advocacy_campaign)}
    deliveries = Delivery.objects.filter(advocacy_campaign=advocacy_campaign).order_by()
    for row in deliveries.values("target", "status").annotate(n=Count("pk")):
        rows[row["target"]].by_status[row["status"]] = row["n"]
    for result in (
        deliveries.exclude(call_result="").values("target", "call_result").annotate(n=Count("pk"))
    ):
        rows[result["target"]].by_call_result[result["call_result"]] = result["n"]
    for heard in (
        deliveries.exclude(position_heard="")
        .values("target", "position_heard")
        .annotate(n=Count("pk"))
    ):
        rows[heard["target"]].positions_heard[heard["position_heard"]] = heard["n"]
    replies = OfficeReply.objects.filter(advocacy_campaign=advocacy_campaign).order_by(
        "received_on", "pk"
    )
    for reply in replies.only("target_id", "position"):
        tally = rows[reply.target_id]
        tally.replies += 1
        if reply.position:
            tally.last_position = reply.position
    return list(rows.values())


def recent_deliveries(
    *, advocacy_campaign: AdvocacyCampaign, limit: int = 50
) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(advocacy_campaign=advocacy_campaign)
        .select_related("target__decision_maker")
        .order_by("-created_at", "-pk")[:limit]
    )


def delivery(*, advocacy_campaign: AdvocacyCampaign, pk: int) -> Delivery | None:
    return Delivery.objects.filter(advocacy_campaign=advocacy_campaign, pk=pk).first()


def replies(*, advocacy_campaign: AdvocacyCampaign) -> QuerySet[OfficeReply]:
    return OfficeReply.objects.filter(advocacy_campaign=advocacy_campaign).select_related(
        "target__decision_maker", "logged_by"
    )


def batches(*, advocacy_campaign: AdvocacyCampaign) -> QuerySet[PrintBatch]:
    return PrintBatch.objects.filter(advocacy_campaign=advocacy_campaign).annotate(
        letters=Count("deliveries")
    )


def batch(*, advocacy_campaign: AdvocacyCampaign, pk: int) -> PrintBatch | None:
    return PrintBatch.objects.filter(advocacy_campaign=advocacy_campaign, pk=pk).first()


def batch_letters(*, batch: PrintBatch) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(batch=batch)
        .select_related("outreach__person", "target__decision_maker", "advocacy_campaign")
        .order_by("target__decision_maker__name", "pk")
    )


def waiting_to_print(*, advocacy_campaign: AdvocacyCampaign) -> int:
    return Delivery.objects.filter(
        advocacy_campaign=advocacy_campaign,
        channel=Delivery.Channel.PRINT,
        status=Delivery.Status.TO_PRINT,
        batch__isnull=True,
    ).count()


def district_tables(*, coalition: Coalition) -> QuerySet[DistrictTable]:
    return DistrictTable.objects.for_coalition(coalition).annotate(
        district_count=Count("districts", distinct=True),
        code_count=Count("postal_codes", distinct=True),
    )


def district_table(*, coalition: Coalition, pk: int) -> DistrictTable | None:
    return DistrictTable.objects.for_coalition(coalition).filter(pk=pk).first()


def districts(*, table: DistrictTable) -> QuerySet[District]:
    return District.objects.filter(table=table).annotate(codes=Count("postal_codes"))


def district_choices(*, advocacy_campaign: AdvocacyCampaign) -> list[tuple[str, str]]:
    """(key, label) of the districts a supporter may pick: the table's, else the targets'."""
    if advocacy_campaign.district_table_id is not None:
        rows = District.objects.filter(table_id=advocacy_campaign.district_table_id).order_by("key")
        return [(d.key, f"{d.name} ({d.key})" if d.name else d.key) for d in rows]
    keys = (
        AdvocacyTarget.objects.filter(advocacy_campaign=advocacy_campaign)
        .exclude(district="")
        .values_list("district", flat=True)
        .distinct()
        .order_by("district")
    )
    return [(k, k) for k in keys]


def outreach_deliveries(*, outreach: Outreach) -> QuerySet[Delivery]:
    return (
        Delivery.objects.filter(outreach=outreach)
        .select_related("target__decision_maker")
        .order_by("target__decision_maker__name", "pk")
    )
