from django.contrib import admin
from django.urls import include, path

from cairn.api.osdi import urls as osdi_urls

urlpatterns = [
    # first: the public petition pages are the busiest (a viral petition), and each pattern tried
    # before them costs every request (URL resolution was the largest cost of a cached page)
    path("p/", include("cairn.petitions.public_urls")),
    path("e/", include("cairn.events.public_urls")),
    path("give/", include("cairn.fundraising.public_urls")),
    path("", include("cairn.core.urls")),
    path("accounts/", include("cairn.accounts.urls")),
    path("c/<slug:slug>/people/import/", include("cairn.people.import_urls")),
    path("c/<slug:slug>/people/export/", include("cairn.people.export_urls")),
    path("c/<slug:slug>/people/", include("cairn.people.urls")),
    path("c/<slug:slug>/api-tokens/", include("cairn.api.urls")),
    path("c/<slug:slug>/petitions/", include("cairn.petitions.urls")),
    path("c/<slug:slug>/decisions/", include("cairn.governance.urls")),
    path("decisions/awaiting/", include("cairn.governance.awaiting_urls")),
    path("c/<slug:slug>/campaigns/", include("cairn.campaigns.urls")),
    path("c/<slug:slug>/narrative/", include("cairn.narrative.urls")),
    path("c/<slug:slug>/powermap/", include("cairn.powermap.urls")),
    path("c/<slug:slug>/audit/", include("cairn.audit.urls")),
    path("c/<slug:slug>/budgets/", include("cairn.budgets.urls")),
    path("c/<slug:slug>/forms/", include("cairn.signups.urls")),
    path("c/<slug:slug>/events/", include("cairn.events.urls")),
    path("c/<slug:slug>/fundraising/", include("cairn.fundraising.urls")),
    path("c/<slug:slug>/funds/", include("cairn.ledger.urls")),
    path("c/<slug:slug>/advocacy/", include("cairn.advocacy.urls")),
    path("c/<slug:slug>/", include("cairn.coalitions.urls")),
    path("public/", include("cairn.coalitions.public_urls")),
    path("funds/", include("cairn.ledger.public_urls")),
    path("b/", include("cairn.budgets.public_urls")),  # supporters' budget ballots
    path("f/", include("cairn.signups.public_urls")),
    path("a/", include("cairn.advocacy.public_urls")),  # write to your decision-makers
    path("admin/", admin.site.urls),
    # The OSDI routes answer with and without a trailing slash, never by redirecting.
    path("api/v2", osdi_urls.entry_point_view),
    path("api/v2/", include("cairn.api.osdi.urls")),
]
