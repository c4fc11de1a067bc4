"""Petition text renders the same paragraphs whether plain or marked up, and loads nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cairn.petitions.models import Petition
from cairn.petitions.templatetags.petitions import rich_html


def test_plain_text_with_a_less_than_keeps_its_paragraphs():
    assert rich_html("A patient waits < 1 hour.\n\nToday it is 9 hours.") == (
        "<p>A patient waits &lt; 1 hour.</p>\n\n<p>Today it is 9 hours.</p>"
    )


def test_inline_markup_gets_the_same_paragraphs_as_plain_text():
    assert rich_html("Waits <strong>9 hours</strong> & more.\nStill.\n\nSecond < third") == (
        "<p>Waits <strong>9 hours</strong> &amp; more.<br>Still.</p>\n\n<p>Second &lt; third</p>"
    )


def test_text_with_its_own_paragraphs_is_kept_as_written():
    assert rich_html("<p>One</p><ul><li>Two</li></ul>") == "<p>One</p><ul><li>Two</li></ul>"


@pytest.mark.parametrize(
    "text",
    [
        '<img src="https://tracker.example/pixel.gif">',
        '<p>Look <img src="https://tracker.example/a.png" alt="a"></p>',
        'Look <img src="/media/own.png"> here',
        '<map name="m"><area href="https://x.example/" shape="rect"></map>',
    ],
)
def test_images_are_never_loaded(text):
    html = rich_html(text)
    assert "<img" not in html
    assert "<area" not in html
    assert "tracker.example" not in html


def test_scripts_and_handlers_are_removed():
    html = rich_html('<p onclick="x()">Fine <script>alert(1)</script><b>bold</b></p>')
    assert html == "<p>Fine <b>bold</b></p>"


def test_the_public_page_shows_plain_paragraphs_and_no_third_party_image(client, petition_factory):
    # given a petition whose text is plain with a "<", and whose details carry an image
    petition = petition_factory(
        details='Read this <img src="https://tracker.example/pixel.gif" alt="">.'
    )
    Petition.objects.filter(pk=petition.pk).update(
        background="In the ER a patient waits < 1 hour.\n\nIn ours, 9 hours."
    )
    # when the public page is shown
    body = client.get(
        reverse("petitions_public:petition", kwargs={"petition_slug": petition.slug})
    ).content.decode()
    # then both paragraphs are there and nothing from elsewhere is loaded
    assert "<p>In the ER a patient waits &lt; 1 hour.</p>\n\n<p>In ours, 9 hours.</p>" in body
    assert "tracker.example" not in body
