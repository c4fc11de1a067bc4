"""Signed checkpoints of the decision log: members can prove the log still holds what they saw.

The chain alone misses a log cut short (the tail dropped and the head row rewritten) or rewritten
whole with fresh hashes; a checkpoint held outside the database catches both."""

from __future__ import annotations

import base64
import json

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cairn.engines import hashchain
from cairn.engines.hashchain import GENESIS, entry_hash
from cairn.governance import keys, selectors, services
from cairn.governance.models import LogCheckpoint, LogEntry, LogHead, SigningKey
from cairn.governance.services import GovernanceError

pytestmark = pytest.mark.django_db


def agree(proposal, staff):
    services.cast_vote(proposal=proposal, staff=staff, ballot={"position": "agree"})


def checkpoint_file(tmp_path, row, name="checkpoint.json"):
    path = tmp_path / name
    path.write_text(selectors.checkpoint_document(row).to_json())
    return path


def verify(path, *extra):
    call_command("verify_log", "--checkpoint", str(path), *extra)


def rehash_from(coalition, seq):
    """What someone with database access does to hide a change: re-hash every entry from `seq`,
    so that the chain verifies again, and point the head at the new last entry."""
    entries = list(LogEntry.objects.filter(coalition=coalition).order_by("seq"))
    prev = GENESIS
    for entry in entries:
        if entry.seq >= seq:
            entry.prev_hash = prev
            entry.hash = entry_hash(seq=entry.seq, prev_hash=prev, body=entry.body)
            entry.save(update_fields=["prev_hash", "hash"])
        prev = entry.hash
    LogHead.objects.filter(coalition=coalition).update(seq=entries[-1].seq, hash=prev)


@pytest.fixture
def decided(assembly, open_proposal):
    """A proposal voted on and closed, and the checkpoint its closing published."""
    proposal = open_proposal(assembly, "majority")
    agree(proposal, assembly.organizers[0])
    agree(proposal, assembly.organizers[1])
    services.close_proposal(proposal=proposal, by=None)
    return services.publish_checkpoint(coalition=assembly.coalition)


def test_a_checkpoint_signs_the_head_and_verifies(tmp_path, assembly, decided, capsys):
    # given the checkpoint of the log's head
    head = LogHead.objects.get(coalition=assembly.coalition)
    assert (decided.seq, decided.hash) == (head.seq, head.hash)
    document = selectors.checkpoint_document(decided)
    assert hashchain.signed(document) == ""
    # when a member verifies it, and when more entries follow
    verify(checkpoint_file(tmp_path, decided))
    services.open_proposal(
        proposal=services.create_proposal(
            coalition=assembly.coalition,
            template="consent",
            title="Next",
            closes_at=decided.signed_at.replace(year=decided.signed_at.year + 1),
            created_by=None,
        ),
        by=None,
    )
    verify(checkpoint_file(tmp_path, decided))
    # then
    out = capsys.readouterr().out
    assert out.count(f"OK, the log still contains entry {decided.seq} with hash") == 2


def test_closing_a_proposal_publishes_a_checkpoint_and_mails_the_members(
    assembly, open_proposal, django_capture_on_commit_callbacks
):
    # given an open proposal
    proposal = open_proposal(assembly, "majority")
    agree(proposal, assembly.organizers[0])
    mail.outbox.clear()
    # when it closes (the checkpoint and the emails go through the task queue after the commit)
    with django_capture_on_commit_callbacks(execute=True):
        services.close_proposal(proposal=proposal, by=None)
    # then the head is signed and each member organization's contact has the file
    head = LogHead.objects.get(coalition=assembly.coalition)
    row = LogCheckpoint.objects.get(coalition=assembly.coalition)
    assert (row.seq, row.hash) == (head.seq, head.hash)
    assert row.sent_at is not None
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(o.user.email for o in assembly.organizers)
    name, content, kind = mail.outbox[0].attachments[0]
    assert (name, kind) == (
        f"{assembly.coalition.slug}-log-{head.seq}.checkpoint.json",
        "application/json",
    )
    assert json.loads(content)["hash"] == head.hash
    assert "cairn verify-log --checkpoint" in mail.outbox[0].body


def test_publishing_twice_at_one_head_signs_and_sends_once(
    assembly, decided, django_capture_on_commit_callbacks
):
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        again = services.publish_checkpoint(coalition=assembly.coalition)
    assert again.pk == decided.pk
    assert LogCheckpoint.objects.count() == 1
    assert mail.outbox == []


