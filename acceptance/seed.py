"""Seed the acceptance server's throwaway database (run with Cairn's own Python, by
scripts/acceptance.sh): a steward, their coalition, and lists the API cannot create (a static
list of 30 people and a saved filter), so that list paging is real; and a member organization,
which owns the petitions that clients create."""

from __future__ import annotations

import datetime as dt
import os
import sys

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cairn.settings.dev")
    django.setup()
    from cairn.accounts.models import User
    from cairn.coalitions import services as coalitions
    from cairn.coalitions.models import Membership, Sector
    from cairn.people import services as people
    from cairn.people.models import PeopleList

    steward = User.objects.create_user(email="steward@example.org", password=os.urandom(16).hex())
    today = dt.datetime.now(dt.UTC).date()
    coalition = coalitions.create_coalition(
        name="Acceptance",
        slug="acceptance",
        mission="Prove that real OSDI clients work against Cairn.",
        horizon_title="Acceptance",
        horizon_start=today,
        horizon_end=today + dt.timedelta(days=30),
        created_by=steward,
    )
    coalitions.add_organization(
        coalition=coalition,
        name="Acceptance Org",
        sector=Sector.NONPROFIT,
        added_by=steward,
        status=Membership.Status.ACTIVE,
    )
    tag, _ = people.create_tag(coalition=coalition, name="Seeded")
    static = people.create_list(coalition=coalition, name="Seeded static list")
    people.create_list(
        coalition=coalition,
        name="Seeded saved filter",
        kind=PeopleList.Kind.SAVED_FILTER,
        query={"tags": ["Seeded"]},
    )
    for n in range(30):
        person = people.upsert_person(
            coalition=coalition,
            data=people.PersonData(
                given_name=f"Seed{n:02d}", emails=[people.EmailInput(f"seed{n:02d}@example.org")]
            ),
        ).person
        people.add_to_list(people_list=static, person=person)
        people.tag_person(tag=tag, person=person)
    sys.stdout.write(coalition.slug + "\n")


if __name__ == "__main__":
    main()
