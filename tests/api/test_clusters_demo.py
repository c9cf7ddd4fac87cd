"""The demo data set yields named, granular, local clusters (DESIGN §7, §12)."""

from __future__ import annotations

from collections import defaultdict

import pytest

from api.services.demo import load_demo
from tests.factories import login


@pytest.mark.slow
def test_demo_cluster_run_proposes_named_local_clusters(client, db):
    summary = load_demo(db)
    db.commit()
    email, password = summary.logins["staff"]
    headers = {"Authorization": f"Bearer {login(client, email, password)}"}

    r = client.post("/cluster-runs", json={}, headers=headers)
    assert r.status_code == 202, r.text
    run = client.get(r.headers["Location"], headers=headers).json()
    assert run["status"] == "succeeded", run
    clusters = [client.get(f"/clusters/{cid}", headers=headers).json()
                for cid in run["cluster_ids"]]

    print(f"\n{'name':<38} {'kind':<12} {'province':<16} needs prov. demand covered "
          "score potential")
    for c in clusters:
        score = "-" if c["mean_score"] is None else f"{c['mean_score']:.3f}"
        print(f"{c['name']:<38} {c['kind']:<12} {c['province']:<16} {len(c['needs']):>5} "
              f"{len(c['providers']):>5} {c['demand_fte']:>6.1f} {c['covered_fte']:>7.1f} "
              f"{score:>5} {c['potential']}")

    west = {c["name"] for c in clusters if c["province"] == "west-vlaanderen"}
    assert any(name.startswith("Kledijcluster ") for name in west)
    assert any(name.startswith("Displaycluster ") for name in west)
    # granular: one kind per cluster, and never one province-wide cluster per kind
    by_kind = defaultdict(list)
    for c in clusters:
        by_kind[c["kind"]].append(c)
        assert c["covered_fte"] <= c["demand_fte"] + 1e-9
    assert len(by_kind) >= 10
    assert any(len(group) > 1 for group in by_kind.values())
    # the shared capacity holds across all clusters of the run
    used: dict[tuple[str, str], float] = defaultdict(float)
    for c in clusters:
        for a in c["assignments"]:
            used[a["site_id"], a["level"]] += a["fte"]
    workforce = {}
    for provider_id in {p["provider_id"] for c in clusters for p in c["providers"]}:
        for w in client.get(f"/providers/{provider_id}/workforce", headers=headers).json():
            workforce[w["site_id"]] = w
    for (site_id, level), fte in used.items():
        assert fte <= workforce[site_id][f"free_fte_{level}"] + 1e-9
