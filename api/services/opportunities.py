"""A provider's opportunities as its home page lists them: the open needs for which one of its
capabilities ranks among the top ``DIGEST_TOP_K`` (the opportunity digest's rule, DESIGN §14),
ranked by the same engine as the match pages. The digest adds its minimum score and its
24-hour window; the home page shows every open need the provider ranks that high for.
"""

from __future__ import annotations

import uuid

from sqlmodel import Session, col, select

from api.config import Settings
from api.services.matching import (
    ENGINES,
    current_weights,
    engine_config,
    need_profile,
    opportunities_for_provider,
)
from api.services.notifications import DIGEST_TOP_K
from models.matching import MatchItem
from models.need import Need
from models.organisation import User
from models.site import Site

#: best-scoring open needs considered before the top-k check (a home page shows a handful)
CANDIDATES = 30


def top_ranked(session: Session, user: User, settings: Settings, provider_id: uuid.UUID, *,
               limit: int, lang: str) -> list[MatchItem]:
    """Up to ``limit`` open needs, best score first, one item per need (its best capability),
    for which the provider is among the top ``DIGEST_TOP_K`` candidates. Another tenant's
    provider id is a 404, as on ``GET /providers/{id}/opportunities``."""
    page = opportunities_for_provider(session, user, settings, provider_id, limit=CANDIDATES,
                                      lang=lang)
    best: dict[uuid.UUID, MatchItem] = {}
    for item in page.items:
        if item.need_id not in best or item.score > best[item.need_id].score:
            best[item.need_id] = item
    if not best:
        return []
    rows = session.exec(select(Need, Site).join(Site, col(Site.id) == Need.site_id)
                        .where(col(Need.id).in_(list(best)))).all()
    engine = ENGINES.get(session, current_weights(session), engine_config(settings))
    # one batch: equal to ranking each need on its own, as the digest does
    ranked = engine.rank_many([need_profile(need, site) for need, site in rows],
                              k=DIGEST_TOP_K)
    ranked_high = {need.id for (need, _site), result in zip(rows, ranked, strict=True)
                   if any(c.provider_id == str(provider_id) for c in result.items)}
    kept = [item for item in best.values() if item.need_id in ranked_high]
    kept.sort(key=lambda i: (-i.score, i.distance_km, str(i.need_id)))
    return kept[:limit]
