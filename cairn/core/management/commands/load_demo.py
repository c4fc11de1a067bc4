"""`cairn load_demo`: load the demo coalition and its supporters (idempotent, no prompts)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from cairn.advocacy.demo import CALLS, OUTREACHES, load_demo_advocacy
from cairn.audit.demo import load_demo_audit
from cairn.budgets.demo import load_demo_budgets
from cairn.campaigns.demo import load_demo_campaign
from cairn.coalitions.demo import load_demo_coalition
from cairn.coalitions.models import Membership
from cairn.engines.words import counted
from cairn.events.demo import load_demo_events
from cairn.fundraising.demo import DONATIONS, load_demo_fundraising
from cairn.governance.demo import load_demo_decisions
from cairn.ledger.demo import load_demo_ledger
from cairn.narrative.demo import load_demo_narrative, load_demo_narrative_decision
from cairn.people.demo import DEFAULT_SUPPORTERS, load_demo_supporters
from cairn.people.models import Person
from cairn.petitions.demo import load_demo_petitions
from cairn.powermap.demo import load_demo_powermap
from cairn.signups.demo import SUBMISSIONS, load_demo_forms


class Command(BaseCommand):
    help = "Load the demo coalition; running it again creates nothing new."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--supporters",
            type=int,
            default=DEFAULT_SUPPORTERS,
            help=f"How many demo supporters (default {DEFAULT_SUPPORTERS}).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        loaded = load_demo_coalition()
        coalition = loaded.coalition
        supporters = load_demo_supporters(coalition=coalition, count=options["supporters"])
        # in the order of the story: the campaign plan exists when the horizon decision (months
        # ago) authorizes it, so the decision log stays in order of time; then the petitions
        load_demo_campaign(coalition)
        # the narrative was adopted by the founding members before the charter
        load_demo_narrative_decision(coalition)
        # today's meeting poll comes last (below), after the budget decision of weeks ago
        load_demo_decisions(coalition, meeting=False)
        load_demo_petitions(coalition)
        # content written from it, reviewed, published; its links brought signatures
        load_demo_narrative(coalition)
        # the power map's landscape, imported: the campaign's decision-makers exist by now
        load_demo_powermap(coalition)
        # the partnership audit reads the evidence the loaders above recorded
        load_demo_audit(coalition)
        # A smaller supporter base (tests, a quick look) gets proportionally fewer gifts,
        # sign-ups and letters, down to enough of each to show every state.
        share = min(1.0, options["supporters"] / DEFAULT_SUPPORTERS)

        def scaled(full: int, least: int) -> int:
            return max(least, round(full * share))

        load_demo_ledger(coalition)  # the pooled fund: members' delivered funding, published
        # crowdfunding through the local fake of Stripe
        load_demo_fundraising(coalition, count=scaled(DONATIONS, 25))
        load_demo_budgets(coalition)  # a participatory budget decided, allocated, spent
        # the lobby day's volunteer sign-up form and its submissions
        load_demo_forms(coalition, count=scaled(SUBMISSIONS, 30))
        load_demo_events(coalition)  # the lobby day: members' events, RSVPs, check-ins
        # letters to the legislative leaders, replies
        load_demo_advocacy(coalition, letters=scaled(OUTREACHES, 40), calls=scaled(CALLS, 9))
        load_demo_decisions(coalition)  # today's poll for the spring meeting, last in the log
        members = (
            Membership.objects.for_coalition(coalition)
            .exclude(status__in=[Membership.Status.PROSPECT, Membership.Status.LEFT])
            .count()
        )
        outcome = "loaded" if loaded.created or supporters.created else "already loaded"
        # donors, letter writers, sign-ups and RSVPs are the demo's own supporters
        total = Person.objects.for_coalition(coalition).count()
        self.stdout.write(
            f"{coalition.name}: {counted(members, 'member', 'members')}, "
            f"{counted(total, 'supporter', 'supporters')} ({outcome})"
        )
