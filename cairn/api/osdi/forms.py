"""OSDI forms and submissions, with the record-submission helper, as Action Network serves them.

- A form's id is its uuid. `POST /forms` creates it open at once (`"status": "draft"` keeps it a
  draft); the token acts for the coalition's stewards, or for its creator's member organization,
  which then owns the form. Beyond Action Network's `title`, `description`, `call_to_action`
  and `origin_system`, Cairn's own fields may be given: `fields` (the questions: `label`,
  `type` text/choice/checkbox, `required`, `choices`), `consent_text`, `consent_required`,
  `kind` (signup/survey) and `status` (draft/open/closed). `PUT /forms/{id}`: given fields
  replace, fields left out keep their value.
- `POST /forms/{id}/submissions` is the record-submission helper: `person` (OSDI person fields,
  merged into the CRM by the people app's one matching rule) or an `osdi:person` link (any host:
  Parsons sends `https://actionnetwork.org/api/v2/people/<id>`), optional `answers` (by question
  key), `consent`, `referrer_data` and `add_tags`. The client collected the submission and the
  token vouches for it, so required questions and consent are not asked for. One submission per
  form and person: a retried POST returns the first (200), never a second.
- `PUT /forms/{id}/submissions/{id}`: `answers` merge key by key; an `osdi:person` link moves
  the submission to that person (refused when they already have one for the form).
- Submissions are listed under a form and under a person.
- Surveys (Parsons' surveys calls) are forms of kind `survey` at `/surveys`: listed, created,
  read, and updated by POST (as Parsons' `update_survey` sends it) or PUT; they are forms too.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.urls import reverse
from ninja import Query, Router, Schema
from pydantic import Field, StringConstraints

from cairn.api.auth import coalition_of, token_creator
from cairn.coalitions.models import Coalition, Membership, StaffMember
from cairn.coalitions.policy import Action, allows
from cairn.people import selectors as people_selectors
from cairn.people import services as people_services
from cairn.people.models import Person
from cairn.signups import selectors, services
from cairn.signups.models import Form, Submission

from . import hal
from .body import parse_payload, request_body
from .errors import ApiError, not_found
from .filters import FilterField, Kind, apply_filter
from .pagination import CollectionQuery, paginate
from .people import find_person, person_data, person_from_href
from .schemas import (
    ERRORS,
    Lenient,
    Link,
    LinkIn,
    PersonIn,
    ResourceOut,
    Short,
    collection_model,
    links_model,
)

router = Router(tags=["forms"])

FORM_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("modified_at", Kind.DATETIME),
    "title": FilterField("title", Kind.TEXT),
    "status": FilterField("status", Kind.TEXT),
}
SUBMISSION_FILTERS = {
    "created_date": FilterField("created_at", Kind.DATETIME),
    "modified_date": FilterField("modified_at", Kind.DATETIME),
}

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]
AnswerValue = Annotated[str, StringConstraints(max_length=5_000)] | bool | int


# --- shapes --------------------------------------------------------------------------------------


class QuestionIn(Lenient):
    label: Short
    key: Short = ""
    type: Literal["text", "choice", "checkbox"] = "text"
    required: bool | Literal["true", "false", "1", "0", "on", "off", "yes", "no"] = False
    choices: Annotated[list[Short], Field(max_length=50)] | Short = Field(default_factory=list)


class FormIn(Lenient):
    """A form's fields (Action Network's names, then Cairn's); a field left out changes nothing."""

    title: Short | None = None
    description: Text | None = None
    call_to_action: Short | None = None
    origin_system: Short | None = None
    fields: Annotated[list[QuestionIn], Field(max_length=50)] | None = None
    consent_text: Text | None = None
    consent_required: bool | Literal["true", "false", "1", "0"] | None = None
    kind: Literal["signup", "survey"] | None = None
    status: Literal["draft", "open", "closed"] | None = Field(
        None, description="On create, by default `open`."
    )


