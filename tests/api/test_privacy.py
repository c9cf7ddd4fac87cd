"""Export and erasure of an organisation's data."""

from __future__ import annotations

from tests.factories import (
    PASSWORD,
    add_capability,
    add_need,
    add_site,
    login,
    register,
    set_workforce,
    staff,
)


def _world(client):  # noqa: ANN001, ANN202
    company, provider = register(client, "company"), register(client, "provider")
    c_site, p_site = add_site(company, "8800"), add_site(provider, "8870")
    set_workforce(provider, p_site)
    cap = add_capability(provider, p_site)
    need = add_need(company, c_site)
    lead = company.post(f"/needs/{need['id']}/leads", json={"capability_id": cap["id"]})
    assert lead.status_code == 201
    return company, provider, need, cap, lead.json()


def test_export_holds_all_of_an_organisations_data_without_hashes(client) -> None:  # noqa: ANN001
    company, provider, need, cap, lead = _world(client)
    r = company.get(f"/organisations/{company.org_id}/export")
    assert r.status_code == 200
    data = r.json()
    assert data["organisation"]["id"] == company.org_id
    assert [u["email"] for u in data["users"]] == [company.user["email"]]
    # the registering user became the contact person; the export includes it
    assert (data["organisation"]["contact_name"], data["organisation"]["contact_email"],
            data["organisation"]["contact_language"]) == (
        company.user["full_name"], company.user["email"], "nl")
    assert [(u["phone"], u["language"]) for u in data["users"]] == [(None, "nl")]
    assert [n["id"] for n in data["needs"]] == [need["id"]]
    assert [x["id"] for x in data["leads_sent"]] == [lead["id"]]
    assert data["leads_received"] == []
    assert len(data["sites"]) == 1
    assert {e["action"] for e in data["audit_events"]} >= {"register", "create"}
    assert "password_hash" not in r.text
    assert "$argon2" not in r.text
    exported = provider.get(f"/organisations/{provider.org_id}/export").json()
    assert [c["id"] for c in exported["capabilities"]] == [cap["id"]]
    assert [x["id"] for x in exported["leads_received"]] == [lead["id"]]
    assert len(exported["workforce"]) == 1


def test_export_is_for_the_organisation_itself_or_staff(client, db) -> None:  # noqa: ANN001
    company, provider, *_ = _world(client)
    assert provider.get(f"/organisations/{company.org_id}/export").status_code == 404
    assert staff(client, db).get(f"/organisations/{company.org_id}/export").status_code == 200


def test_export_is_audited(client) -> None:  # noqa: ANN001
    company = register(client, "company")
    company.get(f"/organisations/{company.org_id}/export")
    events = company.get("/audit", params={"action": "export"}).json()
    assert events["total"] == 1


def test_erasure_blanks_personal_data_keeps_statistics_and_revokes_tokens(client, db) -> None:  # noqa: ANN001
    company, provider, need, _cap, lead = _world(client)
    assert company.patch(f"/organisations/{company.org_id}", json={
        "contact_name": "Griet Contactpersoon", "contact_phone": "+32 51 99 88 77"}
    ).status_code == 200
    assert company.patch("/auth/me", json={"phone": "+32 470 11 22 33"}).status_code == 200
    # accepted: the provider sees the company's contact person until the erasure
    assert provider.post(f"/leads/{lead['id']}/accept").status_code == 200
    assert "Griet Contactpersoon" in provider.get(f"/leads/{lead['id']}").text
    dept = staff(client, db)
    before = dept.get("/stats/overview").json()
    email = company.user["email"]
    pair = client.post("/auth/token", data={"username": email, "password": PASSWORD}).json()

    r = company.delete(f"/organisations/{company.org_id}")
    assert r.status_code == 204

    assert company.get("/auth/me").status_code == 401
    assert client.post("/auth/refresh",
                       json={"refresh_token": pair["refresh_token"]}).status_code == 401
    assert client.post("/auth/token", data={"username": email,
                                            "password": PASSWORD}).status_code == 401
    data = dept.get(f"/organisations/{company.org_id}/export").json()
    org = data["organisation"]
    assert org["name"].startswith("Erased organisation")
    assert org["enterprise_number"] is None
    assert (org["contact_name"], org["contact_email"], org["contact_phone"]) == (None,) * 3
    [user] = data["users"]
    assert user["email"] == f"erased-{user['id']}@invalid"
    assert user["full_name"] == ""
    assert user["phone"] is None
    assert user["is_active"] is False
    [erased_need] = data["needs"]
    assert erased_need["id"] == need["id"]
    assert erased_need["description"] == ""
    assert erased_need["status"] == "cancelled"
    assert erased_need["fte"] == need["fte"]  # the statistics row stays
    assert email not in str(data)
    assert any(e["action"] == "erase" for e in data["audit_events"])
    assert dept.get(f"/leads/{lead['id']}").json()["status"] == "withdrawn"
    after = dept.get("/stats/overview").json()
    assert after.keys() == before.keys()
    # the provider's view of the lead no longer names the company's contact person
    seen = provider.get(f"/leads/{lead['id']}").text
    assert email not in seen
    assert "Griet Contactpersoon" not in seen
    assert "+32 51 99 88 77" not in seen
    assert "+32 470 11 22 33" not in str(data)


def test_erasure_removes_the_webhook_and_deactivates_capabilities(client) -> None:  # noqa: ANN001
    _company, provider, _need, cap, _lead = _world(client)
    r = provider.put(f"/organisations/{provider.org_id}/webhook",
                     json={"url": "https://hooks.example.be/koppel"})
    assert r.status_code == 200
    staff_view = provider  # keep a reference for the ids
    assert provider.delete(f"/organisations/{provider.org_id}").status_code == 204
    other = register(client, "provider")
    assert other.get(f"/capabilities/{cap['id']}").status_code == 404
    assert staff_view.get(f"/organisations/{provider.org_id}/webhook").status_code == 401


def test_only_the_organisation_or_an_admin_may_erase(client, db) -> None:  # noqa: ANN001
    company = register(client, "company")
    other = register(client, "company")
    assert other.delete(f"/organisations/{company.org_id}").status_code == 404
    assert staff(client, db).delete(f"/organisations/{company.org_id}").status_code == 403
    assert company.get("/auth/me").status_code == 200


def test_admin_may_erase_and_department_cannot_be_erased(client, db) -> None:  # noqa: ANN001
    from api.services.auth import create_staff

    company = register(client, "company")
    admin = create_staff(db, "admin-erase@example.be", PASSWORD, admin=True)
    db.commit()
    headers = {"Authorization": f"Bearer {login(client, 'admin-erase@example.be')}"}
    r = client.delete(f"/organisations/{company.org_id}", headers=headers)
    assert r.status_code == 204
    r = client.delete(f"/organisations/{admin.organisation_id}", headers=headers)
    assert r.status_code == 409
