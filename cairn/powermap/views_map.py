"""The power map's pages: the interactive map, its JSON, the accessible table of the same data and
the prospects page ("three to approach this quarter") with its add-to-the-pipeline form.

Thin: the filters are parsed by a form, the graph is read by `selectors.subgraph` (bounded:
the browser never gets more than NODE_LIMIT stakeholders), figures and paths come from
`cairn.powermap.analysis`, the one write goes through `pipeline.add_prospect_to_pipeline`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from cairn.campaigns.models import Campaign
from cairn.coalitions.access import Tenant, coalition_view, found, is_htmx, signed_in_user
from cairn.coalitions.models import Coalition, Sector
from cairn.coalitions.policy import Action

from . import analysis, selectors
from .models import (
    DIRECTED_KINDS,
    RelationshipKind,
    Stakeholder,
    StakeholderKind,
    StakeholderPosition,
)
from .pipeline import PipelineError, add_prospect_to_pipeline

NODE_LIMIT = 2_000  # the most stakeholders one view sends to the browser (the map stays usable)
TABLE_ROWS = 100  # rows per page of the table
SIZE_CHOICES = [("influence", "Influence (estimate)"), ("pagerank", "PageRank (computed)")]
DEPTH_CHOICES = [("1", "Direct ties"), ("2", "Two steps")]


# --- filters ----------------------------------------------------------------------------------


class MapFilterForm(forms.Form):
    """The map's and the table's filters, as plain GET parameters (the same for both)."""

    sector = forms.ChoiceField(required=False, choices=[("", "Any sector"), *Sector.choices])
    position = forms.ChoiceField(
        required=False, choices=[("", "Any position"), *StakeholderPosition.choices]
    )
    tag = forms.ChoiceField(required=False, choices=[("", "Any tag")])
    around = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="Around",
        help_text="Only this stakeholder and its ties.",
    )
    depth = forms.TypedChoiceField(
        required=False, coerce=int, empty_value=None, choices=DEPTH_CHOICES, label="Ties"
    )
    # the path's fields sit beside the map, outside the <form>: they join it by its id
    path_from = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="From",
        widget=forms.Select(attrs={"form": "map-filters"}),
    )
    path_to = forms.TypedChoiceField(
        required=False,
        coerce=int,
        empty_value=None,
        label="To the target",
        widget=forms.Select(attrs={"form": "map-filters"}),
    )
    size_by = forms.ChoiceField(required=False, choices=SIZE_CHOICES, label="Size by")

    def __init__(self, data: Any, *, choices: MapChoices) -> None:
        super().__init__(data)
        self._choose("tag", [("", "Any tag"), *((t, t) for t in choices.tags)])
        self._choose("around", [("", "The whole map"), *choices.around])
        self._choose("path_from", [("", "Any member of the coalition"), *choices.sources])
        self._choose("path_to", [("", "Choose a target"), *choices.targets])

    def _choose(self, name: str, choices: list[tuple[Any, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)  # noqa: S101 - declared above
        field.choices = choices


@dataclass(slots=True)
class MapChoices:
    tags: list[str] = field(default_factory=list)
    around: list[tuple[int, str]] = field(default_factory=list)
    sources: list[tuple[int, str]] = field(default_factory=list)
    targets: list[tuple[int, str]] = field(default_factory=list)


def _filters(
    request: HttpRequest, coalition: Coalition, marks: selectors.Landmarks
) -> MapFilterForm:
    targets, members = marks.targets, marks.members
    chosen_around = selectors.stakeholder_choice(coalition, request.GET.get("around"))
    around = _merge(targets, members, chosen_around)
    tags = selectors.tag_names(coalition)
    # the path may start at a member, at the stakeholder the map is around, or at one a link named
    chosen_source = selectors.stakeholder_choice(coalition, request.GET.get("path_from"))
    sources = _merge(members, chosen_around, chosen_source)
    choices = MapChoices(tags=tags, around=around, sources=sources, targets=targets)
    return MapFilterForm(request.GET or None, choices=choices)


def _merge(*groups: list[tuple[int, str]]) -> list[tuple[int, str]]:
    seen: dict[int, str] = {}
    for group in groups:
        for pk, name in group:
            seen.setdefault(pk, name)
    return sorted(seen.items(), key=lambda row: row[1].lower())


# --- the graph of a view ----------------------------------------------------------------------


@dataclass(slots=True)
class MapView:
    """What one filtered view shows: rows as plain dicts, ready for JSON and the table."""

    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    total: int  # stakeholders matching the filters (the map shows at most NODE_LIMIT of them)
    truncated: bool
    path: list[int]  # stakeholder ids from the source to the target, or []
    path_message: str
    figures: analysis.FiguresState


def _map_view(coalition: Coalition, data: dict[str, Any], marks: selectors.Landmarks) -> MapView:
    path: list[int] = []
    path_message = ""
    figures = analysis.figures_state(coalition)
    run = figures.run
    if data.get("path_to"):
        if data.get("path_from"):
            path = analysis.path_to_target(coalition, data["path_from"], data["path_to"])
        else:
            path = analysis.path_from_members(coalition, run, data["path_to"], marks.member_ids)
        if not path:
            path_message = (
                "No chain of recorded relationships leads from "
                + ("there" if data.get("path_from") else "any member of the coalition")
                + " to the target."
            )
    graph = selectors.subgraph(
        coalition=coalition,
        sector=data.get("sector") or "",
        position=data.get("position") or "",
        tag=data.get("tag") or "",
        around=data.get("around"),
        depth=data.get("depth") or 1,
        limit=NODE_LIMIT,
        include=path,
    )
    ids = [node["id"] for node in graph.nodes]
    pageranks = selectors.pageranks(run, ids)
    members, targets = marks.member_ids, marks.target_ids
    kinds = dict(StakeholderKind.choices)
    sectors = dict(Sector.choices)
    positions = dict(StakeholderPosition.choices)
    url = reverse("powermap:stakeholder", args=[coalition.slug, 0]).replace("/0/", "/{}/")
    nodes = [
        {
            "id": node["id"],
            "name": node["name"],
            "kind": node["kind"],
            "kind_label": kinds.get(node["kind"], node["kind"]),
            "sector": node["sector"],
            "sector_label": sectors.get(node["sector"], node["sector"]),
            "position": node["position"],
            "position_label": positions.get(node["position"], node["position"]),
            "influence": node["influence"],
            "pagerank": pageranks.get(node["id"]),
            "member": node["id"] in members,
            "target": node["id"] in targets,
            "url": url.format(node["id"]),
        }
        for node in graph.nodes
    ]
    edges = [
        {
            "id": edge["id"],
            "source": edge["source_id"],
            "target": edge["target_id"],
            "kind": edge["kind"],
            "weight": float(edge["weight"]),
            "directed": edge["kind"] in DIRECTED_KINDS,
        }
        for edge in graph.edges
    ]
    return MapView(
        nodes=nodes,
        edges=edges,
        total=graph.total,
        truncated=graph.truncated,
        path=path,
        path_message=path_message,
        figures=figures,
    )


def _as_json(view: MapView) -> dict[str, Any]:
    figures = view.figures
    return {
        "nodes": [{k: v for k, v in node.items() if k not in _TABLE_ONLY} for node in view.nodes],
        "edges": view.edges,
        "shown": len(view.nodes),
        "total": view.total,
        "truncated": view.truncated,
        "limit": NODE_LIMIT,
        "path": view.path,
        "path_message": view.path_message,
        "figures": {
            "computed_at": figures.computed_at and figures.computed_at.isoformat(),
            "changed_since": figures.changed_since,
            "queued": figures.queued,
            "summary": figures.summary,
        },
    }


_TABLE_ONLY = frozenset({"kind_label", "ties", "tags"})


def _add_table_columns(view: MapView, tags: dict[int, list[str]]) -> None:
    """Ties shown and tags, for the table's rows."""
    ties: dict[int, int] = {}
    for edge in view.edges:
        ties[edge["source"]] = ties.get(edge["source"], 0) + 1
        ties[edge["target"]] = ties.get(edge["target"], 0) + 1
    for node in view.nodes:
        node["ties"] = ties.get(node["id"], 0)
        node["tags"] = tags.get(node["id"], [])


