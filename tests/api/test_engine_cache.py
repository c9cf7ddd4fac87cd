"""The engine cache applies logged catalogue writes as incremental updates, not refits."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from api.services.matching import ENGINES
from models.revision import CatalogueChange
from tests.factories import add_capability, add_need, add_site, register, set_workforce


@pytest.fixture(autouse=True)
def _empty_cache() -> None:
    ENGINES.clear()
    ENGINES.counts.clear()


def _ids(company, need) -> list[str]:  # noqa: ANN001
    r = company.get(f"/needs/{need['id']}/matches")
    assert r.status_code == 200, r.text
    return [i["capability_id"] for i in r.json()["items"]]


def test_writes_are_logged_and_applied_without_a_refit(client, db) -> None:  # noqa: ANN001
    provider = register(client, "provider")
    kortrijk = add_site(provider, "8500")
    set_workforce(provider, kortrijk)
    first = add_capability(provider, kortrijk)
    company = register(client, "company")
    need = add_need(company, add_site(company, "8800"))
    assert _ids(company, need) == [first["id"]]
    assert ENGINES.counts == {"fit": 1}

    last = db.execute(select(CatalogueChange.seq).order_by(CatalogueChange.seq.desc())).first()
    set_workforce(provider, kortrijk, low=0, medium=0, high=0, supervisors=0)
    logged = db.execute(select(CatalogueChange.table_name, CatalogueChange.row_id)
                        .where(CatalogueChange.seq > last[0])).all()
    assert logged == [("workforce", kortrijk["id"])]  # one entry, keyed by the site
    assert _ids(company, need) == []
    assert ENGINES.counts == {"fit": 1, "update": 1}

    set_workforce(provider, kortrijk, low=2, medium=0, high=0, supervisors=1)
    r = provider.patch(f"/capabilities/{first['id']}", json={"placement_modes": ["on_site"]})
    assert r.status_code == 200, r.text
    assert _ids(company, need) == []  # the need asks for workshop work
    assert ENGINES.counts == {"fit": 1, "update": 2}  # both writes in one update
    assert _ids(company, need) == []
    assert ENGINES.counts == {"fit": 1, "update": 2}  # nothing new: no update

    # a new text leaves the vectoriser's idf behind: refitted (here in the request, since the
    # test's session is joined to an outer connection no other connection can see)
    second = add_capability(provider, kortrijk, description="Strijken en plooien")
    assert _ids(company, need) == [second["id"]]
    assert ENGINES.counts == {"fit": 2, "update": 3}
