"""Contact persons: registration, changes, validation, and what the OpenAPI documents."""

from __future__ import annotations

from typing import Any

import pytest

from tests.factories import PASSWORD, enterprise_number, login

_seed = iter(range(50_000, 60_000))


def registration(org: dict | None = None, user: dict | None = None) -> dict:
    n = next(_seed)
    return {
        "organisation": {"kind": "company", "name": f"Contactbedrijf {n}",
                         "enterprise_number": enterprise_number(n), **(org or {})},
        "user": {"email": f"contact{n}@example.be", "password": PASSWORD,
                 "full_name": "Els Verbeke", **(user or {})},
    }


def test_registration_takes_the_contact_person_and_the_users_phone_and_language(client):
    body = registration(
        {"contact_name": "Jan Claes", "contact_email": "Aankoop@Firma.example.be",
         "contact_phone": "+32 51 12 34 56", "contact_language": "en"},
        {"phone": "0470/12.34.56", "language": "en"})
    r = client.post("/auth/register", json=body)
    assert r.status_code == 201, r.text
    org, user = r.json()["organisation"], r.json()["user"]
    assert (org["contact_name"], org["contact_email"], org["contact_phone"],
            org["contact_language"]) == ("Jan Claes", "Aankoop@firma.example.be",
                                         "+32 51 12 34 56", "en")
    assert (user["phone"], user["language"]) == ("0470/12.34.56", "en")


def test_without_a_contact_person_the_registering_user_is_the_contact(client):
    body = registration(user={"phone": "+32 9 123 45 67"})
    org = client.post("/auth/register", json=body).json()["organisation"]
    assert (org["contact_name"], org["contact_email"], org["contact_phone"],
            org["contact_language"]) == ("Els Verbeke", body["user"]["email"], "+32 9 123 45 67",
                                         "nl")


def test_language_defaults_to_dutch(client):
    r = client.post("/auth/register", json=registration())
    assert r.json()["user"]["language"] == "nl"
    assert r.json()["user"]["phone"] is None


@pytest.mark.parametrize(("org", "user", "loc"), [
    ({"contact_email": "not-an-address"}, {}, ["body", "organisation", "contact_email"]),
    ({"contact_phone": "call me"}, {}, ["body", "organisation", "contact_phone"]),
    ({"contact_phone": "12345"}, {}, ["body", "organisation", "contact_phone"]),
    ({"contact_phone": "+32 " + "1" * 30}, {}, ["body", "organisation", "contact_phone"]),
    ({"contact_language": "fr"}, {}, ["body", "organisation", "contact_language"]),
    ({"contact_name": "x" * 201}, {}, ["body", "organisation", "contact_name"]),
    ({}, {"language": "de"}, ["body", "user", "language"]),
    ({}, {"phone": "++32"}, ["body", "user", "phone"]),
])
def test_bad_contact_fields_are_422_naming_the_field(client, org: dict, user: dict,
                                                     loc: list[Any]):
    r = client.post("/auth/register", json=registration(org, user))
    assert r.status_code == 422, r.text
    assert [e["loc"][:3] for e in r.json()["errors"]] == [loc]


def _registered(client) -> tuple[dict, dict[str, str]]:  # noqa: ANN001
    body = registration()
    org = client.post("/auth/register", json=body).json()["organisation"]
    return org, {"Authorization": f"Bearer {login(client, body['user']['email'])}"}


def test_patch_organisation_changes_and_clears_the_contact_person(client):
    org, headers = _registered(client)
    r = client.patch(f"/organisations/{org['id']}", headers=headers, json={
        "contact_name": "Pieter Desmet", "contact_phone": "+32 56 11 22 33",
        "contact_language": "en"})
    assert r.status_code == 200, r.text
    assert (r.json()["contact_name"], r.json()["contact_phone"],
            r.json()["contact_language"]) == ("Pieter Desmet", "+32 56 11 22 33", "en")
    r = client.patch(f"/organisations/{org['id']}", headers=headers,
                     json={"contact_phone": None, "contact_name": None})
    assert (r.json()["contact_name"], r.json()["contact_phone"]) == (None, None)
    assert r.json()["contact_email"] == org["contact_email"]
    r = client.patch(f"/organisations/{org['id']}", headers=headers,
                     json={"contact_language": None})
    assert r.status_code == 422
    assert r.json()["errors"][0]["loc"] == ["body", "contact_language"]


def test_patch_me_changes_name_phone_and_language(client):
    _org, headers = _registered(client)
    r = client.patch("/auth/me", headers=headers,
                     json={"full_name": "Els Verbeke-Claes", "phone": "+32 470 00 11 22",
                           "language": "en"})
    assert r.status_code == 200, r.text
    me = client.get("/auth/me", headers=headers).json()
    assert (me["full_name"], me["phone"], me["language"]) == (
        "Els Verbeke-Claes", "+32 470 00 11 22", "en")
    assert client.patch("/auth/me", headers=headers, json={"phone": None}).json()["phone"] is None
    bad = client.patch("/auth/me", headers=headers, json={"language": "fr"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["body", "language"]
    # e-mail and role are not self-service
    assert client.patch("/auth/me", headers=headers,
                        json={"role": "admin"}).status_code == 422
    assert client.patch("/auth/me", json={"language": "en"}).status_code == 401


def test_every_contact_field_is_documented_with_an_example(client):
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    wanted = {
        "OrganisationCreate": ("contact_name", "contact_email", "contact_phone",
                               "contact_language"),
        "OrganisationUpdate": ("contact_name", "contact_email", "contact_phone",
                               "contact_language"),
        "OrganisationPublic": ("contact_name", "contact_email", "contact_phone",
                               "contact_language"),
        "UserCreate": ("phone", "language"), "UserUpdate": ("full_name", "phone", "language"),
        "UserPublic": ("phone", "language"),
        "LeadParty": ("contact_name", "contact_email", "contact_phone", "contact_language"),
        "ExportedUser": ("phone", "language"),
    }
    missing = [f"{schema}.{field}" for schema, fields in wanted.items() for field in fields
               if not (schemas[schema]["properties"][field].get("examples")
                       and schemas[schema]["properties"][field].get("description"))]
    assert missing == []
