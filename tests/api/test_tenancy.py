"""Tenant isolation and mass assignment, generated from the app's route table and OpenAPI.

A new route with a path id is automatically called by a user of another tenant and must
answer 404 (existence never leaks) — or 403 where it is staff-only; a new request body schema
is automatically checked for fields a client must never set. Both fail until the new route
or schema is handled here, on purpose.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.routing import APIRoute

from tests.factories import (
    add_capability,
    add_need,
    add_site,
    register,
    set_workforce,
    staff,
)

# Routes whose path parameters are not tenant ids.
# Public by design; what they may show is tested with them (tests/api/test_directory.py)
PUBLIC_ROUTES = {("GET", "/geo/postcodes/{postcode}"),
                 ("GET", "/directory/providers/{provider_id}"),
                 # the signed token is the authorisation (an e-mail's unsubscribe link)
                 ("GET", "/unsubscribe/{token}"), ("POST", "/unsubscribe/{token}")}
# Routes for department staff only: every non-staff caller gets 403 (ids are never looked up).
STAFF_ONLY_ROUTES = {("GET", "/cluster-runs/{run_id}"),
                     ("POST", "/matching/weights/{set_id}/activate")}
# Routes where the design answers 403 to a tenant that can see the id but not act on it.
FORBIDDEN_ROUTES: set[tuple[str, str]] = set()

# A valid body per request schema, so the call reaches the permission check (a 422 for the
# body would prove nothing). A new schema must be added here.
VALID_BODIES: dict[str, Any] = {
    "PartnershipLeadsCreate": {"key": "3f9c2a7d1e0b4c58"},
    "NotificationSettingsSet": {"opportunity_digest": True},
    "OrganisationUpdate": {"description": "Nieuwe omschrijving"},
    "SiteCreate": {"name": "Depot", "postcode": "8800"},
    "SiteUpdate": {"name": "Depot 2"},
    "WorkforceUpdate": {"free_fte_low": 1, "free_fte_medium": 1, "free_fte_high": 0,
                        "supervisors_available": 1},
    "CapabilityUpdate": {"description": "Wassen"},
    "NeedUpdate": {"title": "Nieuw"},
    "NeedStatusChange": {"status": "cancelled"},
    "LeadCreate": "capability",  # filled in with the other tenant's own capability
    "LeadDecline": {"reason_code": "capacity"},
    "LeadContract": {"fte": 1.0},
    "WebhookEndpointSet": {"url": "https://hooks.example.be/koppel"},
    "ClusterStatusChange": {"status": "endorsed"},
}

# Fields no create/update body may carry: who owns a row, its role, status, ids, timestamps.
FORBIDDEN_FIELDS = re.compile(
    r"^(id|organisation|organisation_id|company_id|provider_id|user_id|role|is_active|"
    r"token_version|password_hash|status|illustrative|contracted_fte|flagged|"
    r"created_at|updated_at|\w+_at)$")
# Fields that look forbidden but are a client's legitimate choice, with the reason.
ALLOWED_FIELDS = {
    ("RegistrationCreate", "organisation"): "registration creates the organisation",
    ("NeedStatusChange", "status"): "the explicit, validated transition endpoint",
    ("ClusterStatusChange", "status"): "the explicit, staff-only transition endpoint",
    ("Body_change_cluster_status_dashboard_clusters__cluster_id__status_post", "status"):
        "the staff cluster page's form for the same transitions",
}
REFERENCE_FIELDS = {"site_id", "capability_id", "need_id"}  # checked by the services


COOKIE_PAGES = ("api.routes.portal", "api.routes.dashboard")


def _api_routes(routes):  # noqa: ANN001, ANN202
    """API routes, also through included routers (FastAPI resolves those lazily)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):
            yield from route.effective_route_contexts()


def _routes(app) -> list[tuple[str, str, Any]]:  # noqa: ANN001
    # the portal's and the staff dashboard's pages take a cookie session, not a bearer token:
    # tests/web and tests/api/test_dashboard_clusters.py check who gets 403 / 404 there
    return sorted(((method, route.path, route) for route in _api_routes(app.routes)
                   for method in route.methods
                   if not route.endpoint.__module__.startswith(COOKIE_PAGES)),
                  key=lambda r: (r[1], r[0]))


def _body_schema_name(route: Any) -> str | None:
    body = route.body_field
    if body is None:
        return None
    return getattr(getattr(body.field_info, "annotation", None), "__name__", None)


@pytest.fixture
def tenants(client, db):  # noqa: ANN001, ANN201
    """Tenant A (a company and a provider with a lead between them) and tenant B."""
    company, provider = register(client, "company"), register(client, "provider")
    c_site, p_site = add_site(company, "8800"), add_site(provider, "8870")
    set_workforce(provider, p_site)
    cap = add_capability(provider, p_site)
    need = add_need(company, c_site)
    lead = company.post(f"/needs/{need['id']}/leads", json={"capability_id": cap["id"]}).json()
    other_company, other_provider = register(client, "company"), register(client, "provider")
    o_site = add_site(other_provider, "8870")
    set_workforce(other_provider, o_site)
    other_cap = add_capability(other_provider, o_site)
    return {
        "ids": {"org_id": company.org_id, "provider_id": provider.org_id,
                "site_id": c_site["id"], "need_id": need["id"], "cap_id": cap["id"],
                "lead_id": lead["id"], "run_id": "00000000-0000-4000-8000-000000000001",
                "cluster_id": "00000000-0000-4000-8000-000000000002",
                "set_id": "00000000-0000-4000-8000-000000000003", "index": "0"},
        "site_of": {company.org_id: c_site["id"], provider.org_id: p_site["id"]},
        "others": [other_company, other_provider],
        "other_cap": other_cap["id"],
        "staff": staff(client, db),
    }


