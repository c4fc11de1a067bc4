"""Petition.campaign: from free text to a link to a campaign of the same coalition.

Three steps, so that it runs the same on SQLite and PostgreSQL and can be reversed: add the link
beside the text, copy (the campaign of the petition's coalition whose name matches the text,
ignoring case and surrounding spaces; no match leaves the link empty), then drop the text and
give the link its name. Going back writes each linked campaign's name into the text again.
"""

from __future__ import annotations

from typing import Any

import django.db.models.deletion
from django.db import migrations, models


def link_campaigns(apps: Any, schema_editor: Any) -> None:
    Petition = apps.get_model("petitions", "Petition")
    Campaign = apps.get_model("campaigns", "Campaign")
    db = schema_editor.connection.alias
    named = list(
        Petition.objects.using(db)
        .exclude(campaign="")
        .order_by("pk")
        .values_list("pk", "coalition_id", "campaign")
    )
    if not named:
        return
    # Matched in Python: the same case folding on both databases (SQLite's LIKE folds ASCII
    # only). Names are unique per coalition ignoring case; on a tie the oldest campaign wins.
    campaigns = (
        Campaign.objects.using(db)
        .filter(coalition_id__in={coalition_id for _, coalition_id, _ in named})
        .order_by("-pk")
        .values_list("pk", "coalition_id", "name")
    )
    by_name = {(coalition_id, name.strip().lower()): pk for pk, coalition_id, name in campaigns}
    for pk, coalition_id, text in named:
        campaign_id = by_name.get((coalition_id, text.strip().lower()))
        if campaign_id is not None:
            Petition.objects.using(db).filter(pk=pk).update(campaign_link_id=campaign_id)


def unlink_campaigns(apps: Any, schema_editor: Any) -> None:
    Petition = apps.get_model("petitions", "Petition")
    db = schema_editor.connection.alias
    linked = Petition.objects.using(db).filter(campaign_link__isnull=False)
    for pk, name in linked.values_list("pk", "campaign_link__name"):
        Petition.objects.using(db).filter(pk=pk).update(campaign=name[:200])


class Migration(migrations.Migration):
    dependencies = [
        ("campaigns", "0002_engagement_counters_and_feeds"),
        ("petitions", "0001_petitions"),
    ]

    operations = [
        migrations.AddField(
            model_name="petition",
            name="campaign_link",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="petitions",
                to="campaigns.campaign",
            ),
        ),
        migrations.RunPython(link_campaigns, unlink_campaigns, elidable=False),
        migrations.RemoveField(model_name="petition", name="campaign"),
        migrations.RenameField(
            model_name="petition", old_name="campaign_link", new_name="campaign"
        ),
    ]