class ReferrerIn(Lenient):
    source: Short = ""
    referrer: Short = ""
    website: Short = ""


class SubmitterLinkIn(Lenient):
    person: LinkIn | None = Field(None, alias="osdi:person")


class SubmissionIn(Lenient):
    """The record-submission helper: the person as `person` or as an `osdi:person` link."""

    person: PersonIn | None = None
    links: SubmitterLinkIn | None = Field(None, alias="_links")
    answers: dict[Annotated[str, StringConstraints(max_length=100)], AnswerValue] | None = Field(
        None, max_length=50
    )
    consent: bool | None = None
    referrer_data: ReferrerIn | None = None
    add_tags: list[Short] | None = Field(None, max_length=100)


class SubmissionUpdateIn(Lenient):
    links: SubmitterLinkIn | None = Field(None, alias="_links")
    answers: dict[Annotated[str, StringConstraints(max_length=100)], AnswerValue] | None = Field(
        None, max_length=50
    )


class QuestionOut(Schema):
    key: str
    label: str
    type: str
    required: bool
    choices: list[str]


FormLinks = links_model("FormLinks", "osdi:submissions", "osdi:record_submission_helper")


class FormOut(ResourceOut):
    title: str
    description: str
    call_to_action: str
    browser_url: str | None
    origin_system: str
    total_submissions: int
    status: str
    kind: str
    fields: list[QuestionOut]
    consent_text: str
    consent_required: bool
    links: FormLinks = Field(alias="_links")  # type: ignore[valid-type]


class SubmissionLinks(Schema):
    self_: Link = Field(alias="self")
    form: Link = Field(alias="osdi:form")
    person: Link | None = Field(None, alias="osdi:person")


class SubmissionOut(ResourceOut):
    person_id: str | None = Field(None, alias="action_network:person_id")
    form_uuid: str = Field(alias="action_network:form_id")
    answers: dict[str, Any]
    consent_given: bool
    referrer: str
    links: SubmissionLinks = Field(alias="_links")


FormsCollection = collection_model("Forms", "osdi:forms", FormOut)
SubmissionsCollection = collection_model("Submissions", "osdi:submissions", SubmissionOut)
SurveysCollection = collection_model("Surveys", "osdi:surveys", FormOut)


# --- rendering -----------------------------------------------------------------------------------


def browser_url(request: HttpRequest, form: Form) -> str | None:
    if form.status == Form.Status.DRAFT:
        return None
    path = reverse("signups_public:form", kwargs={"form_uuid": form.uuid})
    return request.build_absolute_uri(path)


def render_form(request: HttpRequest, form: Form, base: str = "forms") -> dict[str, Any]:
    """A form as Action Network serves it; `base` "surveys" for a survey served as one."""
    total = getattr(form, "submission_count", None)
    return hal.resource(
        request,
        public_id=form.uuid,
        created=form.created_at,
        modified=max(form.created_at, form.modified_at),
        self_path=(base, form.uuid),
        links={
            "osdi:submissions": ("forms", form.uuid, "submissions"),
            "osdi:record_submission_helper": ("forms", form.uuid, "submissions"),
        },
        fields={
            "title": form.title,
            "description": form.description,
            "call_to_action": form.title,
            "browser_url": browser_url(request, form),
            "origin_system": form.origin_system or "Cairn",
            "total_submissions": total
            if total is not None
            else selectors.total_submissions(form=form),
            "status": form.status,
            "kind": form.kind,
            "fields": form.fields,
            "consent_text": form.consent_text,
            "consent_required": form.consent_required,
        },
    )


