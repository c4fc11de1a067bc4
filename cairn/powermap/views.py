"""Stakeholder and relationship pages. Thin: load with a selector, check the policy, call one
service, render.

Every role reads the map; organizers add stakeholders, relationships and position changes
(`Action.ADD_TO_POWERMAP`); stewards also edit and remove them and merge duplicates
(`Action.EDIT_POWERMAP`).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cairn.campaigns.models import Campaign
from cairn.coalitions.access import Tenant, coalition_view, found, signed_in_user
from cairn.coalitions.policy import Action

from . import analysis, selectors, services
from .forms import (
    FilterForm,
    MergeForm,
    PositionForm,
    RelationshipFieldsForm,
    RelationshipForm,
    StakeholderForm,
)
from .models import UNDIRECTED_KINDS, Relationship, Stakeholder
from .services import PowermapError, StakeholderData

NAME_SUGGESTIONS = 200  # names offered while typing another stakeholder's name
TIES_SHOWN = 300  # the strongest ties a stakeholder's page lists (a hub may have thousands)


def _context(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return tenant.context(nav_current="powermap", today=timezone.localdate(), **extra)


def _stakeholder(tenant: Tenant, stakeholder_id: int) -> Stakeholder:
    return found(selectors.stakeholder(tenant.coalition, stakeholder_id))


def _relationship(tenant: Tenant, relationship_id: int) -> Relationship:
    return found(selectors.relationship(tenant.coalition, relationship_id))


def _suggestions(tenant: Tenant) -> list[str]:
    """Names for the browser's type-ahead: the most influential, a bounded number."""
    return list(
        Stakeholder.objects.for_coalition(tenant.coalition)
        .order_by("-influence", "name")
        .values_list("name", flat=True)[:NAME_SUGGESTIONS]
    )


def _figures(tenant: Tenant, stakeholder: Stakeholder) -> dict[str, Any]:
    """The stakeholder's figures of the latest computation (row None before any, or when it was
    not in the graph then), when they were computed, and its reach per campaign by name."""
    state = analysis.figures_state(tenant.coalition)
    row = state.run.figures.filter(stakeholder_id=stakeholder.pk).first() if state.run else None
    reach: list[tuple[str, float]] = []
    if row is not None and row.reach:
        names = dict(
            Campaign.objects.for_coalition(tenant.coalition)
            .filter(pk__in=[int(k) for k in row.reach])
            .values_list("pk", "name")
        )
        reach = sorted(
            ((names[int(k)], v) for k, v in row.reach.items() if int(k) in names),
            key=lambda item: -item[1],
        )
    return {"state": state, "run": state.run, "row": row, "reach": reach}


# --- stakeholders ---------------------------------------------------------------------------------


@coalition_view(Action.VIEW)
def stakeholders(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    coalition = tenant.coalition
    # member organizations and decision-makers made since the last visit get their stakeholder
    services.ensure_stakeholders_for_coalition(coalition=coalition)
    form = FilterForm(request.GET or None)
    filters = form.filters() if form.is_bound else {}
    page = selectors.stakeholder_page(coalition, filters=filters, page=request.GET.get("page"))
    return render(
        request,
        "powermap/stakeholder_list.html",
        _context(
            tenant,
            form=form,
            page=page,
            page_range=page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1),
            total=page.paginator.count,
            filtered=any(filters.values()),
            tag_names=list(selectors.tags(coalition).values_list("name", flat=True)[:500]),
            merges=selectors.merges(coalition, limit=5),
        ),
    )


def _data(form: StakeholderForm, external_id: str = "") -> StakeholderData:
    data = form.cleaned_data
    return StakeholderData(
        name=data["name"],
        kind=data["kind"],
        sector=data["sector"],
        influence=data["influence"],
        description=data["description"],
        website=data["website"],
        held_by=data["held_by"],
        external_id=external_id,
    )


