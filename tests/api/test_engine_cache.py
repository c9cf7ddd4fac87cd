"""The engine cache applies logged catalogue writes as incremental updates, not refits."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlmodel import Session

from api.db import make_engine
from api.migrate import upgrade
from api.services.matching import (
    ENGINES,
    EngineCache,
    load_capability_profiles,
    vocabulary_texts,
)
from matching import EngineConfig, MatchingEngine, NeedProfile, Weights
from models.capability import Capability
from models.organisation import Organisation
from models.revision import CatalogueChange
from models.site import Site, Workforce
from tests.conftest import new_database_url
from tests.factories import SMALL_POOLS, add_capability, add_need, add_site, register, set_workforce


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


def test_a_new_text_is_refitted_in_the_background_and_swapped_in(  # noqa: ANN001
        backend, tmp_path_factory, request) -> None:
    # a database of its own, with real commits: the refit thread reads through its own
    # connection, as a server worker's does
    url = new_database_url(backend, tmp_path_factory, request)
    upgrade(url)
    bind = make_engine(url, **SMALL_POOLS)
    cache = EngineCache()
    weights, config = Weights(), EngineConfig()
    try:
        with Session(bind) as session:
            provider = Organisation(kind="provider", name="Maatwerk")
            session.add(provider)
            session.flush()
            site = Site(organisation_id=provider.id, name="Atelier", postcode="8800",
                        municipality_nis="36015", municipality="Roeselare",
                        arrondissement_nis="36000", arrondissement="Roeselare",
                        province="west-vlaanderen", lat=50.9469, lon=3.1227)
            session.add(site)
            session.flush()
            session.add(Workforce(site_id=site.id, organisation_id=provider.id, free_fte_low=3))
            session.add(Capability(organisation_id=provider.id, site_id=site.id,
                                   activity="returns.apparel", placement_modes=["workshop"],
                                   description="Wassen en strijken"))
            session.commit()
            first = cache.get(session, weights, config)
            session.add(Capability(organisation_id=provider.id, site_id=site.id,
                                   activity="returns.apparel", placement_modes=["workshop"],
                                   description="Herstellen van kledij"))
            session.commit()
            delta = cache.get(session, weights, config)
        assert delta.n_capabilities_ == 2
        assert not delta.text_exact_
        deadline = time.monotonic() + 120
        while cache.counts["background_fit"] == 0:
            assert time.monotonic() < deadline, "no background refit"
            time.sleep(0.05)
        with Session(bind) as session:
            swapped = cache.get(session, weights, config)
            profiles = load_capability_profiles(session)
        assert swapped is not delta
        assert swapped.text_exact_
        assert cache.counts == {"fit": 1, "update": 1, "background_fit": 1}
        fresh = MatchingEngine(weights=weights, config=config,
                               vocabulary_texts=vocabulary_texts()).fit(profiles)
        need = _need()
        assert swapped.rank(need) == fresh.rank(need)
        assert first.n_capabilities_ == 1  # engines already handed out never change
    finally:
        bind.dispose()


def _need() -> NeedProfile:
    return NeedProfile(
        id="n1", activity="returns.apparel", competences=("laundry",),
        text="Kledij herstellen", placement_mode="workshop", fte=1.0,
        accommodates_support="low", time_pressure="low", peak_season=False, shifts=(),
        certifications=(), max_distance_km=None, lat=50.94, lon=3.12, binding="medium",
        public_transport="good")