def test_an_empty_log_has_nothing_to_sign(coalition_factory):
    with pytest.raises(GovernanceError, match="nothing to sign"):
        services.publish_checkpoint(coalition=coalition_factory())


def test_a_log_cut_short_fails_the_checkpoint(tmp_path, assembly, decided):
    # given a checkpoint, then the last two entries dropped and the head row rewritten to match
    path = checkpoint_file(tmp_path, decided)
    LogEntry.objects.filter(coalition=assembly.coalition, seq__gte=decided.seq - 1).delete()
    last = LogEntry.objects.filter(coalition=assembly.coalition).order_by("-seq")[0]
    LogHead.objects.filter(coalition=assembly.coalition).update(seq=last.seq, hash=last.hash)
    # the chain alone still verifies: nothing in the middle is broken
    assert selectors.verify_log(coalition=assembly.coalition).ok
    # when / then
    with pytest.raises(CommandError, match=f"the log no longer contains entry {decided.seq}"):
        verify(path)


def test_a_log_cut_short_and_written_again_fails_the_checkpoint(tmp_path, assembly, decided):
    # given the tail dropped and as many new entries appended: the same seq, another hash
    path = checkpoint_file(tmp_path, decided)
    LogEntry.objects.filter(coalition=assembly.coalition, seq__gte=decided.seq - 1).delete()
    last = LogEntry.objects.filter(coalition=assembly.coalition).order_by("-seq")[0]
    LogHead.objects.filter(coalition=assembly.coalition).update(seq=last.seq, hash=last.hash)
    services.append_log(coalition=assembly.coalition, event="proposal_closed", proposal=0)
    services.append_log(coalition=assembly.coalition, event="proposal_closed", proposal=0)
    assert selectors.verify_log(coalition=assembly.coalition).ok
    # when / then
    with pytest.raises(CommandError, match=f"entry {decided.seq} has another hash"):
        verify(path)


def test_entries_reordered_and_rehashed_fail_the_checkpoint(tmp_path, assembly, decided):
    # given two votes swapped in the log and every hash recomputed so the chain verifies
    path = checkpoint_file(tmp_path, decided)
    first, second = LogEntry.objects.filter(
        coalition=assembly.coalition, body__event="vote_cast"
    ).order_by("seq")
    first.body, second.body = second.body, first.body
    first.save(update_fields=["body"])
    second.save(update_fields=["body"])
    rehash_from(assembly.coalition, first.seq)
    assert selectors.verify_log(coalition=assembly.coalition).ok
    # when / then
    with pytest.raises(CommandError, match="has another hash than the checkpoint"):
        verify(path)


def test_an_entry_edited_before_the_checkpoint_fails_it(tmp_path, assembly, decided):
    path = checkpoint_file(tmp_path, decided)
    LogEntry.objects.filter(coalition=assembly.coalition, seq=2).update(body={"event": "edited"})
    with pytest.raises(CommandError, match="the log breaks at entry 2, before the checkpoint"):
        verify(path)


def test_a_forged_checkpoint_is_refused(tmp_path, assembly, decided):
    # given a real checkpoint whose seq and hash are changed without its key
    document = selectors.checkpoint_document(decided)
    earlier = LogEntry.objects.get(coalition=assembly.coalition, seq=2)
    forged = hashchain.Checkpoint(
        **{**json.loads(document.to_json()), "seq": earlier.seq, "hash": earlier.hash}
    )
    path = tmp_path / "forged.json"
    path.write_text(forged.to_json())
    # when / then
    with pytest.raises(CommandError, match="the signature does not verify"):
        verify(path)


def test_a_checkpoint_signed_by_a_key_the_coalition_never_had_is_refused(
    tmp_path, assembly, decided
):
    # given a well-signed checkpoint of the true head, but by someone else's key
    head = LogHead.objects.get(coalition=assembly.coalition)
    stranger = hashchain.sign_checkpoint(
        private_key=Ed25519PrivateKey.generate(),
        coalition=assembly.coalition.slug,
        seq=head.seq,
        hash=head.hash,
        signed_at="2026-01-01T00:00:00+00:00",
    )
    assert hashchain.signed(stranger) == ""
    path = tmp_path / "stranger.json"
    path.write_text(stranger.to_json())
    # when / then
    with pytest.raises(CommandError, match="which is not a key of this coalition"):
        verify(path)