def _path(path: str, ids: dict[str, str]) -> str:
    def fill(match: re.Match) -> str:
        name = match.group(1)
        assert name in ids, f"no tenant resource for path parameter {{{name}}} of {path}"
        return ids[name]
    return re.sub(r"\{(\w+)\}", fill, path)


def test_every_route_with_a_path_id_hides_other_tenants_resources(app, client, tenants) -> None:  # noqa: ANN001
    checked = []
    for method, path, route in _routes(app):
        if "{" not in path or (method, path) in PUBLIC_ROUTES:
            continue
        ids = dict(tenants["ids"])
        if "{org_id}" in path and "/sites/" in path:
            ids["site_id"] = tenants["site_of"][ids["org_id"]]
        if path.startswith("/providers/"):
            ids["site_id"] = tenants["site_of"][ids["provider_id"]]
        url = _path(path, ids)
        name = _body_schema_name(route)
        assert name is None or name in VALID_BODIES, f"add a valid {name} body for {path}"
        body = VALID_BODIES.get(name) if name else None
        if body == "capability":
            body = {"capability_id": tenants["other_cap"]}
        for other in tenants["others"]:
            r = client.request(method, url, json=body, headers=other.headers)
            role = other.org["kind"]
            if (method, path) in STAFF_ONLY_ROUTES or (method, path) in FORBIDDEN_ROUTES:
                expected = 403
            else:
                expected = 404
            assert r.status_code == expected, (
                f"{method} {path} as another tenant's {role}: {r.status_code} {r.text[:200]}")
        checked.append((method, path))
    assert len(checked) >= 30


def test_staff_only_routes_refuse_non_staff_and_admit_staff(app, client, tenants) -> None:  # noqa: ANN001
    staff_paths = {(m, p) for m, p, route in _routes(app)
                   if any(getattr(d.call, "__name__", "") == "require_staff"
                          for d in route.dependant.dependencies)}
    assert staff_paths, "expected staff-only routes (StaffUser)"
    with_ids = {(m, p) for m, p in staff_paths if "{" in p}
    assert with_ids == STAFF_ONLY_ROUTES, "keep STAFF_ONLY_ROUTES in step with StaffUser routes"
    for method, path in sorted(staff_paths):
        url = _path(path, tenants["ids"])
        for other in tenants["others"]:
            r = client.request(method, url, json={}, headers=other.headers)
            assert r.status_code == 403, f"{method} {path}: {r.status_code}"
    r = client.get("/stats/overview", headers=tenants["staff"].headers)
    assert r.status_code == 200


def _resolve(spec: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[1]]
    return schema


def _walk(spec: dict, name: str, schema: dict, seen: set[str]):  # noqa: ANN202
    """Yield (schema name, property, property schema) through nested objects."""
    schema = _resolve(spec, schema)
    for prop, sub in schema.get("properties", {}).items():
        yield name, prop, schema
        for inner in [sub, *sub.get("anyOf", []), *sub.get("allOf", []),
                      sub.get("items", {})]:
            if "$ref" in inner:
                ref = inner["$ref"].rsplit("/", 1)[1]
                if ref not in seen:
                    seen.add(ref)
                    yield from _walk(spec, ref, inner, seen)


def _request_schemas(spec: dict) -> list[tuple[str, str, str, dict]]:
    out = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            content = op.get("requestBody", {}).get("content", {})
            for media, body in content.items():
                schema = body["schema"]
                name = schema.get("$ref", "inline").rsplit("/", 1)[1] if "$ref" in schema \
                    else "inline"
                out.append((method.upper(), path, f"{name} ({media})", schema))
    return out


def test_no_request_body_can_set_owner_role_status_ids_or_timestamps(client) -> None:  # noqa: ANN001
    spec = client.get("/openapi.json").json()
    bodies = _request_schemas(spec)
    assert len(bodies) >= 15
    offending = []
    for method, path, label, schema in bodies:
        for owner, prop, _ in _walk(spec, label.split(" ")[0], schema, set()):
            if prop in REFERENCE_FIELDS or (owner, prop) in ALLOWED_FIELDS:
                continue
            if FORBIDDEN_FIELDS.match(prop):
                offending.append(f"{method} {path}: {owner}.{prop}")
    assert not offending, "client-settable protected fields:\n" + "\n".join(offending)


def test_json_bodies_refuse_unknown_fields(client) -> None:  # noqa: ANN001
    """`extra="forbid"` everywhere: a smuggled `organisation_id` is a 422, never ignored."""
    spec = client.get("/openapi.json").json()
    lax = []
    for method, path, label, schema in _request_schemas(spec):
        if "application/json" not in label:
            continue
        seen: set[str] = set()
        resolved = _resolve(spec, schema)
        if resolved.get("additionalProperties", True) is not False:
            lax.append(f"{method} {path}: {label}")
        for owner, _prop, parent in _walk(spec, label, schema, seen):
            if parent.get("additionalProperties", True) is not False:
                lax.append(f"{method} {path}: {owner}")
    assert not lax, "bodies accepting unknown fields:\n" + "\n".join(sorted(set(lax)))


@pytest.mark.parametrize("field", ["organisation_id", "id", "status", "created_at", "role"])
def test_smuggled_fields_are_refused_on_create(client, field) -> None:  # noqa: ANN001
    company = register(client, "company")
    site = add_site(company)
    from tests.factories import need_body

    body = {**need_body(site), field: "00000000-0000-4000-8000-000000000009"}
    r = company.post("/needs", json=body)
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", field]
    r = company.patch(f"/organisations/{company.org_id}", json={field: "x"})
    assert r.status_code == 422
