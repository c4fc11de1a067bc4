"""The shapes the API reads and writes, as pydantic models: they validate input and produce the
OpenAPI document. HAL keys that are not Python names (`_links`, `osdi:taggings`) are aliases;
operations dump by alias."""

from __future__ import annotations

from typing import Annotated, Any

from ninja import Schema
from ninja.schema import DjangoGetter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, create_model, model_validator
from pydantic_core import PydanticCustomError

Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
EmailText = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+$")
]


class Lenient(Schema):
    """Input: unknown keys are ignored (clients send more than we keep); types are strict, so
    what the OpenAPI document calls invalid is refused (a number is text only where declared)."""

    model_config = ConfigDict(strict=True, extra="ignore")

    @model_validator(mode="before")
    @classmethod
    def _an_object(cls, value: Any) -> Any:
        # ninja's Schema wraps its input in a DjangoGetter, which reads attributes of anything (a
        # list, a string) as an empty object: only an object is one.
        given = value._obj if isinstance(value, DjangoGetter) else value
        if not isinstance(given, dict | BaseModel):
            raise PydanticCustomError("model_type", "Input should be an object")
        return value


# --- input ---------------------------------------------------------------------------------------


class EmailIn(Lenient):
    address: EmailText
    primary: bool | None = None
    status: Annotated[str, StringConstraints(max_length=40)] | None = None


class PhoneIn(Lenient):
    # Parsons sends numbers as integers when it was given integers.
    number: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
        | Annotated[int, Field(ge=0, lt=10**20)]
    )
    primary: bool | None = None
    number_type: Annotated[str, StringConstraints(max_length=16)] | None = None
    status: Annotated[str, StringConstraints(max_length=40)] | None = None


class AddressIn(Lenient):
    primary: bool | None = None
    address_lines: list[Short] = Field(default_factory=list, max_length=5)
    locality: Short = ""
    region: Short = ""
    # A spreadsheet's ZIP column often arrives as an integer.
    postal_code: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=32)]
        | Annotated[int, Field(ge=0, lt=10**20)]
    ) = ""
    country: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2)] = ""


class PersonIn(Lenient):
    """A person's fields; a field left out changes nothing (OSDI PUT merges)."""

    given_name: Short | None = None
    family_name: Short | None = None
    email_addresses: list[EmailIn] | None = Field(None, max_length=10)
    phone_numbers: list[PhoneIn] | None = Field(None, max_length=10)
    postal_addresses: list[AddressIn] | None = Field(None, max_length=10)
    languages_spoken: list[Annotated[str, StringConstraints(max_length=20)]] | None = Field(
        None, max_length=20
    )
    custom_fields: dict[Annotated[str, StringConstraints(max_length=200)], Any] | None = None


class SignupIn(Lenient):
    """The person signup helper: find by email then phone, merge or create, apply known tags."""

    person: PersonIn
    add_tags: list[Short] | None = Field(None, max_length=100)


class TagIn(Lenient):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]


class LinkIn(Lenient):
    href: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


class PersonLinkIn(Lenient):
    person: LinkIn = Field(alias="osdi:person")


class PersonLinkedIn(Lenient):
    """A tagging or a list item: `{"_links": {"osdi:person": {"href": ".../people/<id>"}}}`."""

    links: PersonLinkIn = Field(alias="_links")


# --- output --------------------------------------------------------------------------------------


class Link(Schema):
    href: str


class ErrorOut(Schema):
    error: str


class NoticeOut(Schema):
    notice: str


class ResourceOut(Schema):
    identifiers: list[str]
    created_date: str = Field(description="YYYY-MM-DDTHH:MM:SSZ")
    modified_date: str = Field(description="YYYY-MM-DDTHH:MM:SSZ")


class EmailOut(Schema):
    address: str
    primary: bool
    status: str


class PhoneOut(Schema):
    number: str
    primary: bool
    number_type: str


class AddressOut(Schema):
    primary: bool
    address_lines: list[str]
    locality: str
    region: str
    postal_code: str
    country: str


def links_model(name: str, *rels: str) -> type[Schema]:
    """`_links` with `self` and the given relations, each an absolute href."""
    fields: dict[str, Any] = {"self_": (Link, Field(alias="self"))}
    for rel in rels:
        fields[rel.replace(":", "_")] = (Link, Field(alias=rel))
    model: type[Schema] = create_model(name, __base__=Schema, **fields)
    return model


PersonLinks = links_model("PersonLinks", "osdi:taggings")
TagLinks = links_model("TagLinks", "osdi:taggings")
TaggingLinks = links_model("TaggingLinks", "osdi:tag", "osdi:person")
ListLinks = links_model("ListLinks", "osdi:items")
ItemLinks = links_model("ItemLinks", "osdi:list", "osdi:person")


class PersonOut(ResourceOut):
    given_name: str
    family_name: str
    email_addresses: list[EmailOut]
    phone_numbers: list[PhoneOut]
    postal_addresses: list[AddressOut]
    languages_spoken: list[str]
    custom_fields: dict[str, Any]
    links: PersonLinks = Field(alias="_links")  # type: ignore[valid-type]


class TagOut(ResourceOut):
    name: str
    links: TagLinks = Field(alias="_links")  # type: ignore[valid-type]


class TaggingOut(ResourceOut):
    item_type: str
    links: TaggingLinks = Field(alias="_links")  # type: ignore[valid-type]


class ListOut(ResourceOut):
    name: str
    title: str
    description: str
    type: str = Field(description="`static` or `filter` (a saved filter behaves as a list)")
    total_items: int
    links: ListLinks = Field(alias="_links")  # type: ignore[valid-type]


class ItemOut(ResourceOut):
    item_type: str
    links: ItemLinks = Field(alias="_links")  # type: ignore[valid-type]


class CollectionLinks(Schema):
    self_: Link = Field(alias="self")
    next: Link | None = None
    prev: Link | None = None
    curies: list[dict[str, Any]] | None = None


def collection_model(name: str, rel: str, item: type[Schema]) -> type[Schema]:
    """An OSDI collection whose `_embedded` has one key, `rel`, holding the page's records."""
    embedded = create_model(
        f"{name}Embedded",
        __base__=Schema,
        records=(list[item], Field(alias=rel)),  # type: ignore[valid-type]
    )
    model: type[Schema] = create_model(
        f"{name}Collection",
        __base__=Schema,
        total_pages=(int, ...),
        per_page=(int, ...),
        page=(int, ...),
        total_records=(int, ...),
        links=(CollectionLinks, Field(alias="_links")),
        embedded=(embedded, Field(alias="_embedded")),
    )
    return model


PeopleCollection = collection_model("People", "osdi:people", PersonOut)
TagsCollection = collection_model("Tags", "osdi:tags", TagOut)
TaggingsCollection = collection_model("Taggings", "osdi:taggings", TaggingOut)
ListsCollection = collection_model("Lists", "osdi:lists", ListOut)
ItemsCollection = collection_model("Items", "osdi:items", ItemOut)

ERRORS: dict[int, type[Schema]] = {
    400: ErrorOut,
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    429: ErrorOut,
}
