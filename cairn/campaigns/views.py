"""Campaign pages. Thin: load with a selector, check the policy, call one service, render."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found, is_htmx, signed_in_user
from cairn.coalitions.policy import Action, measurement_needs_approval
from cairn.engines.words import counted
from cairn.petitions import selectors as petition_selectors

from . import figures, importing, selectors, services, tables
from .csvout import csv_response
from .forms import (
    CampaignForm,
    CloseObjectiveForm,
    FeedForm,
    ImportForm,
    MeasurementForm,
    MilestoneForm,
    ObjectiveForm,
    PhaseForm,
    PositionForm,
    RenewObjectiveForm,
    ReporterForm,
    TargetForm,
)
from .models import Campaign, MeasurementFeed, Objective, Position
from .services import CampaignError

MEASUREMENTS_PER_PAGE = 50  # the objective page's table; the chart and progress use all of them


def _campaign(tenant: Tenant, campaign_id: int) -> Campaign:
    return found(selectors.campaign(coalition=tenant.coalition, pk=campaign_id))


def _context(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return tenant.context(nav_current="campaigns", today=timezone.localdate(), **extra)


# --- campaigns ----------------------------------------------------------------------------------


@coalition_view(Action.VIEW)
def campaigns(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = selectors.campaigns(coalition=tenant.coalition)
    return render(request, "campaigns/campaigns.html", _context(tenant, campaigns=rows))


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def new_campaign(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    coalition = tenant.coalition
    initial = {"starts_on": coalition.horizon_start, "ends_on": coalition.horizon_end}
    form = CampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            row = services.create_campaign(
                coalition=coalition,
                name=data["name"],
                theory_of_change=data["theory_of_change"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
                phases=form.phase_names(),
                created_by=signed_in_user(request),
            )
        except CampaignError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, f"{row.name} created.")
            return redirect("campaigns:campaign", coalition.slug, row.pk)
    return render(
        request,
        "campaigns/form.html",
        _context(tenant, form=form, title="New campaign", submit="Create the campaign"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def edit_campaign(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    initial = {
        "name": row.name,
        "theory_of_change": row.theory_of_change,
        "starts_on": row.starts_on,
        "ends_on": row.ends_on,
    }
    form = CampaignForm(request.POST or None, initial=initial)
    del form.fields["phases"]
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_campaign(
                campaign=row,
                name=data["name"],
                theory_of_change=data["theory_of_change"],
                starts_on=data["starts_on"],
                ends_on=data["ends_on"],
            )
        except CampaignError as error:
            form.add_error("name", str(error))
        else:
            messages.success(request, "Campaign saved.")
            return redirect("campaigns:campaign", tenant.coalition.slug, row.pk)
    return render(
        request,
        "campaigns/form.html",
        _context(tenant, form=form, campaign=row, title=f"Edit {row.name}", submit="Save"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
def campaign(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    today = timezone.localdate()
    manage = tenant.allows(Action.MANAGE_CAMPAIGNS)
    owners = selectors.owners(coalition=tenant.coalition)
    petitions = list(
        petition_selectors.petitions_for_campaign(coalition=tenant.coalition, campaign_id=row.pk)
    )
    counts = petition_selectors.counts_for(petitions)
    return render(
        request,
        "campaigns/campaign.html",
        _context(
            tenant,
            campaign=row,
            petitions=[(p, counts[p.pk]) for p in petitions],
            phases=selectors.phases(campaign=row),
            targets=selectors.targets(campaign=row),
            objectives=selectors.objective_statuses(campaign=row, as_of=today),
            decisions=selectors.decisions(campaign=row),
            phase_form=PhaseForm() if manage else None,
            milestone_form=MilestoneForm(owners=owners) if manage else None,
            position_form=PositionForm() if tenant.allows(Action.RECORD_MEASUREMENT) else None,
        ),
    )


# --- phases and milestones ----------------------------------------------------------------------


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def add_phase(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    form = PhaseForm(request.POST)
    if form.is_valid():
        services.add_phase(campaign=row, name=form.cleaned_data["name"])
        messages.success(request, "Phase added.")
    else:
        messages.error(request, "Give the phase a name.")
    return redirect("campaigns:campaign", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def rename_phase(request: HttpRequest, tenant: Tenant, phase_id: int) -> HttpResponse:
    phase = found(selectors.phase(coalition=tenant.coalition, pk=phase_id))
    form = PhaseForm(request.POST)
    if form.is_valid():
        services.rename_phase(phase=phase, name=form.cleaned_data["name"])
    else:
        messages.error(request, "Give the phase a name.")
    return redirect("campaigns:campaign", tenant.coalition.slug, phase.campaign_id)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def move_phase(request: HttpRequest, tenant: Tenant, phase_id: int) -> HttpResponse:
    phase = found(selectors.phase(coalition=tenant.coalition, pk=phase_id))
    services.move_phase(phase=phase, offset=-1 if request.POST.get("to") == "earlier" else 1)
    return redirect("campaigns:campaign", tenant.coalition.slug, phase.campaign_id)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def remove_phase(request: HttpRequest, tenant: Tenant, phase_id: int) -> HttpResponse:
    phase = found(selectors.phase(coalition=tenant.coalition, pk=phase_id))
    try:
        services.remove_phase(phase=phase)
    except CampaignError as error:
        messages.error(request, str(error))
    return redirect("campaigns:campaign", tenant.coalition.slug, phase.campaign_id)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def add_milestone(request: HttpRequest, tenant: Tenant, phase_id: int) -> HttpResponse:
    phase = found(selectors.phase(coalition=tenant.coalition, pk=phase_id))
    form = MilestoneForm(request.POST, owners=selectors.owners(coalition=tenant.coalition))
    if form.is_valid():
        data = form.cleaned_data
        services.add_milestone(
            phase=phase, title=data["title"], due_on=data["due_on"], owner=data["owner"]
        )
        messages.success(request, "Milestone added.")
    else:
        messages.error(request, "A milestone needs a title and a due date.")
    return redirect("campaigns:campaign", tenant.coalition.slug, phase.campaign_id)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def toggle_milestone(request: HttpRequest, tenant: Tenant, milestone_id: int) -> HttpResponse:
    row = found(selectors.milestone(coalition=tenant.coalition, pk=milestone_id))
    services.set_milestone_done(
        milestone=row, done_on=None if row.done_on else timezone.localdate()
    )
    return redirect("campaigns:campaign", tenant.coalition.slug, row.phase.campaign_id)


# --- decision targets ---------------------------------------------------------------------------


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def add_target(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    form = TargetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            maker = services.add_decision_maker(
                coalition=tenant.coalition,
                name=data["name"],
                title=data["title"],
                body=data["body"],
            )
            services.add_target(
                campaign=row,
                decision_maker=maker,
                position=data["position"],
                on=data["on"],
                evidence=data["evidence"],
                ask=data["ask"],
                recorded_by=signed_in_user(request),
            )
        except CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{maker} added as a target.")
            return redirect("campaigns:campaign", tenant.coalition.slug, row.pk)
    return render(
        request,
        "campaigns/form.html",
        _context(
            tenant,
            form=form,
            campaign=row,
            title="Add a decision-maker to move",
            submit="Add the target",
            known=selectors.decision_makers(coalition=tenant.coalition),
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.RECORD_MEASUREMENT)
@require_POST
def record_position(request: HttpRequest, tenant: Tenant, target_id: int) -> HttpResponse:
    row = found(selectors.target(coalition=tenant.coalition, pk=target_id))
    form = PositionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.record_position(
                target=row,
                position=data["position"],
                on=data["on"],
                evidence=data["evidence"],
                by=signed_in_user(request),
            )
        except CampaignError as error:
            messages.error(request, str(error))
        else:
            label = Position(data["position"]).label.lower()
            messages.success(request, f"{row.decision_maker} recorded as {label}.")
    else:
        messages.error(request, "A position needs a date (not in the future) and its evidence.")
    return redirect("campaigns:campaign", tenant.coalition.slug, row.campaign_id)


# --- objectives and measurements ----------------------------------------------------------------


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_http_methods(["GET", "POST"])
def add_objective(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    form = ObjectiveForm(
        request.POST or None,
        initial={"deadline": row.ends_on},
        reporters=selectors.owners(coalition=tenant.coalition),
    )
    if request.method == "POST" and form.is_valid():
        try:
            created = services.add_objective(campaign=row, **form.cleaned_data)
        except CampaignError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Objective added.")
            return redirect("campaigns:objective", tenant.coalition.slug, created.pk)
    return render(
        request,
        "campaigns/form.html",
        _context(tenant, form=form, campaign=row, title="Add an objective", submit="Add"),
        status=422 if form.errors else 200,
    )


def _objective(tenant: Tenant, objective_id: int) -> Objective:
    return found(selectors.objective(coalition=tenant.coalition, pk=objective_id))


def _objective_context(
    tenant: Tenant,
    row: Objective,
    form: MeasurementForm | None = None,
    *,
    page_number: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    today = timezone.localdate()
    status = selectors.objective_status(
        objective=row, rows=list(selectors.measurements(objective=row)), as_of=today
    )
    # An organizer records for the objectives its organization reports; CSV imports stay with
    # the stewards (who may record for any objective).
    record = tenant.allows(Action.RECORD_MEASUREMENT, membership=row.reported_by)
    steward_records = tenant.allows(Action.RECORD_MEASUREMENT)
    page = Paginator(selectors.measurements_to_list(objective=row), MEASUREMENTS_PER_PAGE).get_page(
        page_number
    )
    return _context(
        tenant,
        campaign=row.campaign,
        objective=row,
        status=status,
        chart=figures.objective_chart(status),
        measurements_page=page,
        may_approve=tenant.allows(Action.APPROVE_MEASUREMENT),
        needs_approval=record and measurement_needs_approval(tenant.staff),
        measurement_form=(form or MeasurementForm(objective=row)) if record else None,
        import_form=ImportForm() if steward_records else None,
        **extra,
    )


def _feed_initial(feed: MeasurementFeed | None) -> dict[str, Any]:
    if feed is None:
        return {}
    names = ["url", "format", "date_field", "value_field", "source_field", "note_field"]
    names += ["records_path", "default_source", "interval_hours", "enabled"]
    return {name: getattr(feed, name) for name in names}


@coalition_view(Action.VIEW)
def objective(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    manage = tenant.allows(Action.MANAGE_CAMPAIGNS)
    extra: dict[str, Any] = {}
    if manage and row.status == Objective.Status.OPEN:
        extra["close_form"] = CloseObjectiveForm()
        extra["renew_form"] = RenewObjectiveForm(decisions=_decision_choices(tenant))
    if manage:  # the feed's address may carry a key: stewards only
        feed = selectors.feed(objective=row)
        extra["feed"] = feed
        extra["feed_form"] = FeedForm(initial=_feed_initial(feed))
        extra["reporter_form"] = ReporterForm(
            initial={"reported_by": row.reported_by_id},
            reporters=selectors.owners(coalition=tenant.coalition),
        )
    context = _objective_context(tenant, row, page_number=request.GET.get("page"), **extra)
    return render(request, "campaigns/objective.html", context)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def set_reporter(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    form = ReporterForm(request.POST, reporters=selectors.owners(coalition=tenant.coalition))
    if form.is_valid():
        reporter = form.cleaned_data["reported_by"]
        services.set_objective_reporter(objective=row, reported_by=reporter)
        who = reporter.organization.name if reporter is not None else "the stewards only"
        messages.success(request, f"Measurements of this objective are now reported by {who}.")
    else:
        messages.error(request, "Choose a member organization of this coalition.")
    return redirect("campaigns:objective", tenant.coalition.slug, row.pk)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def set_feed(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    form = FeedForm(request.POST)
    if form.is_valid():
        try:
            services.set_measurement_feed(
                objective=row,
                config=services.FeedSettings(**form.cleaned_data),
                by=signed_in_user(request),
            )
        except CampaignError as error:
            form.add_error("url", str(error))
        else:
            messages.success(request, "Feed saved. Pull it now, or wait for its schedule.")
            return redirect("campaigns:objective", tenant.coalition.slug, row.pk)
    context = _objective_context(tenant, row, feed=selectors.feed(objective=row), feed_form=form)
    return render(request, "campaigns/objective.html", context, status=422)


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def pull_feed_now(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    feed = found(selectors.feed(objective=row))
    services.queue_feed_pull(feed=feed)
    messages.success(request, "Pull queued: reload this page in a moment to see its outcome.")
    return redirect("campaigns:objective", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
@require_POST
def record_measurement(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    tenant.require(Action.RECORD_MEASUREMENT, membership=row.reported_by)
    form = MeasurementForm(request.POST, objective=row)
    if form.is_valid():
        data = form.cleaned_data
        pending = measurement_needs_approval(tenant.staff)
        try:
            services.record_measurement(
                objective=row,
                on=data["on"],
                value=data["value"],
                source=data["source"],
                note=data["note"],
                recorded_by=signed_in_user(request),
                pending=pending,
            )
        except CampaignError as error:
            form.add_error(None, str(error))
        else:
            if not is_htmx(request):
                messages.success(
                    request,
                    "Measurement recorded; it counts once a steward approves it."
                    if pending
                    else "Measurement recorded.",
                )
                return redirect("campaigns:objective", tenant.coalition.slug, row.pk)
            form = MeasurementForm(objective=row)
    if is_htmx(request):
        # htmx swaps 2xx answers only: the panel with the form's errors comes back as 200.
        return render(
            request, "campaigns/_objective_panel.html", _objective_context(tenant, row, form)
        )
    return render(
        request,
        "campaigns/objective.html",
        _objective_context(tenant, row, form),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.APPROVE_MEASUREMENT)
@require_POST
def approve_measurement(request: HttpRequest, tenant: Tenant, measurement_id: int) -> HttpResponse:
    row = found(selectors.measurement(coalition=tenant.coalition, pk=measurement_id))
    try:
        services.approve_measurement(measurement=row, by=signed_in_user(request))
    except CampaignError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Measurement of {row.on:%d %b %Y} approved: it counts now.")
    return redirect("campaigns:objective", tenant.coalition.slug, row.objective_id)


@coalition_view(Action.VIEW)
@require_POST
def delete_measurement(request: HttpRequest, tenant: Tenant, measurement_id: int) -> HttpResponse:
    row = found(selectors.measurement(coalition=tenant.coalition, pk=measurement_id))
    tenant.require(Action.RECORD_MEASUREMENT, membership=row.objective.reported_by)
    services.delete_measurement(measurement=row)
    messages.success(request, f"Measurement of {row.on:%d %b %Y} removed.")
    return redirect("campaigns:objective", tenant.coalition.slug, row.objective_id)


@coalition_view(Action.RECORD_MEASUREMENT)
@require_POST
def import_measurements(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    form = ImportForm(request.POST, request.FILES)
    errors: list[importing.RowError] = []
    if form.is_valid():
        result = importing.import_measurements(
            objective=row,
            stream=form.cleaned_data["file"],
            recorded_by=signed_in_user(request),
            default_source=form.cleaned_data["source"],
        )
        if result.ok:
            messages.success(
                request, f"{counted(result.created, 'measurement', 'measurements')} imported."
            )
            return redirect("campaigns:objective", tenant.coalition.slug, row.pk)
        errors = result.errors
    context = _objective_context(
        tenant, row, page_number=request.GET.get("page"), import_errors=errors
    )
    context["import_form"] = form
    return render(request, "campaigns/objective.html", context, status=422)


@coalition_view(Action.VIEW)
def measurements_csv(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    rows = selectors.measurements(objective=row)
    return csv_response(
        f"objective-{row.pk}-measurements.csv",
        ["date", "value", "unit", "source", "note", "origin"],
        [
            (
                row.baseline_on.isoformat(),
                row.baseline_value.normalize(),
                row.unit,
                row.baseline_source,
                "baseline",
                "baseline",
            ),
            *(
                (m.on.isoformat(), m.value.normalize(), row.unit, m.source, m.note, m.origin)
                for m in rows
            ),
        ],
    )


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def close_objective(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    row = _objective(tenant, objective_id)
    form = CloseObjectiveForm(request.POST)
    if form.is_valid():
        try:
            services.close_objective(
                objective=row, status=form.cleaned_data["status"], by=signed_in_user(request)
            )
        except CampaignError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, "Objective closed.")
    return redirect("campaigns:objective", tenant.coalition.slug, row.pk)


def _decision_choices(tenant: Tenant) -> list[tuple[int, str]]:
    from cairn.governance.models import Outcome

    outcomes = Outcome.objects.for_coalition(tenant.coalition).select_related("proposal")
    return [(o.pk, o.proposal.title) for o in outcomes.order_by("-recorded_at")[:50]]


@coalition_view(Action.MANAGE_CAMPAIGNS)
@require_POST
def renew_objective(request: HttpRequest, tenant: Tenant, objective_id: int) -> HttpResponse:
    from cairn.governance.models import Outcome

    row = _objective(tenant, objective_id)
    form = RenewObjectiveForm(request.POST, decisions=_decision_choices(tenant))
    if not form.is_valid():
        messages.error(request, "A renewal needs a new target and a new deadline.")
        return redirect("campaigns:objective", tenant.coalition.slug, row.pk)
    data = form.cleaned_data
    decision = None
    if data["decision"]:
        decision = found(
            Outcome.objects.for_coalition(tenant.coalition).filter(pk=data["decision"]).first()
        )
    try:
        renewed = services.renew_objective(
            objective=row,
            target_value=data["target_value"],
            deadline=data["deadline"],
            decision=decision,
            by=signed_in_user(request),
        )
    except CampaignError as error:
        messages.error(request, str(error))
        return redirect("campaigns:objective", tenant.coalition.slug, row.pk)
    messages.success(request, "Objective renewed.")
    return redirect("campaigns:objective", tenant.coalition.slug, renewed.pk)


# --- dashboard, report and their tables ---------------------------------------------------------


def _board(tenant: Tenant, campaign_id: int) -> selectors.Dashboard:
    board = selectors.dashboard(campaign=_campaign(tenant, campaign_id), as_of=timezone.localdate())
    # Stale or missing counters: one recount is queued for the next readers (this one reads
    # the counters as they are, or the sources' rows when there are none yet).
    services.request_engagement_refresh(
        coalition=tenant.coalition, state=board.counted, campaign=board.campaign
    )
    return board


def _engagement(tenant: Tenant, row: Campaign) -> list[selectors.EngagementSeries]:
    state = selectors.engagement_state(coalition=tenant.coalition)
    return selectors.engagement(campaign=row, as_of=timezone.localdate(), state=state)


def _dashboard_context(tenant: Tenant, board: selectors.Dashboard) -> dict[str, Any]:
    return _context(
        tenant,
        campaign=board.campaign,
        board=board,
        chain=figures.chain_chart(board),
        objective_charts=[
            (s, figures.objective_chart(s), tables.latest_measurement_rows(s.measurements))
            for s in board.objectives
        ],
        funnel=figures.funnel(board),
        positions=list(Position),
        engagement_rows=tables.engagement_rows(board.engagement_table),
        contribution_rows=tables.contribution_rows(board.contribution),
    )


@coalition_view(Action.VIEW)
def dashboard(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    board = _board(tenant, campaign_id)
    return render(request, "campaigns/dashboard.html", _dashboard_context(tenant, board))


@coalition_view(Action.VIEW)
def report(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    board = _board(tenant, campaign_id)
    return render(request, "campaigns/report.html", _dashboard_context(tenant, board))


@coalition_view(Action.VIEW)
def engagement_csv(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    series = _engagement(tenant, row)
    return csv_response(
        f"campaign-{row.pk}-engagement.csv",
        ["week starting", *(s.label for s in series)],
        [(day.isoformat(), *(int(n) for n in counts)) for day, counts in
         selectors.engagement_table(series)],
    )  # fmt: skip


@coalition_view(Action.VIEW)
def contribution_csv(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    series = _engagement(tenant, row)
    rows = selectors.member_contribution(coalition=tenant.coalition, series=series)
    header = ["member organization"]
    for s in series:
        header += [s.label, f"{s.label} (share %)"]
    return csv_response(
        f"campaign-{row.pk}-member-contribution.csv",
        header,
        [
            (
                r.name,
                *(
                    value
                    for count, share in zip(r.counts, r.shares, strict=True)
                    for value in (int(count), round(100 * share, 1))
                ),
            )
            for r in rows
        ],
    )


@coalition_view(Action.VIEW)
def positions_csv(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    row = _campaign(tenant, campaign_id)
    return csv_response(
        f"campaign-{row.pk}-positions.csv",
        ["decision-maker", "title", "date", "position", "evidence"],
        [
            (
                t.decision_maker.name,
                t.decision_maker.title,
                c.on.isoformat(),
                c.position,
                c.evidence,
            )
            for t in selectors.targets(campaign=row)
            for c in t.history.all()
        ],
    )