def render_submission(request: HttpRequest, submission: Submission) -> dict[str, Any]:
    form_uuid = submission.form.uuid
    links: dict[str, tuple[object, ...]] = {"osdi:form": ("forms", form_uuid)}
    person = submission.person
    if person is not None:
        links["osdi:person"] = ("people", person.uuid)
    resource = hal.resource(
        request,
        public_id=submission.uuid,
        created=submission.created_at,
        modified=max(submission.created_at, submission.modified_at),
        self_path=("forms", form_uuid, "submissions", submission.uuid),
        links=links,
        fields={
            "action_network:person_id": str(person.uuid) if person is not None else None,
            "action_network:form_id": str(form_uuid),
            "answers": submission.answers,
            "consent_given": submission.consent_given,
            "referrer": submission.referrer,
        },
    )
    return resource


# --- lookups and permissions ---------------------------------------------------------------------


def find_form(coalition: Coalition, public_id: str) -> Form:
    form = selectors.api_form(coalition=coalition, public_id=public_id)
    if form is None:
        raise not_found("form", public_id)
    return form


def find_submission(rows: QuerySet[Submission], public_id: str) -> Submission:
    submission = selectors.api_submission(rows=rows, public_id=public_id)
    if submission is None:
        raise not_found("submission", public_id)
    return submission


def _may(staff: StaffMember | None, membership: Membership | None) -> bool:
    """A token without a creator acts as the coalition's stewards."""
    return staff is None or allows(staff, Action.MANAGE_FORMS, membership=membership)


def _require(request: HttpRequest, form: Form) -> StaffMember | None:
    staff = token_creator(request)
    if not _may(staff, form.owner):
        raise ApiError(403, "This token may not change this form.")
    return staff


def _truthy(value: bool | str | None) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    return value.lower() in {"true", "1", "on", "yes"}


def _form_fields(payload: FormIn) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for name in ("title", "description", "origin_system", "consent_text", "kind", "status"):
        value = getattr(payload, name)
        if value is not None:
            values[name] = value
    if payload.consent_required is not None:
        values["consent_required"] = _truthy(payload.consent_required)
    if payload.fields is not None:
        values["fields"] = [
            {**q.model_dump(), "required": _truthy(q.required)} for q in payload.fields
        ]
    return values


def _refused(error: services.FormError) -> ApiError:
    if isinstance(error, services.SubmissionRefused) and error.errors:
        details = "; ".join(f"{key}: {reason}" for key, reason in error.errors.items())
        return ApiError(400, f"{error} {details}")
    return ApiError(400, str(error))


# --- forms ---------------------------------------------------------------------------------------


