"""Audit pages. Thin: load with a selector, check who may see what, call one service, render.

Who sees a profile is decided by `selectors.may_see_profile` (stewards all, an organization's
people their own, everyone all when the coalition shares them); what a steward may do by
`selectors.may_manage`. A refused write changes nothing and answers 403.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found, signed_in_user
from cairn.coalitions.policy import Action
from cairn.engines import audit as engine
from cairn.people.exporting import neutralize

from . import evidence, selectors, services
from .forms import AnnotationForm, OverrideForm, PolicyForm, ThresholdsForm, version_label
from .models import Audit, AuditClass, AuditProfile
from .services import AuditError


def _context(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    rules = selectors.policy(coalition=tenant.coalition)
    return tenant.context(
        nav_current="audit",
        manage=selectors.may_manage(tenant.staff),
        rules=rules,
        access_note=evidence.ACCESS_PROXY_NOTE,
        class_labels=engine.CLASS_LABELS,
        **extra,
    )


def _require_manager(tenant: Tenant) -> None:
    if not selectors.may_manage(tenant.staff):
        raise PermissionDenied


def _chosen_audit(request: HttpRequest, tenant: Tenant) -> Audit | None:
    """The audit named by ?run=<number>, or the latest one."""
    runs = selectors.audits(coalition=tenant.coalition)
    wanted = request.GET.get("run", "")
    if wanted:
        if not (wanted.isascii() and wanted.isdigit() and len(wanted) <= 9):
            return None
        return runs.filter(number=int(wanted)).first()
    return runs.first()


def _rows(tenant: Tenant, run: Audit) -> list[dict[str, Any]]:
    previous = selectors.previous_classes(coalition=tenant.coalition, audit=run)
    profiles = selectors.visible_profiles(coalition=tenant.coalition, audit=run, staff=tenant.staff)
    return [
        {"profile": p, "previous": previous.get(p.membership_id, ""), "checks": p.checks}
        for p in profiles
    ]


@coalition_view(Action.VIEW)
@require_GET
def dashboard(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    run = _chosen_audit(request, tenant)
    if request.GET.get("run") and run is None:
        raise Http404("No such audit.")
    rules = selectors.policy(coalition=tenant.coalition)
    sees_all = selectors.may_see_all(tenant.staff, rules)
    rows = _rows(tenant, run) if run else []
    in_force = selectors.thresholds_in_force(coalition=tenant.coalition)
    return render(
        request,
        "audit/dashboard.html",
        _context(
            tenant,
            run=run,
            rows=rows,
            sees_all=sees_all,
            trend=selectors.trend(coalition=tenant.coalition) if sees_all else [],
            runs=list(selectors.audits(coalition=tenant.coalition)[:12]),
            in_force=in_force,
            in_force_label=version_label(in_force.version),
            thresholds=in_force.thresholds,
        ),
    )


@coalition_view(Action.VIEW)
@require_POST
def run_audit(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    _require_manager(tenant)
    run = services.audit_partnerships(coalition=tenant.coalition, by=signed_in_user(request))
    messages.success(request, f"Audit {run.number} recorded.")
    return redirect("audit:dashboard", tenant.coalition.slug)


def _visible_member(tenant: Tenant, member_id: int) -> Any:
    membership = found(selectors.member(coalition=tenant.coalition, pk=member_id))
    rules = selectors.policy(coalition=tenant.coalition)
    if not selectors.may_see_profile(tenant.staff, membership.pk, rules):
        raise PermissionDenied
    return membership


def _latest_profile(tenant: Tenant, member_id: int) -> AuditProfile | None:
    run = selectors.latest_audit(coalition=tenant.coalition)
    if run is None:
        return None
    return selectors.profile(coalition=tenant.coalition, audit=run, membership_id=member_id)


@coalition_view(Action.VIEW)
@require_GET
def member_profile(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    membership = _visible_member(tenant, member_id)
    history = selectors.member_history(coalition=tenant.coalition, membership_id=membership.pk)
    latest = selectors.latest_audit(coalition=tenant.coalition)
    profile = history[-1] if history and latest and history[-1].audit_id == latest.pk else None
    return render(
        request,
        "audit/profile.html",
        _context(
            tenant,
            membership=membership,
            profile=profile,
            history=history,
            overrides=(
                list(selectors.overrides(coalition=tenant.coalition, profile=profile))
                if profile
                else []
            ),
            annotations=(
                list(selectors.notes(coalition=tenant.coalition, profile=profile))
                if profile
                else []
            ),
            override_form=OverrideForm(initial={"klass": profile.klass}) if profile else None,
            annotation_form=AnnotationForm(),
        ),
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def override(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    """A steward changes the class of a member's latest profile, with a reason (logged)."""
    _require_manager(tenant)
    membership = _visible_member(tenant, member_id)
    profile = _latest_profile(tenant, membership.pk)
    if profile is None:
        messages.error(request, "Run the audit first: there is no profile to override.")
        return redirect("audit:member", tenant.coalition.slug, membership.pk)
    form = OverrideForm(request.POST or None, initial={"klass": profile.klass})
    if request.method == "POST" and form.is_valid():
        try:
            services.override_class(
                profile=profile,
                to_class=form.cleaned_data["klass"],
                reason=form.cleaned_data["reason"],
                by=signed_in_user(request),
            )
        except AuditError as error:
            form.add_error(None, str(error))
        else:
            label = AuditClass(form.cleaned_data["klass"]).label.lower()
            messages.success(request, f"{membership.organization} is now {label} in this audit.")
            return redirect("audit:member", tenant.coalition.slug, membership.pk)
    return render(
        request,
        "audit/override.html",
        _context(tenant, membership=membership, profile=profile, form=form),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_POST
def annotate(request: HttpRequest, tenant: Tenant, member_id: int) -> HttpResponse:
    _require_manager(tenant)
    membership = _visible_member(tenant, member_id)
    profile = _latest_profile(tenant, membership.pk)
    form = AnnotationForm(request.POST)
    if profile is None:
        messages.error(request, "Run the audit first: there is no profile to annotate.")
    elif not form.is_valid():
        messages.error(request, "Write the note first.")
    else:
        services.annotate_profile(
            profile=profile, text=form.cleaned_data["text"], by=signed_in_user(request)
        )
        messages.success(request, "Note added.")
    return redirect("audit:member", tenant.coalition.slug, membership.pk)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def policy(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The policy (sharing, schedule, decisions) and the threshold versions; stewards only."""
    _require_manager(tenant)
    coalition = tenant.coalition
    rules = selectors.policy(coalition=coalition)
    in_force = selectors.thresholds_in_force(coalition=coalition)
    policy_form = PolicyForm.for_policy(
        rules, request.POST if "save_policy" in request.POST else None
    )
    thresholds_form = ThresholdsForm(
        request.POST if "save_thresholds" in request.POST else None,
        initial=ThresholdsForm.initial_from(in_force.thresholds),
    )
    if request.method == "POST":
        if "save_policy" in request.POST and policy_form.is_valid():
            data = policy_form.cleaned_data
            services.set_audit_policy(
                coalition=coalition,
                share_profiles=data["share_profiles"],
                reaudit_every_months=data["reaudit_every_months"],
                thresholds_need_decision=data["thresholds_need_decision"],
                by=signed_in_user(request),
            )
            messages.success(request, "Audit policy saved.")
            return redirect("audit:policy", coalition.slug)
        if "save_thresholds" in request.POST and thresholds_form.is_valid():
            try:
                version = services.save_thresholds(
                    coalition=coalition,
                    thresholds=thresholds_form.thresholds(),
                    note=thresholds_form.cleaned_data["note"],
                    by=signed_in_user(request),
                )
            except AuditError as error:
                thresholds_form.add_error(None, str(error))
            else:
                if version.applied_at is None:
                    messages.success(
                        request,
                        f"{version} saved. It applies once a decision authorizes it: record the "
                        "decision's outcome, then link this version on its Authorizations page.",
                    )
                else:
                    messages.success(request, f"{version} applies from the next audit.")
                return redirect("audit:policy", coalition.slug)
        if "save_policy" not in request.POST and "save_thresholds" not in request.POST:
            messages.error(request, "Choose what to save.")
    errors = bool(policy_form.errors or thresholds_form.errors)
    return render(
        request,
        "audit/policy.html",
        _context(
            tenant,
            policy_form=policy_form,
            thresholds_form=thresholds_form,
            versions=selectors.threshold_versions(coalition=coalition),
            in_force_label=version_label(in_force.version),
            defaults=engine.DEFAULT_THRESHOLDS,
        ),
        status=422 if errors else 200,
    )


@coalition_view(Action.VIEW)
@require_GET
def report(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The printable audit report: every profile the viewer may see, with its factors."""
    run = found(_chosen_audit(request, tenant))
    rules = selectors.policy(coalition=tenant.coalition)
    sees_all = selectors.may_see_all(tenant.staff, rules)
    return render(
        request,
        "audit/report.html",
        _context(
            tenant,
            run=run,
            rows=_rows(tenant, run),
            sees_all=sees_all,
            trend=selectors.trend(coalition=tenant.coalition) if sees_all else [],
            thresholds_label=version_label(run.thresholds_version),
        ),
    )


CSV_COLUMNS = (
    "audit",
    "as_of",
    "organization",
    "status",
    "class",
    "computed_class",
    "overridden",
    "previous_class",
    "reason",
    "decided_by",
    "mission_similarity",
    "commitments_pledged",
    "commitments_due",
    "delivered_on_time",
    "delivered_late",
    "commitments_withdrawn",
    "delivery_on_time_rate",
    "votes_eligible",
    "votes_cast",
    "participation_rate",
    "supporters_shared",
    "pooled_supporters_accessible",
    "reciprocity",
    "referred_signatures",
    "measurements",
    "actions_in_window",
    "joined_on",
    "tenure_days",
    "status_changes",
)


def _number(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}".rstrip("0").rstrip(".")


def csv_lines(rows: list[dict[str, Any]], run: Audit) -> Iterator[str]:
    class Line:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Line())
    yield writer.writerow(CSV_COLUMNS)
    for row in rows:
        p: AuditProfile = row["profile"]
        cells: list[object] = [
            run.number,
            run.as_of.isoformat(),
            p.organization_name,
            p.status,
            p.klass,
            p.computed_class,
            "yes" if p.overridden else "no",
            row["previous"],
            p.reason,
            " ".join(p.decided_by),
            _number(p.mission_similarity),
            p.commitments_pledged,
            p.commitments_due,
            p.delivered_on_time,
            p.delivered_late,
            p.commitments_withdrawn,
            _number(p.rate(engine.DELIVERY)),
            p.votes_eligible,
            p.votes_cast,
            _number(p.rate(engine.PARTICIPATION)),
            p.supporters_shared,
            p.pooled_accessed,
            _number(p.rate(engine.RECIPROCITY)),
            p.referred_signatures,
            p.measurements,
            p.actions_in_window,
            p.joined_on.isoformat() if p.joined_on else "",
            p.tenure_days,
            p.status_changes,
        ]
        yield writer.writerow([neutralize(cell) for cell in cells])


@coalition_view(Action.VIEW)
@require_GET
def audit_csv(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    """The audit as CSV (the profiles the viewer may see); formula cells neutralized."""
    run = found(_chosen_audit(request, tenant))
    response = StreamingHttpResponse(
        csv_lines(_rows(tenant, run), run), content_type="text/csv; charset=utf-8"
    )
    name = f"{tenant.coalition.slug}-audit-{run.number}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)