@coalition_view(Action.ADD_TO_POWERMAP)
@require_http_methods(["GET", "POST"])
def new_stakeholder(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    coalition = tenant.coalition
    initial = {"held_by": tenant.staff.membership_id, "influence": 50}
    form = StakeholderForm(request.POST or None, coalition=coalition, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            row = services.create_stakeholder(
                coalition=coalition,
                data=_data(form),
                tags=form.tag_names(),
                by=signed_in_user(request),
            )
        except PowermapError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{row.name} added to the power map.")
            return redirect("powermap:stakeholder", coalition.slug, row.pk)
    return render(
        request,
        "powermap/stakeholder_form.html",
        _context(tenant, form=form, title="Add a stakeholder", submit="Add"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.EDIT_POWERMAP)
@require_http_methods(["GET", "POST"])
def edit_stakeholder(request: HttpRequest, tenant: Tenant, stakeholder_id: int) -> HttpResponse:
    row = _stakeholder(tenant, stakeholder_id)
    initial = {
        "name": row.name,
        "kind": row.kind,
        "sector": row.sector,
        "influence": row.influence,
        "description": row.description,
        "website": row.website,
        "held_by": row.held_by_id,
        "tags": ", ".join(t.name for t in row.tags.all()),
    }
    form = StakeholderForm(request.POST or None, coalition=tenant.coalition, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_stakeholder(
                stakeholder=row,
                data=_data(form, external_id=row.external_id),
                tags=form.tag_names(),
                by=signed_in_user(request),
            )
        except PowermapError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "Stakeholder saved.")
            return redirect("powermap:stakeholder", tenant.coalition.slug, row.pk)
    return render(
        request,
        "powermap/stakeholder_form.html",
        _context(tenant, form=form, stakeholder=row, title=f"Edit {row.name}", submit="Save"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def stakeholder(request: HttpRequest, tenant: Tenant, stakeholder_id: int) -> HttpResponse:
    row = _stakeholder(tenant, stakeholder_id)
    ties = selectors.relationships_of(row, limit=TIES_SHOWN)
    adds = tenant.allows(Action.ADD_TO_POWERMAP)
    return render(
        request,
        "powermap/stakeholder_detail.html",
        _context(
            tenant,
            stakeholder=row,
            outgoing=[t for t in ties if t.outgoing or not t.directed],
            incoming=[t for t in ties if not t.outgoing and t.directed],
            history=selectors.position_history(row),
            figures=_figures(tenant, row),
            position_form=PositionForm(initial={"position": row.position}) if adds else None,
            merges=list(row.merges.order_by("-merged_at")[:5]),
            ties_total=(
                selectors.relationship_count(row) if len(ties) == TIES_SHOWN else len(ties)
            ),
            ties_shown=len(ties),
        ),
    )


@coalition_view(Action.ADD_TO_POWERMAP)
@require_http_methods(["GET", "POST"])
def record_position(request: HttpRequest, tenant: Tenant, stakeholder_id: int) -> HttpResponse:
    row = _stakeholder(tenant, stakeholder_id)
    form = PositionForm(request.POST or None, initial={"position": row.position})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.record_position(
                stakeholder=row,
                position=data["position"],
                on=data["on"],
                evidence=data["evidence"],
                source_url=data["source_url"],
                by=signed_in_user(request),
            )
        except PowermapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Position recorded.")
            return redirect("powermap:stakeholder", tenant.coalition.slug, row.pk)
    return render(
        request,
        "powermap/stakeholder_position.html",
        _context(tenant, form=form, stakeholder=row),
        status=422 if form.errors else 200,
    )


# --- relationships --------------------------------------------------------------------------------


@coalition_view(Action.ADD_TO_POWERMAP)
@require_http_methods(["GET", "POST"])
def add_relationship(request: HttpRequest, tenant: Tenant, stakeholder_id: int) -> HttpResponse:
    row = _stakeholder(tenant, stakeholder_id)
    form = RelationshipForm(request.POST or None, coalition=tenant.coalition)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        other: Stakeholder = data["other"]
        outgoing = data["direction"] == "out" or data["kind"] in UNDIRECTED_KINDS
        try:
            services.add_relationship(
                source=row if outgoing else other,
                target=other if outgoing else row,
                kind=data["kind"],
                weight=data["weight"],
                evidence=data["evidence"],
                source_url=data["source_url"],
                observed_on=data["observed_on"],
                by=signed_in_user(request),
            )
        except PowermapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Relationship with {other.name} recorded.")
            return redirect("powermap:stakeholder", tenant.coalition.slug, row.pk)
    return render(
        request,
        "powermap/relationship_form.html",
        _context(
            tenant,
            form=form,
            stakeholder=row,
            names=_suggestions(tenant),
            title=f"Add a relationship of {row.name}",
            submit="Record the relationship",
        ),
        status=422 if form.errors else 200,
    )


def _back(request: HttpRequest, tenant: Tenant, relationship: Relationship) -> int:
    """The stakeholder page to return to: the end named in ?from=, else the source."""
    raw = request.POST.get("from") or request.GET.get("from") or ""
    ends = {relationship.source_id, relationship.target_id}
    return int(raw) if raw.isdigit() and int(raw) in ends else relationship.source_id


@coalition_view(Action.EDIT_POWERMAP)
@require_http_methods(["GET", "POST"])
def edit_relationship(request: HttpRequest, tenant: Tenant, relationship_id: int) -> HttpResponse:
    tie = _relationship(tenant, relationship_id)
    back = _back(request, tenant, tie)
    initial = {
        "kind": tie.kind,
        "weight": tie.weight,
        "evidence": tie.evidence,
        "source_url": tie.source_url,
        "observed_on": tie.observed_on,
    }
    form = RelationshipFieldsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_relationship(
                relationship=tie,
                kind=data["kind"],
                weight=data["weight"],
                evidence=data["evidence"],
                source_url=data["source_url"],
                observed_on=data["observed_on"],
                by=signed_in_user(request),
            )
        except PowermapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Relationship saved.")
            return redirect("powermap:stakeholder", tenant.coalition.slug, back)
    return render(
        request,
        "powermap/relationship_form.html",
        _context(
            tenant,
            form=form,
            relationship=tie,
            back=back,
            title=f"Edit: {tie.source.name} → {tie.target.name}",
            submit="Save",
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.EDIT_POWERMAP)
@require_http_methods(["GET", "POST"])
def remove_relationship(request: HttpRequest, tenant: Tenant, relationship_id: int) -> HttpResponse:
    tie = _relationship(tenant, relationship_id)
    back = _back(request, tenant, tie)
    if request.method == "POST":
        services.remove_relationship(relationship=tie, by=signed_in_user(request))
        messages.success(request, "Relationship removed.")
        return redirect("powermap:stakeholder", tenant.coalition.slug, back)
    return render(
        request,
        "powermap/relationship_remove.html",
        _context(tenant, relationship=tie, back=back),
    )


# --- merging --------------------------------------------------------------------------------------


@coalition_view(Action.EDIT_POWERMAP)
@require_http_methods(["GET", "POST"])
def merge_stakeholder(request: HttpRequest, tenant: Tenant, stakeholder_id: int) -> HttpResponse:
    """Choose a duplicate (GET with ?duplicate=), see what moves, confirm (POST)."""
    kept = _stakeholder(tenant, stakeholder_id)
    data = request.POST if request.method == "POST" else request.GET
    form = MergeForm(data if "duplicate" in data else None, coalition=tenant.coalition, kept=kept)
    duplicate = form.cleaned_data["duplicate"] if form.is_valid() else None
    if request.method == "POST" and duplicate is not None and request.POST.get("confirm"):
        try:
            merge = services.merge_stakeholders(
                kept=kept, duplicate=duplicate, by=signed_in_user(request)
            )
        except PowermapError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                f"{merge.merged_name} merged into {kept.name}: "
                f"{merge.relationships_moved} relationship"
                f"{'' if merge.relationships_moved == 1 else 's'} moved.",
            )
            return redirect("powermap:stakeholder", tenant.coalition.slug, kept.pk)
    preview = None
    if duplicate is not None:
        ties = selectors.relationships_of(duplicate)
        preview = {
            "duplicate": duplicate,
            "ties": ties,
            "between": [t for t in ties if t.other.pk == kept.pk],
            "history": selectors.position_history(duplicate),
            "tags": list(duplicate.tags.all()),
        }
    return render(
        request,
        "powermap/stakeholder_merge.html",
        _context(
            tenant,
            form=form,
            stakeholder=kept,
            preview=preview,
            names=_suggestions(tenant),
            candidates=selectors.possible_duplicates(kept) if preview is None else [],
        ),
        status=422 if form.errors else 200,
    )