@router.get(
    "/forms",
    response={200: FormsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List forms",
)
def list_forms(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.api_forms(coalition=coalition_of(request))
    return paginate(
        request,
        apply_filter(rows, query.filter, FORM_FILTERS),
        rel="osdi:forms",
        render=lambda f: render_form(request, f),
        query=query,
    )


@router.post(
    "/forms",
    response={200: FormOut, **ERRORS},
    by_alias=True,
    summary="Create a form (open at once, or a draft with `status: draft`)",
    openapi_extra=request_body(FormIn),
)
def create_form(request: HttpRequest) -> dict[str, Any]:
    return _create(request)


def _create(request: HttpRequest, kind: str | None = None) -> dict[str, Any]:
    coalition = coalition_of(request)
    payload = parse_payload(request, FormIn)
    if not payload.title:
        raise ApiError(400, "A form needs a title.")
    staff = token_creator(request)
    owner = staff.membership if staff is not None else None
    if not _may(staff, owner):
        raise ApiError(403, "This token may not create forms.")
    values = {"status": Form.Status.OPEN, **_form_fields(payload)}
    if kind is not None:
        values["kind"] = kind
    try:
        form = services.create_form(
            coalition=coalition,
            by=staff.user if staff is not None else None,
            owner=owner,
            **values,
        )
    except services.FormError as error:
        raise _refused(error) from error
    return render_form(
        request, find_form(coalition, str(form.uuid)), "surveys" if kind else "forms"
    )


@router.get(
    "/forms/{form_uuid}", response={200: FormOut, **ERRORS}, by_alias=True, summary="A form"
)
def get_form(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    return render_form(request, find_form(coalition_of(request), form_uuid))


@router.put(
    "/forms/{form_uuid}",
    response={200: FormOut, **ERRORS},
    by_alias=True,
    summary="Update a form: given fields replace",
    openapi_extra=request_body(FormIn),
)
def update_form(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    return _update(request, find_form(coalition_of(request), form_uuid))


def _update(request: HttpRequest, form: Form, base: str = "forms") -> dict[str, Any]:
    payload = parse_payload(request, FormIn)
    _require(request, form)
    values = _form_fields(payload)
    if base == "surveys":
        values.pop("kind", None)  # a survey stays a survey under /surveys
    if values:
        try:
            services.update_form(form=form, **values)
        except services.FormError as error:
            raise _refused(error) from error
    return render_form(request, find_form(coalition_of(request), str(form.uuid)), base)


# --- surveys: forms of kind `survey`, as Parsons' surveys calls ask for them ------------------


def find_survey(coalition: Coalition, public_id: str) -> Form:
    form = selectors.api_form(coalition=coalition, public_id=public_id)
    if form is None or form.kind != Form.Kind.SURVEY:
        raise not_found("survey", public_id)
    return form


@router.get(
    "/surveys",
    response={200: SurveysCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="List surveys (forms of kind survey)",
)
def list_surveys(request: HttpRequest, query: Query[CollectionQuery]) -> dict[str, Any]:
    rows = selectors.api_forms(coalition=coalition_of(request)).filter(kind=Form.Kind.SURVEY)
    return paginate(
        request,
        apply_filter(rows, query.filter, FORM_FILTERS),
        rel="osdi:surveys",
        render=lambda f: render_form(request, f, "surveys"),
        query=query,
    )


@router.post(
    "/surveys",
    response={200: FormOut, **ERRORS},
    by_alias=True,
    summary="Create a survey (a form of kind survey, open at once)",
    openapi_extra=request_body(FormIn),
)
def create_survey(request: HttpRequest) -> dict[str, Any]:
    return _create(request, Form.Kind.SURVEY)


@router.get(
    "/surveys/{form_uuid}", response={200: FormOut, **ERRORS}, by_alias=True, summary="A survey"
)
def get_survey(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    return render_form(request, find_survey(coalition_of(request), form_uuid), "surveys")


@router.post(
    "/surveys/{form_uuid}",
    response={200: FormOut, **ERRORS},
    by_alias=True,
    summary="Update a survey (Parsons' update_survey POSTs): given fields replace",
    openapi_extra=request_body(FormIn),
)
def update_survey(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    return _update(request, find_survey(coalition_of(request), form_uuid), "surveys")


@router.put(
    "/surveys/{form_uuid}",
    response={200: FormOut, **ERRORS},
    by_alias=True,
    summary="Update a survey: given fields replace",
    openapi_extra=request_body(FormIn),
)
def put_survey(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    return _update(request, find_survey(coalition_of(request), form_uuid), "surveys")


# --- submissions ---------------------------------------------------------------------------------


def _submissions(request: HttpRequest, rows: QuerySet[Submission], query: CollectionQuery) -> Any:
    return paginate(
        request,
        apply_filter(rows, query.filter, SUBMISSION_FILTERS),
        rel="osdi:submissions",
        render=lambda s: render_submission(request, s),
        query=query,
    )


@router.get(
    "/forms/{form_uuid}/submissions",
    response={200: SubmissionsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The submissions of a form",
)
def list_submissions(
    request: HttpRequest, form_uuid: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    form = find_form(coalition, form_uuid)
    return _submissions(  # type: ignore[no-any-return]
        request, selectors.api_submissions(coalition=coalition).filter(form=form), query
    )


def _submitter(coalition: Coalition, payload: SubmissionIn) -> tuple[Any, Person | None]:
    """(PersonData, None) for a person given as fields; (None, Person) for a link."""
    if payload.person is not None:
        data = person_data(payload.person)
        if not data.emails and not data.phones:
            raise ApiError(400, "A submission needs the person's email address or phone number.")
        return data, None
    link = payload.links.person if payload.links is not None else None
    if link is None:
        raise ApiError(400, "A submission needs `person` or an `osdi:person` link in `_links`.")
    person = person_from_href(coalition, link.href)
    wanted = {name.lower() for name in payload.add_tags or () if name}
    for tag in people_selectors.tags(coalition=coalition):  # known tags only, as Action Network
        if tag.name.lower() in wanted:
            people_services.tag_person(tag=tag, person=person)
    return None, person


@router.post(
    "/forms/{form_uuid}/submissions",
    response={200: SubmissionOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Record-submission helper: a collected submission; one per form and person",
    openapi_extra=request_body(SubmissionIn),
)
def record_submission(request: HttpRequest, form_uuid: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    form = find_form(coalition, form_uuid)
    payload = parse_payload(request, SubmissionIn)
    _require(request, form)
    referrer = payload.referrer_data or ReferrerIn()
    # One transaction: a refused submission leaves no new person (or tagging) behind either.
    try:
        with transaction.atomic():
            data, existing = _submitter(coalition, payload)
            result = services.submit_form(
                form=form,
                person=data,
                existing_person=existing,
                answers=payload.answers or {},
                consent=bool(payload.consent),
                referrer=referrer.referrer,
                source=referrer.source or "api",
                add_tags=tuple(payload.add_tags or ()),
                vouched=True,
            )
    except services.FormError as error:
        raise _refused(error) from error
    rows = selectors.api_submissions(coalition=coalition)
    return render_submission(request, rows.get(pk=result.submission.pk))


@router.get(
    "/forms/{form_uuid}/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A submission",
)
def get_submission(request: HttpRequest, form_uuid: str, submission_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    form = find_form(coalition, form_uuid)
    rows = selectors.api_submissions(coalition=coalition).filter(form=form)
    return render_submission(request, find_submission(rows, submission_id))


@router.put(
    "/forms/{form_uuid}/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="Update a submission: answers merge; an `osdi:person` link moves it to that person",
    openapi_extra=request_body(SubmissionUpdateIn),
)
def update_submission(request: HttpRequest, form_uuid: str, submission_id: str) -> dict[str, Any]:
    coalition = coalition_of(request)
    form = find_form(coalition, form_uuid)
    rows = selectors.api_submissions(coalition=coalition).filter(form=form)
    submission = find_submission(rows, submission_id)
    payload = parse_payload(request, SubmissionUpdateIn)
    _require(request, form)
    link = payload.links.person if payload.links is not None else None
    person = person_from_href(coalition, link.href) if link is not None else None
    try:
        services.update_submission(
            submission=submission, answers=payload.answers or None, person=person
        )
    except services.FormError as error:
        raise _refused(error) from error
    return render_submission(request, find_submission(rows, submission_id))


@router.get(
    "/people/{person_id}/submissions",
    response={200: SubmissionsCollection, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="The submissions of a person",
)
def list_person_submissions(
    request: HttpRequest, person_id: str, query: Query[CollectionQuery]
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    return _submissions(  # type: ignore[no-any-return]
        request, selectors.api_submissions(coalition=coalition).filter(person=person), query
    )


@router.get(
    "/people/{person_id}/submissions/{submission_id}",
    response={200: SubmissionOut, **ERRORS},
    by_alias=True,
    exclude_unset=True,
    summary="A submission of a person",
)
def get_person_submission(
    request: HttpRequest, person_id: str, submission_id: str
) -> dict[str, Any]:
    coalition = coalition_of(request)
    person = find_person(coalition, person_id)
    rows = selectors.api_submissions(coalition=coalition).filter(person=person)
    return render_submission(request, find_submission(rows, submission_id))