def _labelled_edges(
    edges: list[dict[str, Any]], nodes: dict[int, dict[str, Any]]
) -> list[dict[str, Any]]:
    labels = dict(RelationshipKind.choices)
    rows = [
        {
            **edge,
            "label": labels.get(edge["kind"], edge["kind"]),
            "source_name": nodes[edge["source"]]["name"],
            "target_name": nodes[edge["target"]]["name"],
        }
        for edge in edges
    ]
    return sorted(rows, key=lambda e: (e["source_name"].lower(), e["target_name"].lower()))


@dataclass(frozen=True, slots=True)
class PathStep:
    node: dict[str, Any]
    tie: str  # how this stakeholder reaches the next one ("" for the target)


def _path_steps(view: MapView, nodes: dict[int, dict[str, Any]]) -> list[PathStep]:
    labels = dict(RelationshipKind.choices)
    steps: list[PathStep] = []
    if not view.path:
        return steps
    for here, there in zip(view.path, [*view.path[1:], None], strict=True):
        if here not in nodes:
            return []
        tie = ""
        if there is not None and there in nodes:
            edge = _tie(view.edges, here, there)
            if edge is not None:
                label = labels.get(edge["kind"], edge["kind"]).lower()
                name = nodes[there]["name"]
                if not edge["directed"]:
                    tie = f"{label} {name}"
                elif edge["source"] == here:
                    tie = f"{label} {name} →"
                else:
                    tie = f"← {name} {label} it"
        steps.append(PathStep(node=nodes[here], tie=tie))
    return steps


