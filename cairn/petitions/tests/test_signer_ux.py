"""What a signer sees when something is wrong: errors in place, and typo help for the email."""

from __future__ import annotations

from django.urls import reverse

from cairn.petitions.models import Petition, Signature

FORM = {"name": "Sam Typo", "email": "sam@example.org", "postal_code": "46201", "country": "US"}


def sign_url(petition: Petition) -> str:
    return reverse("petitions_public:sign", kwargs={"petition_slug": petition.slug})


def test_an_address_without_its_ending_is_refused_with_the_likely_one(client, petition):
    # when a visitor signs with "sam.typo@gmail" through htmx
    response = client.post(
        sign_url(petition), {**FORM, "email": "sam.typo@gmail"}, HTTP_HX_REQUEST="true"
    )
    # then the form comes back (422) with the error and the address they probably meant
    assert response.status_code == 422
    body = response.content.decode()
    assert "Enter a valid email address. Did you mean sam.typo@gmail.com?" in body
    assert 'aria-invalid="true"' in body
    assert not Signature.objects.exists()


def test_a_mistyped_common_domain_is_asked_about_once(client, petition):
    # when a visitor signs with a near miss of gmail.com
    first = client.post(sign_url(petition), {**FORM, "email": "Sam@Gmial.com"})
    # then nothing is recorded yet and they are asked, with the address remembered
    assert first.status_code == 422
    body = first.content.decode()
    assert "Did you mean Sam@gmail.com? If sam@gmial.com is right, sign again to keep it." in body
    assert 'name="email_checked" value="sam@gmial.com"' in body
    assert not Signature.objects.exists()
    # when they sign again with the same address (the form carries the checked address)
    again = client.post(
        sign_url(petition), {**FORM, "email": "Sam@Gmial.com", "email_checked": "sam@gmial.com"}
    )
    # then it is kept as typed
    assert again.status_code == 302
    assert Signature.objects.get().email == "sam@gmial.com"


def test_correcting_the_address_signs_at_once(client, petition):
    client.post(sign_url(petition), {**FORM, "email": "sam@gmial.com"})
    response = client.post(
        sign_url(petition), {**FORM, "email": "sam@gmail.com", "email_checked": "sam@gmial.com"}
    )
    assert response.status_code == 302
    assert Signature.objects.get().email == "sam@gmail.com"


def test_a_changed_address_with_a_typo_is_asked_about_again(client, petition):
    response = client.post(
        sign_url(petition), {**FORM, "email": "sam@hotmial.com", "email_checked": "sam@gmial.com"}
    )
    assert response.status_code == 422
    assert "Did you mean sam@hotmail.com?" in response.content.decode()


def test_the_widget_gives_the_same_typo_help(client, petition):
    url = reverse("petitions_public:widget", kwargs={"petition_slug": petition.slug})
    response = client.post(url, {**FORM, "email": "sam@yaho.com"})
    assert response.status_code == 422
    assert "Did you mean sam@yahoo.com?" in response.content.decode()
    assert not Signature.objects.exists()


def test_every_page_loads_the_htmx_error_handler(client, petition):
    # The handler swaps 422 answers in; without it htmx ignores them and the signer sees nothing.
    body = client.get(reverse("petitions_public:petition", args=[petition.slug])).content
    assert b"/static/cairn/htmx-errors.js" in body
    assert b"htmx" in body
