"""CSV export of the people a staff member may see, and one person's data-access report.

The export follows the people list's query (search, tag, postal code, city, order): the link on
the list page carries it, so "Export" gives the people the page lists.

Who may export: stewards (everyone) and organizers (only the people who consented to share with
their organization: `selectors.visible_people`). Viewers may not. The policy has no export action
yet, so the views ask for `Action.VIEW` and check the role here (`exporting.may_export`).
"""

from __future__ import annotations

import uuid
from typing import cast

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, StreamingHttpResponse

from cairn.coalitions.access import Tenant, coalition_view, found
from cairn.coalitions.policy import Action

from . import exporting, selectors
from .forms import PeopleFilterForm


def _require_exporter(tenant: Tenant) -> None:
    if not exporting.may_export(tenant.staff):
        raise PermissionDenied


@coalition_view(Action.VIEW)
def people_csv(request: HttpRequest, tenant: Tenant) -> HttpResponse:
    _require_exporter(tenant)
    # the list page's query: the export holds the people the page lists, in its order
    query = PeopleFilterForm(request.GET)
    if not query.is_valid():
        return HttpResponseBadRequest("The search or filter is not valid.")
    people = selectors.filter_people(
        selectors.visible_people(coalition=tenant.coalition, staff=tenant.staff),
        query.people_filter(),
        coalition_id=tenant.coalition.pk,
    )
    response = StreamingHttpResponse(
        exporting.stream_people_csv(people, sort=query.sort_key()),
        content_type="text/csv; charset=utf-8",
    )
    filename = exporting.export_filename(tenant.coalition)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "no-store"  # personal data
    # coalition_view is typed for HttpResponse; Django serves any HttpResponseBase the same way
    return cast(HttpResponse, response)


@coalition_view(Action.VIEW)
def access_report(request: HttpRequest, tenant: Tenant, person_id: uuid.UUID) -> HttpResponse:
    _require_exporter(tenant)
    people = selectors.visible_people(coalition=tenant.coalition, staff=tenant.staff)
    person = found(selectors.person_by_uuid(people=people, uuid=str(person_id)))
    response = HttpResponse(
        exporting.access_report_json(person=person), content_type="application/json"
    )
    response["Content-Disposition"] = f'attachment; filename="person-{person.uuid}.json"'
    response["Cache-Control"] = "no-store"
    return response
