"""Supporter pages. Thin: selectors scoped by the viewer's sharing consent; one service a write."""

from __future__ import annotations

import uuid
from collections.abc import Hashable

from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found, signed_in_user
from cairn.coalitions.policy import Action
from cairn.engines.dedupe import PersonKey, find_duplicates

from . import exporting, paging, review_views, selectors, services
from .forms import (
    ApplyTagForm,
    BulkListForm,
    BulkTagForm,
    EmailStatusForm,
    ListForm,
    PeopleFilterForm,
    PersonForm,
    SegmentForm,
    TagForm,
)
from .models import PeopleList, Person, Tag
from .services import AddressInput, EmailInput, PeopleError, PersonData, PhoneInput

PAGE_SIZE = 50
MAX_SELECTED = 500  # people ticked for one bulk action


def _people(tenant: Tenant) -> QuerySet[Person]:
    return selectors.visible_people(coalition=tenant.coalition, staff=tenant.staff)


def _person(tenant: Tenant, person_id: uuid.UUID) -> Person:
    return found(selectors.person_by_uuid(people=_people(tenant), uuid=str(person_id)))


@coalition_view(Action.VIEW)
def people(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = PeopleFilterForm(request.GET)
    rows = _people(tenant)
    criteria: dict[str, object] = {}
    if form.is_valid():
        criteria = form.people_filter().criteria()
        rows = selectors.apply_criteria(rows, criteria, coalition_id=tenant.coalition.pk)
        sort = form.sort_key()
    else:
        sort = selectors.DEFAULT_SORT
    key = paging.count_key(coalition=tenant.coalition, staff=tenant.staff, criteria=criteria)
    page = paging.PeoplePaginator(
        selectors.with_details(selectors.sorted_people(rows, sort)), PAGE_SIZE, cache_key=key
    ).get_page(request.GET.get("page"))
    filtered = form.is_valid() and not form.people_filter().is_empty
    can_tag = tenant.allows(Action.TAG_PEOPLE)
    return render(
        request,
        "people/people.html",
        tenant.context(
            nav_current="people",
            form=form,
            page=page,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            sort=sort,
            filtered=filtered,
            tag_names=selectors.tag_names(coalition=tenant.coalition),
            segments=_segments(tenant),
            static_lists=selectors.lists(coalition=tenant.coalition).filter(
                kind=PeopleList.Kind.STATIC
            )
            if can_tag
            else [],
            total=page.paginator.count,
            can_export=exporting.may_export(tenant.staff),
            can_tag=can_tag,
            max_selected=MAX_SELECTED,
        ),
    )


def _segments(tenant: Tenant) -> list[tuple[PeopleList, str]]:
    """The coalition's saved filters that the list page can show, with their query strings."""
    segments = []
    for segment in selectors.lists(coalition=tenant.coalition).filter(
        kind=PeopleList.Kind.SAVED_FILTER
    ):
        params = PeopleFilterForm.params_for(segment.query)
        if params is not None:
            segments.append((segment, urlencode(params)))
    return segments


def _back_to_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Back to the list page with the filters, order and page the form was posted from."""
    params = {key: request.POST.get(key, "") for key in (*PeopleFilterForm.base_fields, "page")}
    query = urlencode({key: value for key, value in params.items() if value})
    url = reverse("people:people", args=[tenant.coalition.slug])
    return redirect(f"{url}?{query}" if query else url)


def _selected(request: HttpRequest, tenant: Tenant) -> list[Person] | None:
    """The people ticked on the list page: all of them visible to the user, or None."""
    uuids = request.POST.getlist("people")
    if not uuids or len(uuids) > MAX_SELECTED:
        return None
    return selectors.people_by_uuids(people=_people(tenant), uuids=uuids)


@coalition_view(Action.TAG_PEOPLE)
@require_POST
def bulk_tag(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    chosen = _selected(request, tenant)
    form = BulkTagForm(request.POST)
    if chosen is None:
        messages.error(request, f"Tick between 1 and {MAX_SELECTED} people you can see.")
    elif not form.is_valid():
        messages.error(request, "Give the tag a name.")
    else:
        try:
            tag, result = services.tag_people(
                coalition=tenant.coalition,
                tag_name=form.cleaned_data["tag_name"],
                people=chosen,
                by=tenant.staff,
            )
        except PeopleError as error:
            messages.error(request, str(error))
        else:
            done = ngettext(
                "%(n)d person tagged %(name)s.", "%(n)d people tagged %(name)s.", result.added
            )
            before = ngettext("%(n)d already had it.", "%(n)d already had it.", result.already)
            messages.success(request, _bulk_message(result, done, before, tag.name))
    return _back_to_list(request, tenant)


@coalition_view(Action.TAG_PEOPLE)
@require_POST
def bulk_add_to_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    chosen = _selected(request, tenant)
    form = BulkListForm(request.POST)
    target = (
        selectors.lists(coalition=tenant.coalition)
        .filter(uuid=form.cleaned_data["people_list"])
        .first()
        if form.is_valid()
        else None
    )
    if chosen is None:
        messages.error(request, f"Tick between 1 and {MAX_SELECTED} people you can see.")
    elif target is None:
        messages.error(request, "Choose a list.")
    else:
        try:
            result = services.add_people_to_list(people_list=target, people=chosen, by=tenant.staff)
        except PeopleError as error:
            messages.error(request, str(error))
        else:
            done = ngettext(
                "%(n)d person added to %(name)s.", "%(n)d people added to %(name)s.", result.added
            )
            before = ngettext(
                "%(n)d was on it already.", "%(n)d were on it already.", result.already
            )
            messages.success(request, _bulk_message(result, done, before, target.name))
    return _back_to_list(request, tenant)


def _bulk_message(result: services.BulkResult, done: str, before: str, name: str) -> str:
    """ "3 people tagged x. 1 already had it.": both parts pluralized by the caller."""
    message = done % {"n": result.added, "name": name}
    return f"{message} {before % {'n': result.already}}" if result.already else message


@coalition_view(Action.TAG_PEOPLE)
@require_POST
def save_segment(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """Save the list page's current filter and order as a named segment (a saved filter)."""
    form = SegmentForm(request.POST)
    query = PeopleFilterForm(request.POST)
    if not form.is_valid() or not query.is_valid():
        messages.error(request, "Give the segment a name.")
        return _back_to_list(request, tenant)
    criteria = query.people_filter().criteria()
    if not criteria:
        messages.error(request, "Search or filter first: a segment saves a filter.")
        return _back_to_list(request, tenant)
    try:
        segment = services.create_list(
            coalition=tenant.coalition,
            name=form.cleaned_data["name"],
            kind=PeopleList.Kind.SAVED_FILTER,
            query={**criteria, "sort": query.sort_key()},
        )
    except PeopleError as error:
        messages.error(request, str(error))
        return _back_to_list(request, tenant)
    messages.success(request, f"Segment {segment} saved.")
    return redirect("people:list", tenant.coalition.slug, segment.uuid)


@coalition_view(Action.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def add_person(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            result = services.upsert_person(
                coalition=tenant.coalition,
                data=PersonData(
                    given_name=data["given_name"],
                    family_name=data["family_name"],
                    emails=[EmailInput(data["email"])] if data["email"] else [],
                    phones=[PhoneInput(data["phone"])] if data["phone"] else [],
                    addresses=[
                        AddressInput(postal_code=data["postal_code"], country=data["country"])
                    ],
                ),
                source_action="added by hand",
            )
        except services.PhoneNumberError as error:
            form.add_error("phone", str(error))
        else:
            verb = "added" if result.created else "was already here; details merged"
            messages.success(request, f"{result.person} {verb}.")
            return redirect("people:person", tenant.coalition.slug, result.person.uuid)
    return render(
        request,
        "people/person_form.html",
        tenant.context(nav_current="people", form=form),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def person(request: HttpRequest, tenant: Tenant, person_id: uuid.UUID) -> HttpResponse:
    row = _person(tenant, person_id)
    return render(
        request,
        "people/person.html",
        tenant.context(
            nav_current="people",
            person=row,
            taggings=row.taggings.select_related("tag"),
            list_items=row.list_items.select_related("people_list"),
            sharing=row.sharing.select_related("membership__organization"),
            timeline=selectors.timeline(person=row)[:100],
            subscription_history=[(email, list(email.history.all())) for email in row.emails.all()],
            tag_form=ApplyTagForm(),
            status_choices=EmailStatusForm.base_fields["status"].choices,  # type: ignore[attr-defined]
            can_manage=tenant.allows(Action.MANAGE_PEOPLE),
            can_erase=tenant.allows(Action.ERASE_PERSON),
            can_export=exporting.may_export(tenant.staff),
        ),
    )


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def tag_person(request: HttpRequest, tenant: Tenant, person_id: uuid.UUID) -> HttpResponse:
    row = _person(tenant, person_id)
    form = ApplyTagForm(request.POST)
    if form.is_valid():
        tag, _ = services.create_tag(coalition=tenant.coalition, name=form.cleaned_data["tag"])
        services.tag_person(tag=tag, person=row)
        messages.success(request, f"Tagged {tag}.")
    else:
        messages.error(request, "Give the tag a name.")
    return redirect("people:person", tenant.coalition.slug, row.uuid)


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def untag_person(
    request: HttpRequest, tenant: Tenant, person_id: uuid.UUID, tag_id: uuid.UUID
) -> HttpResponse:
    row = _person(tenant, person_id)
    tagging = found(row.taggings.filter(tag__uuid=tag_id).first())
    services.untag_person(tagging=tagging)
    messages.success(request, "Tag removed.")
    return redirect("people:person", tenant.coalition.slug, row.uuid)


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def set_email_status(
    request: HttpRequest, tenant: Tenant, person_id: uuid.UUID, email_id: int
) -> HttpResponse:
    row = _person(tenant, person_id)
    email = found(row.emails.filter(pk=email_id).first())
    form = EmailStatusForm(request.POST)
    if form.is_valid():
        services.set_email_status(
            email=email,
            status=form.cleaned_data["status"],
            source=f"set by {signed_in_user(request)}",
        )
        messages.success(request, f"{email.address} is now {form.cleaned_data['status']}.")
    else:
        messages.error(request, "Choose subscribed, unsubscribed or bouncing.")
    return redirect("people:person", tenant.coalition.slug, row.uuid)


@coalition_view(Action.ERASE_PERSON)
@require_http_methods(["GET", "POST"])
def erase_person(request: HttpRequest, tenant: Tenant, person_id: uuid.UUID) -> HttpResponse:
    row = _person(tenant, person_id)
    if request.method == "POST" and request.POST.get("confirm") == str(row.uuid):
        services.erase_person(person=row, erased_by=signed_in_user(request))
        messages.success(request, "The person's data was erased. The erasure is logged.")
        return redirect("people:people", tenant.coalition.slug)
    return render(request, "people/erase.html", tenant.context(nav_current="people", person=row))


@coalition_view(Action.MANAGE_PEOPLE)
@require_http_methods(["GET", "POST"])
def tags(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = TagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        tag, created = services.create_tag(
            coalition=tenant.coalition, name=form.cleaned_data["name"]
        )
        messages.success(request, f"Tag {tag} {'created' if created else 'exists already'}.")
        return redirect("people:tags", tenant.coalition.slug)
    return render(
        request,
        "people/tags.html",
        tenant.context(
            nav_current="people", form=form, tags=selectors.tags(coalition=tenant.coalition)
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def delete_tag(request: HttpRequest, tenant: Tenant, tag_id: uuid.UUID) -> HttpResponse:
    tag = found(Tag.objects.for_coalition(tenant.coalition).filter(uuid=tag_id).first())
    services.delete_tag(tag=tag)
    messages.success(request, f"Tag {tag} deleted.")
    return redirect("people:tags", tenant.coalition.slug)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def lists(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = ListForm(request.POST or None)
    if request.method == "POST":
        tenant.require(Action.MANAGE_PEOPLE)
        if form.is_valid():
            try:
                criteria = form.criteria()
                created = services.create_list(
                    coalition=tenant.coalition,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    kind=PeopleList.Kind.SAVED_FILTER if criteria else PeopleList.Kind.STATIC,
                    query=criteria,
                )
            except PeopleError as error:
                form.add_error("name", str(error))
            else:
                messages.success(request, f"List {created} created.")
                return redirect("people:list", tenant.coalition.slug, created.uuid)
    people_lists = [
        (
            people_list,
            selectors.list_members(people_list=people_list, people=_people(tenant)).count(),
        )
        for people_list in selectors.lists(coalition=tenant.coalition)
    ]
    return render(
        request,
        "people/lists.html",
        tenant.context(
            nav_current="people",
            form=form,
            people_lists=people_lists,
            can_manage=tenant.allows(Action.MANAGE_PEOPLE),
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def people_list(request: HttpRequest, tenant: Tenant, list_id: uuid.UUID) -> HttpResponse:
    row = found(PeopleList.objects.for_coalition(tenant.coalition).filter(uuid=list_id).first())
    members = selectors.list_members(people_list=row, people=_people(tenant))
    sort = selectors.sort_key(row.query.get("sort")) if row.query else "added"
    page = paging.PeoplePaginator(
        selectors.with_details(selectors.sorted_people(members, sort)), PAGE_SIZE
    ).get_page(request.GET.get("page"))
    params = PeopleFilterForm.params_for(row.query) if row.query else None
    return render(
        request,
        "people/list.html",
        tenant.context(
            nav_current="people",
            people_list=row,
            page=page,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            list_query=urlencode(params) if params is not None else None,
        ),
    )


@coalition_view(Action.MANAGE_PEOPLE)
def duplicates(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = selectors.with_details(Person.objects.for_coalition(tenant.coalition))
    by_id: dict[Hashable, Person] = {p.pk: p for p in rows}
    keys = [
        PersonKey(
            id=p.pk,
            name=p.name,
            phones=[ph.number for ph in p.phones.all()],
            postal_codes=[a.postal_code for a in p.addresses.all()],
        )
        for p in by_id.values()
    ]
    pairs = [(by_id[pair.a], by_id[pair.b], pair.reasons) for pair in find_duplicates(keys)]
    return render(
        request,
        "people/duplicates.html",
        tenant.context(
            nav_current="people",
            pairs=pairs[:200],
            total=len(pairs),
            name_reviews=review_views.name_reviews(tenant)[:200],
        ),
    )


@coalition_view(Action.MANAGE_PEOPLE)
@require_POST
def merge(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    everyone = Person.objects.for_coalition(tenant.coalition)
    keep = found(selectors.person_by_uuid(people=everyone, uuid=request.POST.get("keep", "")))
    other = found(selectors.person_by_uuid(people=everyone, uuid=request.POST.get("merge", "")))
    try:
        kept = services.merge_people(keep=keep, merge=other, merged_by=signed_in_user(request))
    except PeopleError as error:
        messages.error(request, str(error))
        return redirect("people:duplicates", tenant.coalition.slug)
    messages.success(request, f"Merged into {kept}; nothing of either record was lost.")
    return redirect("people:person", tenant.coalition.slug, kept.uuid)
