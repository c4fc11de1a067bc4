"""CSV import pages: upload, map columns (with a preview), review errors, follow progress.

Who may import: stewards (from any member organization, or none) and organizers (the source is
always their own organization). Viewers may not. The policy has no import action yet, so the pages
ask for `Action.VIEW` and check the role here (`_require_importer`). An organizer sees only the
imports of their own organization.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.humanize.templatetags.humanize import intcomma
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from cairn.coalitions.access import Tenant, coalition_view, found, signed_in_user
from cairn.coalitions.models import Membership, Role
from cairn.coalitions.policy import Action

from . import importing, selectors
from .importing import ImportError_
from .models import ImportJob

# Files up to this size are imported during the request; larger ones go to the task queue.
INLINE_MAX_BYTES = 512 * 1024
MAX_UPLOAD_BYTES = 512 * 1024 * 1024
CUSTOM = "__custom__"


def _require_importer(tenant: Tenant) -> None:
    if tenant.staff.role not in {Role.STEWARD, Role.ORGANIZER}:
        raise PermissionDenied


def import_jobs(tenant: Tenant) -> QuerySet[ImportJob]:
    return selectors.import_jobs(coalition=tenant.coalition, staff=tenant.staff)


def _job(tenant: Tenant, job_id: int) -> ImportJob:
    _require_importer(tenant)
    return found(import_jobs(tenant).filter(pk=job_id).first())


class UploadForm(forms.Form):
    file = forms.FileField(label="CSV file", help_text="A header line, then one person a line.")
    encoding = forms.ChoiceField(
        choices=[("", "Detect it"), *importing.ENCODINGS.items()],
        required=False,
        help_text="Leave as “Detect it” unless accented letters come out wrong.",
    )
    source = forms.ModelChoiceField(
        queryset=Membership.objects.none(),
        required=False,
        label="Member organization",
        help_text="The organization the file comes from: these people agree to share with it.",
    )

    def __init__(self, *args: Any, tenant: Tenant, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        memberships = Membership.objects.for_coalition(tenant.coalition).select_related(
            "organization"
        )
        source = self.fields["source"]
        assert isinstance(source, forms.ModelChoiceField)  # noqa: S101 - declared above
        if tenant.staff.role == Role.STEWARD:
            source.queryset = memberships
        else:
            source.queryset = memberships.filter(pk=tenant.staff.membership_id or -1)
            source.required = True
            source.empty_label = None
            source.initial = tenant.staff.membership_id

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The file is larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB: "
                "use `cairn import-people` on the server."
            )
        return upload


class MappingForm(forms.Form):
    """One select per CSV column, plus a name for columns kept as custom fields."""

    def __init__(self, *args: Any, job: ImportJob, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.job = job
        choices = [*importing.field_choices(), (CUSTOM, "Keep as a custom field")]
        for index, column in enumerate(job.header):
            current = job.mapping.get(column, "")
            is_custom = current.startswith(importing.CUSTOM_PREFIX)
            self.fields[f"col_{index}"] = forms.ChoiceField(
                label=column,
                choices=choices,
                required=False,
                initial=CUSTOM if is_custom else current,
            )
            self.fields[f"custom_{index}"] = forms.CharField(
                label=f"Custom field name for {column}",
                required=False,
                max_length=importing.CUSTOM_NAME_MAX_LENGTH,
                initial=current[len(importing.CUSTOM_PREFIX) :]
                if is_custom
                else importing.custom_field_for(column)[len(importing.CUSTOM_PREFIX) :],
            )

    def rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"col_{i}"], self[f"custom_{i}"]) for i in range(len(self.job.header))]

    def mapping(self) -> dict[str, str]:
        data = self.cleaned_data
        result: dict[str, str] = {}
        for index, column in enumerate(self.job.header):
            target = data.get(f"col_{index}") or ""
            if target == CUSTOM:
                name = (data.get(f"custom_{index}") or "").strip()
                target = f"{importing.CUSTOM_PREFIX}{name}" if name else ""
            result[column] = target
        return result


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def upload(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    _require_importer(tenant)
    form = UploadForm(request.POST or None, request.FILES or None, tenant=tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            job = importing.create_import_job(
                coalition=tenant.coalition,
                upload=data["file"],
                filename=data["file"].name or "upload.csv",
                created_by=signed_in_user(request),
                source_membership=data["source"],
                encoding=data["encoding"],
            )
        except ImportError_ as error:
            form.add_error("file", str(error))
        else:
            return redirect("people_import:mapping", tenant.coalition.slug, job.pk)
    return render(
        request,
        "people/import_upload.html",
        tenant.context(form=form, jobs=import_jobs(tenant)[:10], nav_current="people"),
        status=422 if form.errors else 200,
    )


@coalition_view(Action.VIEW)
@require_http_methods(["GET", "POST"])
def mapping(request: HttpRequest, tenant: Tenant, job_id: int) -> HttpResponse:
    job = _job(tenant, job_id)
    if job.status not in {ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED}:
        return redirect("people_import:job", tenant.coalition.slug, job.pk)
    form = MappingForm(request.POST or None, job=job)
    chosen = dict(job.mapping)
    if request.method == "POST" and form.is_valid():
        chosen = form.mapping()
        if "import" in request.POST:
            try:
                importing.set_mapping(job=job, mapping=chosen)
                job = importing.start_import(job=job, inline=job.file.size <= INLINE_MAX_BYTES)
            except ImportError_ as error:
                form.add_error(None, str(error))
            else:
                return redirect("people_import:job", tenant.coalition.slug, job.pk)
    preview = importing.preview(job, chosen)
    return render(
        request,
        "people/import_mapping.html",
        tenant.context(job=job, form=form, preview=preview, nav_current="people"),
        status=422 if form.errors else 200,
    )


_TEMPLATES: dict[str, str] = {
    ImportJob.Status.VALIDATING: "people/import_progress.html",
    ImportJob.Status.IMPORTING: "people/import_progress.html",
    ImportJob.Status.NEEDS_REVIEW: "people/import_review.html",
}


def problems_summary(job: ImportJob) -> str:
    """The import's "5 problems in 3 rows": its errors, and the rows that have them."""
    rows = job.rows_with_errors
    if not rows and job.error_count:
        # a job validated before rows were counted: its stored errors name their lines
        rows = len({error.get("line") for error in job.errors})
    problems = ngettext("%(count)s problem", "%(count)s problems", job.error_count) % {
        "count": intcomma(job.error_count)
    }
    in_rows = ngettext("in %(count)s row", "in %(count)s rows", rows) % {"count": intcomma(rows)}
    return f"{problems} {in_rows}"


