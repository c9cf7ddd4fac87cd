"""`koppel demo` data: loads once through the same validation as the API, and matches."""

from __future__ import annotations

from sqlmodel import func, select

from api.services.demo import load_demo
from models.need import Need
from tests.factories import login


def test_demo_loads_once_logins_work_and_open_needs_match(client, db):
    first = load_demo(db)
    db.commit()
    assert first.loaded
    assert first.counts["needs"] >= 60
    again = load_demo(db)
    assert not again.loaded
    assert db.exec(select(func.count()).select_from(Need)).one() == first.counts["needs"]
    for email, password in first.logins.values():
        assert login(client, email, password)
    # the demo company gets candidates for every one of its open needs
    email, password = first.logins["company"]
    headers = {"Authorization": f"Bearer {login(client, email, password)}"}
    needs = client.get("/needs", params={"status": "open"}, headers=headers).json()["items"]
    assert needs
    with_matches = sum(
        bool(client.get(f"/needs/{n['id']}/matches", headers=headers).json()["items"])
        for n in needs)
    assert with_matches == len(needs)