def _tie(edges: list[dict[str, Any]], a: int, b: int) -> dict[str, Any] | None:
    """The tie a path step follows from a to b: one from a to b, else one between them that has
    no direction, else one from b to a."""
    forward = [e for e in edges if e["source"] == a and e["target"] == b]
    backward = [e for e in edges if e["source"] == b and e["target"] == a]
    undirected = [e for e in backward if not e["directed"]]
    return next(iter(forward + undirected + backward), None)


# --- the map, its JSON and the table ---------------------------------------------------------


def _query_without(request: HttpRequest, *keys: str) -> str:
    query = request.GET.copy()
    for key in keys:
        query.pop(key, None)
    return query.urlencode()


def _page_context(request: HttpRequest, tenant: Tenant) -> tuple[dict[str, Any], int]:
    """What the map and the table pages share: the filters, the view, a page of each table and
    the path's steps. 422 when a filter is wrong (the form says which)."""
    marks = selectors.landmarks(tenant.coalition)
    form = _filters(request, tenant.coalition, marks)
    valid = form.is_valid() if form.is_bound else True
    data = form.cleaned_data if form.is_bound and valid else {}
    view = _map_view(tenant.coalition, data, marks)
    nodes = {node["id"]: node for node in view.nodes}
    _add_table_columns(view, selectors.tags_of(list(nodes)))
    # ?rows=all: every row of the view on one page, to print (at most NODE_LIMIT stakeholders)
    every_row = request.GET.get("rows") == "all"
    per_page = max(len(view.nodes), len(view.edges), 1) if every_row else TABLE_ROWS
    rows = Paginator(sorted(view.nodes, key=lambda n: n["name"].lower()), per_page)
    edge_rows = Paginator(_labelled_edges(view.edges, nodes), per_page)
    context = tenant.context(
        nav_current="powermap",
        form=form,
        view=view,
        filtered=any(data.get(key) for key in ("sector", "position", "tag", "around")),
        figures=view.figures,
        rows=rows.get_page(request.GET.get("page")),
        edge_rows=edge_rows.get_page(request.GET.get("rpage")),
        every_row=every_row,
        keep_page=_query_without(request, "page"),
        keep_rpage=_query_without(request, "rpage"),
        path_steps=_path_steps(view, nodes),
        path_message=view.path_message,
        size_by=data.get("size_by") or "influence",
        size_choices=SIZE_CHOICES,
        sectors=Sector.choices,
        data_url=reverse("powermap:map_data", args=[tenant.coalition.slug])
        + (f"?{_query_without(request, 'page', 'rpage')}" if request.GET else ""),
    )
    return context, 200 if valid else 422