@coalition_view(Action.VIEW)
def job(request: HttpRequest, tenant: Tenant, job_id: int) -> HttpResponse:
    row = _job(tenant, job_id)
    if row.status in {ImportJob.Status.UPLOADED, ImportJob.Status.MAPPED}:
        return redirect("people_import:mapping", tenant.coalition.slug, row.pk)
    template = _TEMPLATES.get(row.status, "people/import_done.html")
    return render(
        request,
        template,
        tenant.context(job=row, problems=problems_summary(row), nav_current="people"),
    )


@coalition_view(Action.VIEW)
def progress(request: HttpRequest, tenant: Tenant, job_id: int) -> HttpResponse:
    """The progress fragment, polled every second by htmx until the job stops running."""
    if not importing.heartbeat_is_fresh(_job(tenant, job_id)):
        importing.sweep_stuck_imports(coalition=tenant.coalition)  # its worker was killed
    row = _job(tenant, job_id)
    return render(
        request,
        "people/_import_progress.html",
        tenant.context(job=row, problems=problems_summary(row)),
    )


@coalition_view(Action.VIEW)
@require_POST
def skip_bad_rows(request: HttpRequest, tenant: Tenant, job_id: int) -> HttpResponse:
    row = _job(tenant, job_id)
    try:
        row = importing.start_import(
            job=row, skip_bad_rows=True, inline=bool(row.file) and row.file.size <= INLINE_MAX_BYTES
        )
    except ImportError_ as error:
        messages.error(request, str(error))
    return redirect("people_import:job", tenant.coalition.slug, row.pk)


@coalition_view(Action.VIEW)
@require_POST
def cancel(request: HttpRequest, tenant: Tenant, job_id: int) -> HttpResponse:
    row = _job(tenant, job_id)
    try:
        importing.cancel_import(job=row)
    except ImportError_ as error:
        messages.error(request, str(error))
        return redirect("people_import:job", tenant.coalition.slug, row.pk)
    messages.success(request, f"Import of {row.original_filename} cancelled; its file is deleted.")
    return redirect("people_import:upload", tenant.coalition.slug)
