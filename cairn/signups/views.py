"""Staff pages of forms: the list, the builder, a form's tracked links and submissions, and the
CSV export. Thin: load with a selector, check the policy, call one service, render."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cairn.accounts.models import User
from cairn.campaigns import selectors as campaign_selectors
from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.models import Membership
from cairn.coalitions.policy import Action

from . import exporting, questions, selectors, services
from .forms import FormBuilderForm, LinkForm, QuestionFormSet, question_rows
from .models import Form

PAGE_SIZE = 50


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)  # noqa: S101 - coalition views require a signed-in user
    return user


def _load(tenant: Tenant, form_id: int, *, manage: bool = False) -> Form:
    form = found(selectors.form(coalition=tenant.coalition, form_id=form_id))
    if manage:
        tenant.require(Action.MANAGE_FORMS, membership=form.owner)
    return form


def _owners(tenant: Tenant) -> QuerySet[Membership]:
    """The member organizations this staff member may build forms for."""
    rows = (
        Membership.objects.for_coalition(tenant.coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
    )
    if tenant.allows(Action.MANAGE_FORMS):
        return rows
    own = rows.filter(pk=tenant.staff.membership_id or 0).first()
    if own is None or not tenant.allows(Action.MANAGE_FORMS, membership=own):
        return rows.none()
    return rows.filter(pk=own.pk)


def _may_create(tenant: Tenant) -> bool:
    return tenant.allows(Action.MANAGE_FORMS) or _owners(tenant).exists()


@coalition_view(Action.VIEW)
@require_GET
def form_list(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    rows = list(selectors.forms(coalition=tenant.coalition))
    context = tenant.context(rows=rows, can_create=_may_create(tenant), nav_current="forms")
    return render(request, "signups/staff_list.html", context)


def _builder(
    request: HttpRequest, tenant: Tenant, form: Form | None
) -> tuple[FormBuilderForm, Any]:
    owners = _owners(tenant)
    campaigns = campaign_selectors.campaigns(coalition=tenant.coalition)
    if request.method == "POST":
        builder = FormBuilderForm(request.POST, instance=form, owners=owners, campaigns=campaigns)
        rows = QuestionFormSet(request.POST, prefix="q")
    else:
        initial = {"owner": owners.first()} if form is None and owners.count() == 1 else None
        builder = FormBuilderForm(
            instance=form, initial=initial, owners=owners, campaigns=campaigns
        )
        rows = QuestionFormSet(prefix="q", initial=question_rows(form.fields) if form else None)
    if not tenant.allows(Action.MANAGE_FORMS):  # an organizer builds for its own organization
        builder.fields["owner"].required = True
        builder.fields["owner"].empty_label = None  # type: ignore[attr-defined]
    return builder, rows


def _save(
    request: HttpRequest, tenant: Tenant, form: Form | None, builder: FormBuilderForm, rows: Any
) -> Form | None:
    if not (builder.is_valid() and rows.is_valid()):
        return None
    values = {name: builder.cleaned_data[name] for name in FormBuilderForm.Meta.fields}
    values["fields"] = [row for row in rows.cleaned_data if row and row.get("label")]
    owner = values.get("owner")
    if not tenant.allows(Action.MANAGE_FORMS, membership=owner):
        builder.add_error("owner", "You may not build forms for this member organization.")
        return None
    try:
        if form is None:
            title = values.pop("title")
            return services.create_form(
                coalition=tenant.coalition, title=title, by=_user(request), **values
            )
        return services.update_form(form=form, **values)
    except services.FormError as error:
        builder.add_error(None, str(error))
        return None


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def new_form(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    if not _may_create(tenant):
        tenant.require(Action.MANAGE_FORMS)
    builder, rows = _builder(request, tenant, None)
    if request.method == "POST":
        saved = _save(request, tenant, None, builder, rows)
        if saved is not None:
            messages.success(request, "Form saved.")
            return redirect("signups:detail", tenant.coalition.slug, saved.pk)
    context = tenant.context(
        builder=builder, rows=rows, title="New form", form_row=None, nav_current="forms"
    )
    return render(
        request, "signups/staff_form.html", context, status=422 if request.method == "POST" else 200
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def edit_form(request: HttpRequest, tenant: Tenant, form_id: int) -> HttpResponse:
    form = _load(tenant, form_id, manage=True)
    builder, rows = _builder(request, tenant, form)
    if request.method == "POST":
        saved = _save(request, tenant, form, builder, rows)
        if saved is not None:
            messages.success(request, "Form saved.")
            return redirect("signups:detail", tenant.coalition.slug, saved.pk)
    context = tenant.context(
        builder=builder, rows=rows, title=f"Edit “{form.title}”", form_row=form, nav_current="forms"
    )
    return render(
        request, "signups/staff_form.html", context, status=422 if request.method == "POST" else 200
    )


def _public_url(request: HttpRequest, form: Form, code: str = "") -> str:
    path = reverse("signups_public:form", kwargs={"form_uuid": form.uuid})
    return request.build_absolute_uri(f"{path}?ref={code}" if code else path)


@coalition_view(Action.VIEW)
@require_GET
def detail(request: HttpRequest, tenant: Tenant, form_id: int) -> HttpResponse:
    form = _load(tenant, form_id)
    may_manage = tenant.allows(Action.MANAGE_FORMS, membership=form.owner)
    counts = selectors.link_counts(form=form)
    links = [
        {"link": link, "url": _public_url(request, form, link.code), "n": counts.get(link.pk, 0)}
        for link in selectors.links(form=form)
    ]
    page = Paginator(selectors.submissions(form=form, staff=tenant.staff), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    asked = questions.from_json(form.fields)
    rows = [
        (s, [(q.label, exporting.display(s.answers.get(q.key))) for q in asked])
        for s in page.object_list
    ]
    link_form = LinkForm(memberships=_link_members(tenant)) if may_manage else None
    context = tenant.context(
        form_row=form,
        may_manage=may_manage,
        public_url=_public_url(request, form) if form.status != Form.Status.DRAFT else "",
        links=links,
        link_form=link_form,
        members=selectors.member_counts(form=form),
        page=page,
        rows=rows,
        total=selectors.total_submissions(form=form),
        nav_current="forms",
    )
    return render(request, "signups/staff_detail.html", context)


def _link_members(tenant: Tenant) -> QuerySet[Membership]:
    return (
        Membership.objects.for_coalition(tenant.coalition)
        .filter(status=Membership.Status.ACTIVE)
        .select_related("organization")
        .order_by("organization__name")
    )


@coalition_view(Action.VIEW)
@require_POST
def add_link(request: HttpRequest, tenant: Tenant, form_id: int) -> HttpResponse:
    form = _load(tenant, form_id, manage=True)
    link_form = LinkForm(request.POST, memberships=_link_members(tenant))
    if link_form.is_valid():
        link, created = services.create_form_link(
            form=form,
            membership=link_form.cleaned_data["membership"],
            label=link_form.cleaned_data["label"],
        )
        if created:
            messages.success(request, f"Tracked link {link.code} made.")
        else:
            messages.info(request, f"That tracked link exists already: {link.code}.")
    else:
        messages.error(request, "The tracked link could not be made.")
    return redirect("signups:detail", tenant.coalition.slug, form.pk)


@coalition_view(Action.VIEW)
@require_GET
def submissions_csv(request: HttpRequest, tenant: Tenant, form_id: int) -> HttpResponse:
    """The form's submissions the staff member may see, as CSV; formula cells neutralized."""
    form = _load(tenant, form_id, manage=True)
    rows = selectors.submissions(form=form, staff=tenant.staff)
    response = StreamingHttpResponse(
        exporting.csv_lines(form, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="form-{form.pk}-submissions.csv"'
    response["Cache-Control"] = "no-store"
    return cast(HttpResponse, response)
