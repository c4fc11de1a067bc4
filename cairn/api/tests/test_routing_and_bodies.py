"""Routing (slash optional, never a redirect, JSON for every refusal), the entry point, the
OpenAPI document and its docs page, and how request bodies are read."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings

from cairn.people.models import Person, Tag

from .conftest import OsdiClient


@pytest.mark.parametrize("path", ["/api/v2", "/api/v2/", "/api/v2/people", "/api/v2/people/"])
def test_a_trailing_slash_is_optional_and_never_redirects(osdi, path):
    response = osdi.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize("path", ["/api/v2/tags", "/api/v2/tags/"])
def test_a_post_with_or_without_a_slash_is_served_not_redirected(osdi, path):
    response = osdi.post(path, {"name": "Volunteer"})
    assert response.status_code == 200
    assert Tag.objects.count() == 1


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
def test_an_unknown_path_under_the_api_is_a_json_404(osdi, method):
    response = getattr(osdi, method)("/api/v2/no-such-resource/nope")
    assert response.status_code == 404
    assert response.json() == {"error": "No such API endpoint."}


def test_an_unoffered_method_is_a_json_405(osdi):
    response = osdi.request("PATCH", "/api/v2/people")
    assert response.status_code == 405
    assert "GET" in response["Allow"]
    assert response.json()["error"]


def test_the_entry_point_links_to_the_collections(osdi):
    body = osdi.get("/api/v2").json()
    assert body["max_pagesize"] == 25
    links = body["_links"]
    assert links["self"]["href"] == "http://testserver/api/v2"
    assert links["osdi:people"]["href"] == "http://testserver/api/v2/people"
    assert links["osdi:tags"]["href"] == "http://testserver/api/v2/tags"
    assert links["osdi:lists"]["href"] == "http://testserver/api/v2/lists"


def test_the_openapi_document_and_its_docs_page_are_served_without_a_cdn(db):
    client = Client()
    document = client.get("/api/v2/openapi.json")
    assert document.status_code == 200
    schema = document.json()
    assert {"/api/v2/people", "/api/v2/tags/{tag_id}/taggings"} <= set(schema["paths"])
    assert "OSDI-API-Token" in str(schema["components"]["securitySchemes"])
    page = client.get("/api/v2/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger" in html.lower()
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', html)
    assert external == []
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', html):
        assert client.get(asset).status_code == 200, asset


# --- bodies -------------------------------------------------------------------------------------


def test_a_get_with_a_null_body_is_fine(osdi):
    assert osdi.get("/api/v2/people", body="null").status_code == 200


def test_a_form_urlencoded_body_is_read_when_json_fails(osdi):
    response = osdi.post(
        "/api/v2/tags", "name=Volunteer", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 200
    assert response.json()["name"] == "Volunteer"
    also = osdi.post("/api/v2/tags", "name=Donor", content_type="application/json")
    assert also.status_code == 200
    assert also.json()["name"] == "Donor"


def test_an_empty_body_takes_fields_from_the_query_string(osdi):
    response = osdi.post("/api/v2/tags?name=Volunteer&background_processing=true&page=3", "")
    assert response.status_code == 200
    assert response.json()["name"] == "Volunteer"
    assert list(Tag.objects.values_list("name", flat=True)) == ["Volunteer"]


@pytest.mark.parametrize("body", ["{not json", "[1,", '{"name": "x"', b"\xff\xfe\x00"])
def test_a_body_that_is_neither_json_nor_a_form_is_400(osdi, body):
    response = osdi.post("/api/v2/tags", body)
    assert response.status_code == 400
    assert response.json()["error"]
    assert not Tag.objects.exists()


def test_a_deeply_nested_body_is_400_not_500(osdi):
    body = '{"person": ' * 5000 + "{}" + "}" * 5000
    response = osdi.post("/api/v2/people", body)
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_json_and_form_bodies_both_sign_people_up(raw_token):
    client = OsdiClient(raw_token)
    response = client.post(
        "/api/v2/people?background_processing=true",
        {"person": {"email_addresses": [{"address": "ana@example.org"}]}},
    )
    assert response.status_code == 200
    assert response.json()["email_addresses"][0]["address"] == "ana@example.org"


@override_settings(SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^api/v2(/|$)"])
def test_where_https_is_required_plain_http_is_refused_not_redirected(raw_token):
    client = OsdiClient(raw_token)  # made after the override: its middleware sees it
    for path in ("/api/v2", "/api/v2/tags", "/api/v2/nowhere"):
        refused = client.post(path, {"name": "Volunteer"})
        assert refused.status_code == 403, path
        assert "https" in refused.json()["error"]
    served = client.post("/api/v2/tags", {"name": "Volunteer"}, secure=True)
    assert served.status_code == 200
    assert list(Tag.objects.values_list("name", flat=True)) == ["Volunteer"]
    assert Client().get("/accounts/login/").status_code == 301  # the site itself still redirects
