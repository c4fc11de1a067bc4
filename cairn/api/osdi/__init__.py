"""The OSDI-compatible API (Action Network flavour), mounted at /api/v2/.

The layer every resource shares, built once:

- `api.py`      the NinjaAPI: token auth for every operation, JSON errors for every refusal;
- `hal.py`      absolute links, `identifiers`, OSDI dates, `resource()` for one HAL object;
- `pagination`  `CollectionQuery` (page, per_page ≤ 25, filter) and `paginate()`;
- `filters`     the OData subset (`cairn.engines.odata`) mapped to ORM lookups per collection;
- `body`        `parse_payload()`: JSON, else form, else query string (bracket keys nest),
                validated by a schema;
- `schemas`     input models (strict types, unknown keys ignored), output models for OpenAPI,
                `collection_model()` and `links_model()`;
- `urls.py`     every route with and without a trailing slash, never a redirect, JSON 404/405;
- `idempotency` `Idempotency-Key` on every POST (applied by `urls.api_view`, so a new route has it).

Adding a resource (petitions, signatures, events, donations…): write `cairn/api/osdi/<name>.py`
with a `Router`, a `render_<thing>(request, row)` built on `hal.resource`, a `<NAME>_FILTERS`
map (start from `filters.DATES`), output models (`links_model`, `collection_model`) and
operations that read through a selector scoped by `auth.coalition_of(request)` and write through
the domain's service; an `osdi:person` link resolves with `people.person_from_href`. Then
`api.add_router("", <name>.router)` in `api.py`, its collection in `entry.COLLECTIONS`, and the
new URL parameters in the tenant walker (tests/test_tenant_isolation.py).
"""
