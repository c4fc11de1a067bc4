"""Pages of the narrative: the framework and its versions, content and its review with the
message check, the message kit, the narrative pulse.

Thin: load with a selector, check the policy, call one service, render.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from cairn.campaigns import selectors as campaign_selectors
from cairn.campaigns.csvout import csv_response
from cairn.campaigns.models import Campaign
from cairn.coalitions.access import Tenant, coalition_view, found, is_htmx
from cairn.coalitions.models import Membership, Role, StaffMember
from cairn.coalitions.policy import Action

from . import charts, document, policy, selectors, services
from .forms import (
    AdoptForm,
    CheckForm,
    CommentForm,
    DismissForm,
    FrameworkForm,
    ItemForm,
    JsonVersionForm,
    ReachForm,
    ReviewerForm,
    VersionForm,
)
from .models import ContentItem, Framework, FrameworkVersion, Reviewer
from .services import NarrativeError

State = ContentItem.State


def _context(tenant: Tenant, **extra: Any) -> dict[str, Any]:
    return tenant.context(
        nav_current="narrative",
        may_edit_framework=policy.may_edit_framework(tenant.staff),
        **extra,
    )


def _framework(tenant: Tenant, framework_id: int) -> Framework:
    return found(selectors.framework(coalition=tenant.coalition, pk=framework_id))


def _version(tenant: Tenant, framework_id: int, version_number: int) -> FrameworkVersion:
    framework = _framework(tenant, framework_id)
    return found(selectors.version(framework=framework, number=version_number))


def _campaign(tenant: Tenant, campaign_id: int) -> Campaign:
    return found(campaign_selectors.campaign(coalition=tenant.coalition, pk=campaign_id))


def _item(tenant: Tenant, content_id: int) -> ContentItem:
    return found(selectors.item(coalition=tenant.coalition, pk=content_id))


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- the narrative's home and its frameworks ----------------------------------------------------


@coalition_view(Action.VIEW)
def index(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    campaigns = campaign_selectors.campaigns(coalition=tenant.coalition)
    rows = [
        (f, selectors.adopted(framework=f))
        for f in selectors.frameworks(coalition=tenant.coalition)
    ]
    organizers = StaffMember.objects.for_coalition(tenant.coalition).filter(role=Role.ORGANIZER)
    reviewers = set(
        Reviewer.objects.for_coalition(tenant.coalition).values_list("staff_id", flat=True)
    )
    return render(
        request,
        "narrative/index.html",
        _context(
            tenant,
            frameworks=rows,
            campaigns=campaigns,
            framework_form=FrameworkForm(campaigns=campaigns),
            organizers=[
                (s, s.pk in reviewers)
                for s in organizers.select_related("user", "membership__organization")
            ],
            reviewer_form=ReviewerForm(
                staff=[(str(s.pk), str(s.user)) for s in organizers.select_related("user")]
            ),
        ),
    )


@coalition_view(Action.VIEW)
@require_POST
def new_framework(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    _require(policy.may_edit_framework(tenant.staff))
    campaigns = campaign_selectors.campaigns(coalition=tenant.coalition)
    form = FrameworkForm(request.POST, campaigns=campaigns)
    if form.is_valid():
        try:
            framework = services.create_framework(
                coalition=tenant.coalition,
                name=form.cleaned_data["name"],
                campaign=form.cleaned_data["campaign"],
                by=tenant.staff,
            )
        except NarrativeError as error:
            messages.error(request, str(error))
        else:
            return redirect("narrative:edit_version", tenant.coalition.slug, framework.pk, 1)
    else:
        messages.error(request, "Give the framework a name.")
    return redirect("narrative:index", tenant.coalition.slug)


@coalition_view(Action.VIEW)
@require_POST
def reviewers(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    _require(policy.may_edit_framework(tenant.staff))
    staff = (
        StaffMember.objects.for_coalition(tenant.coalition)
        .filter(pk=request.POST.get("staff") or 0)
        .first()
    )
    if staff is None:
        raise Http404
    try:
        if request.POST.get("revoke"):
            services.revoke_reviewer(staff=staff, by=tenant.staff)
            messages.success(request, f"{staff.user} no longer reviews content.")
        else:
            services.grant_reviewer(staff=staff, by=tenant.staff)
            messages.success(request, f"{staff.user} now reviews content.")
    except NarrativeError as error:
        messages.error(request, str(error))
    return redirect("narrative:index", tenant.coalition.slug)


def _outcome_choices(tenant: Tenant) -> list[tuple[str, str]]:
    from cairn.governance.models import Outcome

    rows = (
        Outcome.objects.for_coalition(tenant.coalition)
        .select_related("proposal")
        .order_by("-recorded_at")[:100]
    )
    return [(str(o.pk), f"{o.proposal.title} ({o.recorded_at:%d %b %Y})") for o in rows]


@coalition_view(Action.VIEW)
def framework(request: HttpRequest, tenant: Tenant, framework_id: int) -> HttpResponse:
    row = _framework(tenant, framework_id)
    # A decision may have adopted a proposed version on governance's own page.
    services.apply_decisions(framework=row)
    adopted = selectors.adopted(framework=row)
    versions = list(selectors.versions(framework=row))
    return render(
        request,
        "narrative/framework.html",
        _context(
            tenant,
            framework=row,
            adopted=selectors.version_view(adopted) if adopted else None,
            versions=versions,
            draft=next((v for v in versions if v.status == FrameworkVersion.Status.DRAFT), None),
            decisions=_decisions(adopted),
        ),
    )


def _decisions(version: FrameworkVersion | None) -> list[Any]:
    if version is None:
        return []
    from cairn.governance.selectors import decisions_behind

    return list(decisions_behind(version))


@coalition_view(Action.VIEW)
def version(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    row = _version(tenant, framework_id, version_number)
    previous = selectors.versions(framework=row.framework).filter(number__lt=row.number).first()
    return render(
        request,
        "narrative/version.html",
        _context(
            tenant,
            framework=row.framework,
            view=selectors.version_view(row),
            previous=previous,
            changes=document.diff(previous.content, row.content) if previous else [],
            adopt_form=AdoptForm(outcomes=_outcome_choices(tenant)),
            decisions=_decisions(row),
        ),
    )


@coalition_view(Action.VIEW)
def version_json(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    row = _version(tenant, framework_id, version_number)
    response = JsonResponse(row.content, json_dumps_params={"indent": 2, "ensure_ascii": False})
    response["Content-Disposition"] = (
        f'attachment; filename="framework-{row.framework_id}-v{row.number}.json"'
    )
    return response


@coalition_view(Action.VIEW)
@require_POST
def new_version(request: HttpRequest, tenant: Tenant, framework_id: int) -> HttpResponse:
    row = _framework(tenant, framework_id)
    _require(policy.may_edit_framework(tenant.staff))
    try:
        created = services.create_version(framework=row, by=tenant.staff)
    except NarrativeError as error:
        messages.error(request, str(error))
        return redirect("narrative:framework", tenant.coalition.slug, row.pk)
    return redirect("narrative:edit_version", tenant.coalition.slug, row.pk, created.number)


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_version(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    row = _version(tenant, framework_id, version_number)
    _require(policy.may_edit_framework(tenant.staff))
    if row.status != FrameworkVersion.Status.DRAFT:
        messages.error(request, f"Version {row.number} is not a draft: start a new version.")
        return redirect("narrative:version", tenant.coalition.slug, row.framework_id, row.number)
    objectives = selectors.objectives(coalition=tenant.coalition)
    form = VersionForm(
        request.POST or None,
        objectives=objectives,
        content=row.content,
        initial={"note": row.note},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_version(
                version=row, content=form.content(), note=form.cleaned_data["note"], by=tenant.staff
            )
        except NarrativeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Version {row.number} saved.")
            return redirect(
                "narrative:version", tenant.coalition.slug, row.framework_id, row.number
            )
    live = selectors.figures(coalition=tenant.coalition, ids={o.pk for o in objectives})
    return render(
        request,
        "narrative/version_form.html",
        _context(
            tenant,
            framework=row.framework,
            version=row,
            form=form,
            slots=form.bound_slots(),
            figures=live,
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_version_json(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    row = _version(tenant, framework_id, version_number)
    _require(policy.may_edit_framework(tenant.staff))
    if row.status != FrameworkVersion.Status.DRAFT:
        messages.error(request, f"Version {row.number} is not a draft: start a new version.")
        return redirect("narrative:version", tenant.coalition.slug, row.framework_id, row.number)
    form = JsonVersionForm(
        request.POST or None,
        initial={
            "note": row.note,
            "content": json.dumps(row.content, indent=2, ensure_ascii=False),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_version(
                version=row,
                content=form.cleaned_data["content"],
                note=form.cleaned_data["note"],
                by=tenant.staff,
            )
        except NarrativeError as error:
            form.add_error("content", str(error))
        else:
            messages.success(request, f"Version {row.number} saved.")
            return redirect(
                "narrative:version", tenant.coalition.slug, row.framework_id, row.number
            )
    return render(
        request,
        "narrative/version_json.html",
        _context(tenant, framework=row.framework, version=row, form=form),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_POST
def propose_version(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    row = _version(tenant, framework_id, version_number)
    _require(policy.may_edit_framework(tenant.staff))
    try:
        services.propose_version(version=row, by=tenant.staff)
    except NarrativeError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Version {row.number} is proposed. A decision adopts it: record the outcome, then "
            "link it here.",
        )
    return redirect("narrative:version", tenant.coalition.slug, row.framework_id, row.number)


@coalition_view(Action.VIEW)
@require_POST
def adopt_version(
    request: HttpRequest, tenant: Tenant, framework_id: int, version_number: int
) -> HttpResponse:
    from cairn.governance.models import Outcome

    row = _version(tenant, framework_id, version_number)
    _require(policy.may_edit_framework(tenant.staff))
    form = AdoptForm(request.POST, outcomes=_outcome_choices(tenant))
    outcome = (
        Outcome.objects.for_coalition(tenant.coalition)
        .filter(pk=form.data.get("outcome") or 0)
        .first()
        if form.is_valid()
        else None
    )
    if outcome is None:
        messages.error(request, "Choose the recorded decision that adopts this version.")
    else:
        try:
            services.adopt_version(version=row, outcome=outcome, by=tenant.staff)
        except NarrativeError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request, f"Version {row.number} is adopted: content is checked against it."
            )
    return redirect("narrative:version", tenant.coalition.slug, row.framework_id, row.number)


@coalition_view(Action.VIEW)
def diff(request: HttpRequest, tenant: Tenant, framework_id: int) -> HttpResponse:
    row = _framework(tenant, framework_id)
    versions = list(selectors.versions(framework=row))
    by_number = {v.number: v for v in versions}

    def pick(name: str, default: int) -> FrameworkVersion | None:
        raw = request.GET.get(name, "")
        return by_number.get(int(raw)) if raw.isdigit() else by_number.get(default)

    newest = versions[0].number if versions else 0
    new = pick("b", newest)
    old = pick("a", (new.number - 1) if new else 0)
    return render(
        request,
        "narrative/diff.html",
        _context(
            tenant,
            framework=row,
            versions=versions,
            old=old,
            new=new,
            changes=document.diff(old.content, new.content) if old and new else [],
        ),
    )


# --- content --------------------------------------------------------------------------------------


def _writable_members(tenant: Tenant) -> Any:
    rows = selectors.members(coalition=tenant.coalition)
    if tenant.staff.role == Role.STEWARD:
        return rows
    return rows.filter(pk=tenant.staff.membership_id or 0)


@coalition_view(Action.VIEW)
def content_list(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    campaign = _campaign(tenant, campaign_id)
    state = request.GET.get("state", "")
    kind = request.GET.get("kind", "")
    member = request.GET.get("member", "")
    rows = selectors.items(
        campaign=campaign,
        state=state if state in State.values else "",
        kind=kind if kind in ContentItem.Kind.values else "",
        membership_id=int(member) if member.isdigit() else None,
    )
    outcomes = selectors.item_outcomes(coalition=tenant.coalition, campaign=campaign)
    return render(
        request,
        "narrative/content_list.html",
        _context(
            tenant,
            campaign=campaign,
            items=[(i, outcomes.get(i.pk, {})) for i in rows[:500]],
            counts=selectors.state_counts(campaign=campaign),
            states=State.choices,
            kinds=ContentItem.Kind.choices,
            members=selectors.members(coalition=tenant.coalition),
            chosen={"state": state, "kind": kind, "member": member},
            may_write=policy.may_write_any(tenant.staff),
        ),
    )


def _wire_check(form: ItemForm, check_url: str) -> None:
    """The editor's text and channel post to the check as the writer types (debounced)."""
    attrs = {
        "hx-post": check_url,
        "hx-target": "#check",
        "hx-swap": "innerHTML",
        "hx-include": "#content-form",
        "hx-sync": "#content-form:replace",
    }
    form.fields["body"].widget.attrs.update(
        attrs, **{"hx-trigger": "keyup changed delay:500ms, load"}
    )
    for name in ("kind", "channel"):  # the length rules and the email subject depend on them
        if name in form.fields:
            form.fields[name].widget.attrs.update(attrs, **{"hx-trigger": "change"})