def test_a_checkpoint_of_another_coalition_is_refused(
    tmp_path, assembly, decided, coalition_factory
):
    other = coalition_factory()
    with pytest.raises(CommandError, match=f"not '{other.slug}'"):
        verify(checkpoint_file(tmp_path, decided), "--coalition", other.slug)


def test_after_a_key_rotation_old_and_new_checkpoints_verify(
    tmp_path, assembly, decided, open_proposal, capsys
):
    # given a checkpoint by the first key, then a rotation and a checkpoint by the new key
    old_key = decided.key
    new_key = services.rotate_signing_key(coalition=assembly.coalition, by=None)
    later = services.publish_checkpoint(coalition=assembly.coalition)
    # then the old key is retired, kept, and the new checkpoints use the new key
    old_key.refresh_from_db()
    assert old_key.retired_at is not None
    assert later.key_id == new_key.pk != old_key.pk
    assert (
        SigningKey.objects.filter(coalition=assembly.coalition, retired_at__isnull=True).get()
        == new_key
    )
    rotated = LogEntry.objects.get(coalition=assembly.coalition, body__event="signing_key_rotated")
    assert (rotated.body["key_id"], rotated.body["retired"]) == (new_key.key_id, [old_key.key_id])
    # and both checkpoints verify
    verify(checkpoint_file(tmp_path, decided, "old.json"))
    verify(checkpoint_file(tmp_path, later, "new.json"))
    out = capsys.readouterr().out
    assert f"signed by key {old_key.key_id}" in out
    assert f"signed by key {new_key.key_id}" in out


def test_the_private_key_is_stored_encrypted_under_the_secret_key(settings, assembly, decided):
    # given the stored key row
    row = decided.key
    private = keys.decrypt_private_key(row.private_key_encrypted)
    raw = private.private_bytes_raw()
    # then neither the raw key nor its base64 is in the row
    assert raw.hex() not in row.private_key_encrypted
    assert raw not in row.private_key_encrypted.encode()
    assert base64.b64encode(raw).decode() not in row.private_key_encrypted
    # and another SECRET_KEY cannot open it, unless the old one is a fallback
    old_secret = settings.SECRET_KEY
    settings.SECRET_KEY = "another secret entirely, 50 characters long at least!!"
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(keys.KeyUnavailable):
        keys.decrypt_private_key(row.private_key_encrypted)
    services.append_log(coalition=assembly.coalition, event="x")
    with pytest.raises(GovernanceError, match="rotate the coalition's key"):
        services.publish_checkpoint(coalition=assembly.coalition)
    settings.SECRET_KEY_FALLBACKS = [old_secret]
    assert keys.decrypt_private_key(row.private_key_encrypted).private_bytes_raw() == raw


def test_members_download_checkpoints_and_only_stewards_publish(client, assembly, decided):
    # given an organizer of a member
    client.force_login(assembly.organizers[0].user)
    slug = assembly.coalition.slug
    # when
    page = client.get(reverse("governance:checkpoints", args=[slug]))
    download = client.get(reverse("governance:checkpoint_file", args=[slug, decided.seq]))
    publish = client.post(reverse("governance:publish_checkpoint", args=[slug]))
    rotate = client.post(reverse("governance:rotate_signing_key", args=[slug]))
    # then
    assert page.status_code == 200
    assert decided.key.key_id in page.content.decode()
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="{slug}-log-{decided.seq}.checkpoint.json"'
    )
    assert hashchain.Checkpoint.from_json(download.content.decode()) == (
        selectors.checkpoint_document(decided)
    )
    assert (publish.status_code, rotate.status_code) == (403, 403)
    assert SigningKey.objects.count() == 1
    assert LogCheckpoint.objects.count() == 1


def test_a_steward_publishes_and_rotates_from_the_page(client, assembly, decided):
    client.force_login(assembly.steward.user)
    slug = assembly.coalition.slug
    client.post(reverse("governance:rotate_signing_key", args=[slug]))
    response = client.post(reverse("governance:publish_checkpoint", args=[slug]), follow=True)
    assert response.status_code == 200
    assert SigningKey.objects.filter(retired_at__isnull=True).count() == 1
    assert LogCheckpoint.objects.count() == 2
    assert "signed and sent to the members" in response.content.decode()


def test_a_file_that_is_not_a_checkpoint_is_refused(tmp_path, decided):
    path = tmp_path / "x.json"
    path.write_text('{"format": "something else"}')
    with pytest.raises(CommandError, match="not a checkpoint file"):
        verify(path)