@coalition_view(Action.VIEW)
@require_GET
def power_map(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    context, status = _page_context(request, tenant)
    return render(request, "powermap/map.html", context, status=status)


@coalition_view(Action.VIEW)
@require_GET
def map_table(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    context, status = _page_context(request, tenant)
    return render(request, "powermap/map_table.html", context, status=status)


@coalition_view(Action.VIEW)
@require_GET
def map_data(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The map's JSON: the same filters as the page, at most NODE_LIMIT stakeholders."""
    marks = selectors.landmarks(tenant.coalition)
    form = _filters(request, tenant.coalition, marks)
    if form.is_bound and not form.is_valid():
        errors = {name: [str(e) for e in errs] for name, errs in form.errors.items()}
        return JsonResponse({"errors": errors}, status=400)
    view = _map_view(tenant.coalition, form.cleaned_data if form.is_bound else {}, marks)
    return JsonResponse(_as_json(view))


# --- prospects ----------------------------------------------------------------------------------


class PipelineForm(forms.Form):
    email = forms.EmailField(
        label="Contact's email",
        help_text="They receive an invitation to act for the organization in the coalition.",
        max_length=254,
    )


def _campaign(tenant: Tenant, campaign_id: int) -> Campaign:
    return found(Campaign.objects.for_coalition(tenant.coalition).filter(pk=campaign_id).first())


@coalition_view(Action.VIEW)
@require_GET
def prospects(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The campaigns to choose from; with one campaign, its prospects at once."""
    campaigns = list(Campaign.objects.for_coalition(tenant.coalition).order_by("-ends_on", "name"))
    if len(campaigns) == 1:
        return redirect("powermap:campaign_prospects", tenant.coalition.slug, campaigns[0].pk)
    return render(
        request,
        "powermap/prospects.html",
        tenant.context(nav_current="powermap", campaigns=campaigns, campaign=None),
    )


@coalition_view(Action.VIEW)
@require_GET
def campaign_prospects(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    """'Three to approach this quarter': the campaign's ranked prospects, each factor shown."""
    campaign = _campaign(tenant, campaign_id)
    ranking = analysis.prospects_for_campaign(campaign, limit=3)
    campaigns = list(Campaign.objects.for_coalition(tenant.coalition).order_by("-ends_on", "name"))
    sectors = dict(Sector.choices)
    rows = [
        {"prospect": p, "sector_label": sectors.get(p.sector, p.sector)} for p in ranking.prospects
    ]
    # what the prospects would change: the members' sector diversity now, and how much of the
    # campaign's road to its targets runs only through the coalition's own sectors
    diversity = analysis.diversity(tenant.coalition)
    sector_shares = [
        (sectors.get(sector, sector), share) for sector, share in diversity.sectors.shares.items()
    ]
    return render(
        request,
        "powermap/prospects.html",
        tenant.context(
            nav_current="powermap",
            campaigns=campaigns,
            campaign=campaign,
            ranking=ranking,
            rows=rows,
            figures=analysis.figures_state(tenant.coalition),
            diversity=diversity.sectors,
            sector_shares=sector_shares,
            echo=diversity.echo_chambers.get(campaign.pk),
            form=PipelineForm(),
            may_add=tenant.allows(Action.INVITE) and tenant.allows(Action.MANAGE_MEMBERS),
        ),
    )


@coalition_view(Action.INVITE)
@require_http_methods(["POST"])
def add_to_pipeline(
    request: HttpRequest, tenant: Tenant, campaign_id: int, stakeholder_id: int
) -> HttpResponse:
    """Stewards put a prospect in the membership pipeline: organization, membership, invitation."""
    tenant.require(Action.MANAGE_MEMBERS)
    campaign = _campaign(tenant, campaign_id)
    stakeholder = found(
        Stakeholder.objects.for_coalition(tenant.coalition).filter(pk=stakeholder_id).first()
    )
    form = PipelineForm(request.POST)
    result = None
    if form.is_valid():
        try:
            result = add_prospect_to_pipeline(
                stakeholder=stakeholder,
                by=signed_in_user(request),
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/"),
            )
        except PipelineError as error:
            form.add_error("email", str(error))
    if result is not None and not is_htmx(request):
        if result.created:
            messages.success(
                request,
                f"{stakeholder.name} is in the pipeline: invitation sent to "
                f"{result.invitation.email}.",
            )
        else:
            messages.info(
                request, f"{stakeholder.name} was already invited at {result.invitation.email}."
            )
        return redirect("powermap:campaign_prospects", tenant.coalition.slug, campaign.pk)
    context = tenant.context(
        campaign=campaign,
        stakeholder=stakeholder,
        stakeholder_id=stakeholder.pk,
        stakeholder_name=stakeholder.name,
        form=form,
        result=result,
    )
    if is_htmx(request):
        return render(
            request, "powermap/prospects_pipeline.html", context, status=422 if form.errors else 200
        )
    return render(request, "powermap/prospects_add.html", context, status=422)
