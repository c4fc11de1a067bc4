"""Power map import and export pages (mounted by `urls_io` inside the `powermap` namespace).

Who may do what (`cairn.coalitions.policy`): stewards and member-organizers import
(`Action.ADD_TO_POWERMAP`); every role, viewers included, exports (`Action.VIEW`).

An upload up to `importing.INLINE_MAX_BYTES` is read, checked and written during the request:
the page shows every problem (file or sheet, line, column, reason) or what was created and
updated. "Check only" runs the same steps and keeps nothing. A larger upload is stored and
imported in the task queue (`importing.import_map_task`); its page follows the task's result.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from cairn.coalitions.access import Tenant, coalition_view, is_htmx, signed_in_user
from cairn.coalitions.policy import Action

from . import exporting, importing
from .importing import FORMAT_LABELS, ImportResult, MapImportError, Upload

MAX_UPLOAD_BYTES = 200 * 1024 * 1024

EXPORTS: dict[str, tuple[str, str, str]] = {
    # name in the URL → (label, content type, file suffix)
    "graphml": (
        "GraphML (yEd, Gephi, networkx; imports back into Cairn)",
        "application/xml",
        ".graphml",
    ),
    "gexf": ("GEXF 1.3 (opens in Gephi, colored by position)", "application/xml", ".gexf"),
    "xlsx": (
        "Excel workbook, Kumu-style (Elements and Connections sheets)",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ".xlsx",
    ),
    "elements.csv": ("CSV: elements (stakeholders)", "text/csv; charset=utf-8", "-elements.csv"),
    "connections.csv": (
        "CSV: connections (relationships)",
        "text/csv; charset=utf-8",
        "-connections.csv",
    ),
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label="File",
        help_text=(
            "A Kumu-style workbook (.xlsx), GraphML, GEXF, or a CSV file: the elements, or the "
            "connections, or the elements with the connections below."
        ),
    )
    connections = forms.FileField(
        label="Connections file",
        required=False,
        help_text="Only for a pair of CSV files: the connections (From, To, Type…).",
    )
    fmt = forms.ChoiceField(
        label="Format",
        required=False,
        choices=[("", "Detect it from the file"), *FORMAT_LABELS.items()],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        files = [f for f in (data.get("file"), data.get("connections")) if f is not None]
        if sum(f.size or 0 for f in files) > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                f"The files are larger than {MAX_UPLOAD_BYTES // 1024 // 1024} MB together."
            )
        return data

    def uploads(self) -> list[Upload]:
        files: list[UploadedFile] = [
            f for f in (self.cleaned_data["file"], self.cleaned_data.get("connections")) if f
        ]
        return [Upload(f.name or "upload", f.read()) for f in files]


@coalition_view(Action.ADD_TO_POWERMAP)
@require_http_methods(["GET", "POST"])
def import_map(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads = form.uploads()
        fmt = form.cleaned_data.get("fmt") or ""
        dry_run = request.POST.get("action") == "check"
        user = signed_in_user(request)
        if sum(len(u.data) for u in uploads) > importing.INLINE_MAX_BYTES:
            stored = importing.store_uploads(uploads)
            task = importing.import_map_task.enqueue(
                tenant.coalition.pk, user.pk, [list(pair) for pair in stored], fmt, dry_run
            )
            if task.is_finished and task.return_value is not None:  # run at once (tests)
                return _result_page(request, tenant, ImportResult.from_dict(task.return_value))
            return redirect("powermap:import_status", tenant.coalition.slug, task.id)
        try:
            result = importing.import_map(
                coalition=tenant.coalition, uploads=uploads, by=user, fmt=fmt, dry_run=dry_run
            )
        except MapImportError as error:
            form.add_error("file", str(error))
        else:
            return _result_page(request, tenant, result)
    status = 422 if request.method == "POST" else 200
    return render(
        request,
        "powermap/import.html",
        tenant.context(form=form, exports=_exports(tenant)),
        status=status,
    )


def _result_page(request: HttpRequest, tenant: Tenant, result: ImportResult) -> HttpResponse:
    return render(
        request,
        "powermap/import_result.html",
        tenant.context(result=result, exports=_exports(tenant)),
        # htmx (the waiting page's poll) swaps only successful answers in
        status=200 if result.ok or is_htmx(request) else 422,
    )


@coalition_view(Action.ADD_TO_POWERMAP)
@require_GET
def import_status(request: HttpRequest, tenant: Tenant, result_id: str) -> HttpResponse:
    """A queued import: waiting, or its result. Another coalition's task is not found."""
    try:
        task = importing.import_map_task.get_result(result_id)
    except Exception as error:  # unknown id, malformed id, or a backend that keeps no results
        raise Http404 from error
    if not task.args or task.args[0] != tenant.coalition.pk:
        raise Http404
    if task.is_finished and task.return_value is not None:
        return _result_page(request, tenant, ImportResult.from_dict(task.return_value))
    failed = task.is_finished
    return render(
        request,
        "powermap/import_status.html",
        tenant.context(
            task=task,
            failed=failed,
            files=[name for _, name in task.args[2]],
            checking=len(task.args) > 4 and bool(task.args[4]),
        ),
    )


def export_url_name(fmt: str) -> str:
    """The URL name of a format's download (`urls_io`): one path per format, no parameter."""
    return "export_" + fmt.replace(".", "_")


def _exports(tenant: Tenant) -> list[tuple[str, str]]:
    return [(f"powermap:{export_url_name(n)}", label) for n, (label, _, _) in EXPORTS.items()]


@coalition_view(Action.VIEW)
@require_GET
def export_page(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    return render(request, "powermap/import_export.html", tenant.context(exports=_exports(tenant)))


@coalition_view(Action.VIEW)
@require_GET
def export_map(request: HttpRequest, tenant: Tenant, fmt: str) -> HttpResponse:
    """The coalition's map as a file, for every role (viewers read the map anyway)."""
    if fmt not in EXPORTS:
        raise Http404
    _, content_type, suffix = EXPORTS[fmt]
    data = exporting.map_data(tenant.coalition)
    filename = exporting.filename(tenant.coalition, suffix)
    response: HttpResponse | StreamingHttpResponse
    if fmt == "xlsx":
        response = HttpResponse(exporting.xlsx_bytes(data), content_type=content_type)
    else:
        chunks: Iterator[str]
        if fmt == "graphml":
            chunks = exporting.graphml_chunks(data)
        elif fmt == "gexf":
            chunks = exporting.gexf_chunks(data)
        elif fmt == "elements.csv":
            chunks = exporting.csv_chunks(exporting.element_rows(data), exporting.ELEMENT_HEADER)
        else:
            chunks = exporting.csv_chunks(
                exporting.connection_rows(data), exporting.CONNECTION_HEADER
            )
        response = StreamingHttpResponse(chunks, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return cast(HttpResponse, response)  # the view protocol's type; streaming is a response too