def _check_context(tenant: Tenant, result: Any, item: ContentItem | None) -> dict[str, Any]:
    return _context(
        tenant,
        result=result,
        item=item,
        may_dismiss=item is not None and policy.may_review(tenant.staff, item),
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def new_content(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    campaign = _campaign(tenant, campaign_id)
    _require(policy.may_write_any(tenant.staff))
    members = _writable_members(tenant)
    form = ItemForm(
        request.POST or None,
        memberships=members,
        initial={"membership": tenant.staff.membership_id},
    )
    _wire_check(form, reverse("narrative:check_new", args=[tenant.coalition.slug, campaign.pk]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            item = services.create_item(
                campaign=campaign,
                membership=data["membership"],
                by=tenant.staff,
                kind=data["kind"],
                channel=data["channel"],
                title=data["title"],
                body=data["body"],
            )
        except NarrativeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Draft saved.")
            return redirect("narrative:content", tenant.coalition.slug, item.pk)
    return render(
        request,
        "narrative/content_form.html",
        _context(
            tenant,
            campaign=campaign,
            form=form,
            item=None,
        ),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_POST
def check_new(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    """The check of a text being typed (htmx); reads only."""
    campaign = _campaign(tenant, campaign_id)
    _require(policy.may_write_any(tenant.staff))
    form = CheckForm(request.POST)
    form.is_valid()
    framework = services.framework_for(campaign)
    result = (
        services.run_check(
            framework=framework,
            text=form.cleaned_data.get("body", ""),
            kind=form.cleaned_data.get("kind", ""),
            channel=form.cleaned_data.get("channel", ""),
        )
        if framework is not None
        else None
    )
    return render(request, "narrative/_check.html", _check_context(tenant, result, None))


@coalition_view(Action.VIEW)
@require_POST
def check_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_edit_item(tenant.staff, item) or policy.may_review(tenant.staff, item))
    form = CheckForm(request.POST)
    form.is_valid()
    text = form.cleaned_data.get("body") if "body" in request.POST else item.body
    result = services.run_check(
        framework=item.framework,
        text=text or "",
        kind=item.kind,
        channel=form.cleaned_data.get("channel") or item.channel,
        item=item,
    )
    return render(request, "narrative/_check.html", _check_context(tenant, result, item))


@coalition_view(Action.VIEW)
def content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    result = services.run_check(
        framework=item.framework, text=item.body, kind=item.kind, channel=item.channel, item=item
    )
    staff = tenant.staff
    return render(
        request,
        "narrative/content.html",
        _context(
            tenant,
            item=item,
            result=result,
            may_dismiss=policy.may_review(staff, item),
            comments=selectors.comments(item=item),
            events=selectors.events(item=item),
            approvals=selectors.approvals(item=item),
            dismissals=selectors.dismissals(item=item),
            links=item.links.select_related("membership__organization", "petition")
            if item.state in {State.PUBLISHED, State.RETIRED}
            else [],
            may={
                "edit": policy.may_edit_item(staff, item)
                and item.state in services.EDITABLE_STATES,
                "submit": policy.may_edit_item(staff, item)
                and (item.state, State.IN_REVIEW) in services.TRANSITIONS,
                "withdraw": policy.may_edit_item(staff, item) and item.state == State.IN_REVIEW,
                "review": policy.may_review(staff, item) and item.state == State.IN_REVIEW,
                "approve": policy.may_approve(staff, item) and item.state == State.IN_REVIEW,
                "publish": policy.may_publish(staff, item) and item.state == State.APPROVED,
                "retire": policy.may_publish(staff, item)
                and item.state in {State.APPROVED, State.PUBLISHED},
                "comment": policy.may_edit_item(staff, item) or policy.may_review(staff, item),
                "reach": item.state in {State.PUBLISHED, State.RETIRED}
                and (policy.may_write(staff, item.membership) or policy.may_review(staff, item)),
            },
            comment_form=CommentForm(),
            reach_form=ReachForm(),
        ),
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_edit_item(tenant.staff, item))
    form = ItemForm(
        request.POST or None,
        memberships=_writable_members(tenant),
        locked=True,
        initial={"title": item.title, "channel": item.channel, "body": item.body},
    )
    _wire_check(form, reverse("narrative:check_content", args=[tenant.coalition.slug, item.pk]))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.update_item(
                item=item,
                by=tenant.staff,
                title=data["title"],
                body=data["body"],
                channel=data["channel"],
            )
        except NarrativeError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Saved.")
            return redirect("narrative:content", tenant.coalition.slug, item.pk)
    return render(
        request,
        "narrative/content_form.html",
        _context(
            tenant,
            campaign=item.campaign,
            form=form,
            item=item,
        ),
        status=422 if form.errors else 200,
    )


def _after(request: HttpRequest, tenant: Tenant, item: ContentItem) -> HttpResponse:
    return redirect("narrative:content", tenant.coalition.slug, item.pk)


def _transition(
    request: HttpRequest, tenant: Tenant, content_id: int, allowed: Any, act: Any, done: str
) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(allowed(tenant.staff, item))
    try:
        act(item=item, by=tenant.staff)
    except NarrativeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, done)
    return _after(request, tenant, item)


@coalition_view(Action.VIEW)
@require_POST
def submit_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    return _transition(
        request, tenant, content_id, policy.may_edit_item, services.submit_item, "Sent to review."
    )


@coalition_view(Action.VIEW)
@require_POST
def withdraw_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    return _transition(
        request, tenant, content_id, policy.may_edit_item, services.withdraw_item, "Back to draft."
    )


@coalition_view(Action.VIEW)
@require_POST
def publish_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    return _transition(
        request,
        tenant,
        content_id,
        policy.may_publish,
        services.publish_item,
        "Published: its tracked links are in the message kit.",
    )


@coalition_view(Action.VIEW)
@require_POST
def retire_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    return _transition(
        request, tenant, content_id, policy.may_publish, services.retire_item, "Retired."
    )


@coalition_view(Action.VIEW)
@require_POST
def approve_content(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_approve(tenant.staff, item))
    try:
        approval = services.approve_item(item=item, by=tenant.staff)
    except NarrativeError as error:  # BlockingFlags included: the message names them
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            f"Approved against {item.framework.name} v{approval.version.number}.",
        )
    return _after(request, tenant, item)


@coalition_view(Action.VIEW)
@require_POST
def request_changes(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_review(tenant.staff, item))
    form = CommentForm(request.POST)
    try:
        services.request_changes(
            item=item, by=tenant.staff, comment=form.data.get("body", "") if form.is_valid() else ""
        )
    except NarrativeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Changes requested.")
    return _after(request, tenant, item)


@coalition_view(Action.VIEW)
@require_POST
def comment(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_edit_item(tenant.staff, item) or policy.may_review(tenant.staff, item))
    form = CommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Write the comment first.")
        return _after(request, tenant, item)
    try:
        services.add_comment(item=item, by=tenant.staff, body=form.cleaned_data["body"])
    except NarrativeError as error:
        messages.error(request, str(error))
    return _after(request, tenant, item)


@coalition_view(Action.VIEW)
@require_POST
def dismiss_flag(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(policy.may_review(tenant.staff, item))
    form = DismissForm(request.POST)
    error_text = ""
    if form.is_valid():
        try:
            services.dismiss_flag(
                item=item,
                by=tenant.staff,
                kind=form.cleaned_data["kind"],
                span_text=form.cleaned_data["span"],
                reason=form.cleaned_data["reason"],
            )
        except NarrativeError as error:
            error_text = str(error)
    else:
        error_text = "Say why the flag does not apply."
    if is_htmx(request):
        text = request.POST.get("body", item.body)
        result = services.run_check(
            framework=item.framework, text=text, kind=item.kind, channel=item.channel, item=item
        )
        context = _check_context(tenant, result, item)
        context["dismiss_error"] = error_text
        return render(request, "narrative/_check.html", context, status=422 if error_text else 200)
    if error_text:
        messages.error(request, error_text)
    else:
        messages.success(request, "Flag dismissed.")
    return _after(request, tenant, item)


@coalition_view(Action.VIEW)
@require_POST
def record_reach(request: HttpRequest, tenant: Tenant, content_id: int) -> HttpResponse:
    item = _item(tenant, content_id)
    _require(
        policy.may_write(tenant.staff, item.membership) or policy.may_review(tenant.staff, item)
    )
    form = ReachForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the day and the number of people reached.")
        return _after(request, tenant, item)
    try:
        services.record_reach(
            item=item,
            by=tenant.staff,
            on=form.cleaned_data["on"],
            impressions=form.cleaned_data["impressions"],
        )
    except NarrativeError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "Reach recorded.")
    return _after(request, tenant, item)


# --- the message kit and the pulse --------------------------------------------------------------


def _kit_member(tenant: Tenant, request: HttpRequest) -> Membership | None:
    """The member whose links the kit shows: an organizer's own; a steward may pick one."""
    if tenant.staff.role == Role.ORGANIZER:
        return tenant.staff.membership
    raw = request.GET.get("member", "")
    if not raw.isdigit():
        return None
    return selectors.members(coalition=tenant.coalition).filter(pk=int(raw)).first()


def _kit_context(request: HttpRequest, tenant: Tenant, campaign_id: int) -> dict[str, Any]:
    campaign = _campaign(tenant, campaign_id)
    # a petition opened, or a member that joined, after an item went out gets its links now
    services.ensure_campaign_links(campaign=campaign)
    member = _kit_member(tenant, request)
    base = request.build_absolute_uri("/").rstrip("/")
    entries = []
    for entry in selectors.kit(campaign=campaign, membership=member):
        links = [
            (
                link.petition_title,
                f"{base}{reverse('petitions_public:petition', args=[link.petition_slug])}"
                f"?{link.query()}",
            )
            for link in entry.links
        ]
        entries.append((entry, links))
    return _context(
        tenant,
        campaign=campaign,
        member=member,
        members=selectors.members(coalition=tenant.coalition)
        if tenant.staff.role != Role.ORGANIZER
        else [],
        entries=entries,
    )


@coalition_view(Action.VIEW)
def kit(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    return render(request, "narrative/kit.html", _kit_context(request, tenant, campaign_id))


@coalition_view(Action.VIEW)
def kit_print(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    return render(request, "narrative/kit_print.html", _kit_context(request, tenant, campaign_id))


@coalition_view(Action.VIEW)
def kit_csv(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    context = _kit_context(request, tenant, campaign_id)
    rows = []
    for entry, links in context["entries"]:
        item = entry.item
        rows.append(
            [
                item.pk,
                item.get_kind_display(),
                item.get_channel_display() if item.channel else "",
                entry.pillar,
                item.title,
                item.body,
                item.membership.organization.name if item.membership else "",
                item.get_state_display(),
                " ".join(url for _, url in links),
            ]
        )
    return csv_response(
        f"message-kit-{context['campaign'].pk}.csv",
        ["id", "kind", "channel", "pillar", "title", "text", "speaks for", "state", "links"],
        rows,
    )


@coalition_view(Action.VIEW)
def pulse(request: HttpRequest, tenant: Tenant, campaign_id: int) -> HttpResponse:
    campaign = _campaign(tenant, campaign_id)
    rows = selectors.pulse(campaign=campaign)
    outcomes = selectors.item_outcomes(coalition=tenant.coalition, campaign=campaign)
    top = sorted(outcomes.items(), key=lambda kv: -kv[1]["signatures"])[:10]
    titles = dict(
        ContentItem.objects.for_coalition(tenant.coalition)
        .filter(pk__in=[pk for pk, _ in top])
        .values_list("pk", "title")
    )
    return render(
        request,
        "narrative/pulse.html",
        _context(
            tenant,
            campaign=campaign,
            rows=rows,
            chart=charts.pulse_chart(rows),
            top=[(pk, titles.get(pk, ""), figures) for pk, figures in top],
        ),
    )
