"""Partnerships for one need: 2-4 provider sites that together cover what no single one can.

The candidates are the matching engine's ranked candidates (excluded ones never take part),
with their sites' free workforce read in the request's transaction; the combination search is
pure (:mod:`matching.partnership`). Sending a proposal creates one lead per member through the
lead service, all in the request's one transaction: one member failing rolls all back.
"""

from __future__ import annotations

import threading
import uuid
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from sqlmodel import Session, col, select

from api.config import Settings
from api.errors import Conflict, NotFound
from api.services import lead_views
from api.services import leads as lead_service
from api.services.access import can_read, get_writable
from api.services.matching import ENGINES, MATCH_PAGES, engine_config, need_profile, reason_labels
from api.services.weights import current_weights
from matching import CapabilityProfile, MatchingEngine, Weights, partnership
from matching.coverage import SUPPORT_LEVELS, ratios_of
from matching.partnership import PartnerCandidate, Proposal
from matching.types import Candidate, MatchResult, NeedProfile, Reason
from models.lead import Lead, LeadCreate
from models.matching import NearbyPublic, ReasonPublic
from models.need import Need
from models.organisation import User
from models.partnership import (
    FteBySupport,
    PartnershipDiagnosis,
    PartnershipLeadsCreate,
    PartnershipLeadsPublic,
    PartnershipMember,
    PartnershipPublic,
    PartnershipsPublic,
)
from models.site import Site

CANDIDATES = 40
"""Ranked candidates read per need: enough for :data:`matching.partnership.TOP_N` distinct
sites when a site offers several capabilities."""
MAX_LIMIT = 10
_NEARBY = 5


def _readable(session: Session, user: User, need_id: uuid.UUID) -> tuple[Need, Site]:
    row = session.exec(select(Need, Site).join(Site, col(Site.id) == Need.site_id)
                       .where(col(Need.id) == need_id)).first()
    if row is None or not can_read(user, row[0].organisation_id):
        raise NotFound(f"Need {need_id} not found")
    return row[0], row[1]


def _ratios(settings: Settings) -> tuple[float, float, float]:
    config = engine_config(settings)
    return ratios_of({"low": config.supervision_ratio_low,
                      "medium": config.supervision_ratio_medium,
                      "high": config.supervision_ratio_high})


_PROFILES: weakref.WeakKeyDictionary[MatchingEngine, dict[str, CapabilityProfile]] = (
    weakref.WeakKeyDictionary())
_PROFILES_LOCK = threading.Lock()


def _profiles(engine: MatchingEngine) -> dict[str, CapabilityProfile]:
    """The engine's capability profiles by id (one dict per fitted engine)."""
    with _PROFILES_LOCK:
        found = _PROFILES.get(engine)
        if found is None:
            found = _PROFILES[engine] = {p.id: p for p in engine.capabilities_}
        return found


_LEVEL_OR_SUPERVISION = frozenset({"no_free_capacity_at_level", "no_supervision"})


def _as_partners(profiles: dict[str, CapabilityProfile],
                 ranked: Sequence[Candidate]) -> list[PartnerCandidate]:
    out = []
    for c in ranked:
        p = profiles[c.capability_id]
        out.append(PartnerCandidate(c.capability_id, c.site_id, c.provider_id, c.provider_name,
                                    c.municipality, float(c.distance_km), float(c.score),
                                    p.free_fte, p.supervisors_free))
    return out


def _candidates(engine: MatchingEngine, result: MatchResult) -> list[PartnerCandidate]:
    """The ranked candidates with their site's free workforce as the engine ranked them.

    The engine follows every catalogue write before it is used (a workforce change gives a
    new fitted engine), so these are today's figures, the same the ranking used.
    """
    return _as_partners(_profiles(engine), result.items)


@dataclass(frozen=True)
class _Computed:
    engine: MatchingEngine
    profile: NeedProfile
    weights_version: str
    uncovered: float
    best_single: float
    best_name: str | None
    proposals: list[Proposal]
    candidates: list[PartnerCandidate]
    ratios: tuple[float, float, float]


def _compute(session: Session, need: Need, site: Site, settings: Settings, limit: int, *,
             engine: MatchingEngine | None = None, weights: Weights | None = None) -> _Computed:
    if engine is None or weights is None:
        weights = current_weights(session)
        engine = ENGINES.get(session, weights, engine_config(settings))
    profile = need_profile(need, site)
    result = engine.rank(profile, k=CANDIDATES)
    candidates = _candidates(engine, result)
    ratios = _ratios(settings)
    uncovered = round(max(0.0, profile.fte - profile.contracted_fte), 6)
    best_single, best_name = 0.0, None
    for c in candidates:
        fte = partnership.single_capacity(c, profile.placement_mode,
                                          profile.accommodates_support, uncovered, ratios).fte
        if fte > best_single + 1e-9:
            best_single, best_name = fte, c.provider_name
    proposals = partnership.propose(
        candidates, placement_mode=profile.placement_mode,
        accommodates_support=profile.accommodates_support, uncovered_fte=uncovered,
        binding=profile.binding, limit=limit, ratios=ratios)
    return _Computed(engine, profile, weights.version, uncovered, round(best_single, 6),
                     best_name, proposals, candidates, ratios)


def _reason(code: str, text: str, params: dict) -> ReasonPublic:
    return ReasonPublic(code=code, text=text, params=params)


def _render(reasons: Sequence[Reason], lang: str) -> list[ReasonPublic]:
    labels = reason_labels(lang)
    return [ReasonPublic(code=r.code, text=partnership.render(r, lang, labels),
                         params={k: list(v) if isinstance(v, tuple) else v
                                 for k, v in r.params.items()}) for r in reasons]


def _public(index: int, p: Proposal, lang: str) -> PartnershipPublic:
    members = [PartnershipMember(
        capability_id=m.candidate.capability_id, site_id=m.candidate.site_id,
        provider_id=m.candidate.provider_id, provider_name=m.candidate.provider_name,
        municipality=m.candidate.municipality, fte=m.fte,
        fte_by_support=FteBySupport(low=round(m.coverage.low, 6),
                                    medium=round(m.coverage.medium, 6),
                                    high=round(m.coverage.high, 6)),
        supervisors=m.coverage.supervisors, distance_km=round(m.candidate.distance_km, 3),
        score=round(m.candidate.score, 6)) for m in p.members]
    return PartnershipPublic(index=index, key=p.key, members=members,
                             covered_fte=p.covered_fte, uncovered_fte=p.uncovered_fte,
                             mean_distance_km=p.mean_distance_km, mean_score=p.mean_score,
                             reasons=_render(p.reasons, lang))


def _notice(c: _Computed, lang: str) -> ReasonPublic | None:
    en = lang == "en"
    if c.proposals:
        return None
    if c.uncovered <= 1e-9:
        return _reason("nothing_uncovered",
                       "The need's FTE are all contracted" if en
                       else "De VTE van deze vraag zijn allemaal gecontracteerd", {})
    if c.best_single >= c.uncovered - 1e-9:
        return _reason("single_provider_covers",
                       f"A single provider covers the need on its own: {c.best_name}" if en
                       else f"Eén aanbieder dekt de vraag alleen: {c.best_name}",
                       {"provider": c.best_name})
    return _reason("no_combination",
                   "No combination of 2 to 4 sites covers more than the best single site" if en
                   else "Geen combinatie van 2 tot 4 vestigingen dekt meer dan de beste "
                   "vestiging alleen", {"best_single_fte": c.best_single})


def _num(value: float, lang: str) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",") if lang == "nl" else text


def _diagnosis(c: _Computed, lang: str) -> PartnershipDiagnosis | None:
    """What is missing when no combination covers the whole need."""
    best = c.proposals[0].covered_fte if c.proposals else c.best_single
    if c.uncovered <= 1e-9 or best >= c.uncovered - 1e-9:
        return None
    profile = c.profile
    excluded = c.engine.rank(profile, k=CANDIDATES, include_excluded=True).excluded
    by_code: dict[str, list] = {}
    for cand in excluded:
        for code in {r.code for r in cand.excluded or ()}:
            by_code.setdefault(code, []).append(cand)
    far = by_code.get("too_far", [])
    far_profiles = _profiles(c.engine)
    # sites kept out only by the support level or the supervision: what they lack is missing
    lacking = [x for x in excluded
               if {r.code for r in x.excluded or ()} <= _LEVEL_OR_SUPERVISION]
    short = partnership.shortage(
        [*c.candidates, *_as_partners(far_profiles, lacking)],
        placement_mode=profile.placement_mode, accommodates_support=profile.accommodates_support,
        uncovered_fte=c.uncovered, best_covered_fte=best, ratios=c.ratios)
    far_fte = sum(sum(far_profiles[x.capability_id].free_fte) for x in far
                  if x.capability_id in far_profiles)
    en = lang == "en"
    level = reason_labels(lang)["support_level"].get(profile.accommodates_support,
                                                     profile.accommodates_support)
    summary = [
        f"The best combination covers {_num(best, lang)} of {_num(c.uncovered, lang)} FTE" if en
        else f"De beste combinatie dekt {_num(best, lang)} van {_num(c.uncovered, lang)} VTE"]
    if short.fte_above_level > 1e-9:
        summary.append(
            f"{_num(short.fte_above_level, lang)} FTE are free at support levels above what "
            f"the workplace accommodates ({level})" if en
            else f"{_num(short.fte_above_level, lang)} VTE zijn vrij op een hogere "
            f"begeleidingsgraad dan de werkplek aankan ({level})")
    if short.supervisors_short:
        summary.append(
            f"{_num(short.fte_without_supervisor, lang)} FTE lack a supervisor: "
            f"{short.supervisors_short} more supervisor(s) needed" if en
            else f"{_num(short.fte_without_supervisor, lang)} VTE hebben geen begeleider: nog "
            f"{short.supervisors_short} begeleider(s) nodig")
    if far:
        summary.append(
            f"{len(far)} provider(s) with {_num(far_fte, lang)} free FTE are too far away" if en
            else f"{len(far)} aanbieder(s) met {_num(far_fte, lang)} VTE vrij liggen te ver")
    if len(summary) == 1:
        summary.append("Providers within reach have no more free workers" if en
                       else "Aanbieders binnen bereik hebben geen vrije medewerkers meer")
    counts: dict[str, int | bool] = {"considered": short.sites_considered,
                                     "supervisors_short": short.supervisors_short}
    for code in ("too_far", "placement_mode", "certification", "shift", "no_free_capacity",
                 "no_free_capacity_at_level", "no_supervision"):
        counts[code] = len(by_code.get(code, []))
    nearest = [NearbyPublic(capability_id=x.capability_id, provider_id=x.provider_id,
                            provider_name=x.provider_name, site_id=x.site_id,
                            municipality=x.municipality,
                            activity=far_profiles[x.capability_id].activity,
                            relation="exact" if far_profiles[x.capability_id].activity
                            == profile.activity else "group",
                            distance_km=round(x.distance_km, 3))
               for x in sorted(far, key=lambda x: (x.distance_km, x.capability_id))
               if x.capability_id in far_profiles][:_NEARBY]
    return PartnershipDiagnosis(
        summary=summary, counts=counts, nearest_related=nearest,
        fte={"uncovered": c.uncovered, "best_covered": round(best, 6),
             "above_accepted_level": short.fte_above_level,
             "without_supervisor": short.fte_without_supervisor,
             "too_far": round(far_fte, 6)})


def partnerships_for_need(session: Session, user: User, settings: Settings,
                          need_id: uuid.UUID, *, limit: int, lang: str) -> PartnershipsPublic:
    """Up to ``limit`` proposals for the need (its company, or staff; others 404)."""
    return PartnershipsPublic.model_validate_json(partnerships_json(
        session, user, settings, need_id, limit=limit, lang=lang))


def partnerships_json(session: Session, user: User, settings: Settings, need_id: uuid.UUID,
                      *, limit: int, lang: str) -> bytes:
    """The ``PartnershipsPublic`` page as its JSON body.

    Like a match page it depends only on the fitted engine (its data, including the free
    workforce, weights and configuration), the need's profile and the parameters, so it is
    kept with the match pages (``MATCH_PAGES``, per engine) and served again until one changes.
    """
    need, site = _readable(session, user, need_id)
    weights = current_weights(session)
    engine = ENGINES.get(session, weights, engine_config(settings))
    key = ("partnerships", need_profile(need, site), limit, lang)
    if (page := MATCH_PAGES.get(engine, key)) is not None:
        return page
    c = _compute(session, need, site, settings, limit, engine=engine, weights=weights)
    body = PartnershipsPublic(
        need_id=need.id, weights_version=c.weights_version, language=lang,
        uncovered_fte=c.uncovered, best_single_fte=c.best_single,
        items=[_public(i, p, lang) for i, p in enumerate(c.proposals)],
        notice=_notice(c, lang), diagnosis=_diagnosis(c, lang)
    ).model_dump_json().encode()
    MATCH_PAGES.put(engine, key, body)
    return body


def send_partnership_leads(session: Session, user: User, settings: Settings,
                           need_id: uuid.UUID, index: int, data: PartnershipLeadsCreate,
                           lang: str) -> PartnershipLeadsPublic:
    """One lead per member of proposal ``index``, all or none (409 naming the failing member).

    The need's row is locked first, so parallel sends of one need are serialised and the
    second finds the first one's open leads (409); the proposal is recomputed under that lock
    and must still carry the key the client saw.
    """
    need = get_writable(session, Need, need_id, "Need", user, lock=True)
    site = session.get(Site, need.site_id)
    if site is None:  # a need's site cannot be deleted while the need refers to it
        raise NotFound(f"Site {need.site_id} not found")
    if need.status != "open":
        raise Conflict(f"Need is {need.status}; leads can only be sent for open needs",
                       current_status=need.status)
    c = _compute(session, need, site, settings, index + 1)
    if index >= len(c.proposals):
        raise Conflict(f"The proposals changed: there is no proposal {index} any more "
                       f"({len(c.proposals)} now); fetch GET /needs/{need_id}/partnerships "
                       "again", proposals=len(c.proposals))
    proposal = c.proposals[index]
    if proposal.key != data.key:
        raise Conflict(f"The proposals changed: proposal {index} is now a different "
                       f"combination; fetch GET /needs/{need_id}/partnerships again",
                       current_key=proposal.key)
    partnership_id = uuid.uuid4()
    members = [{"capability_id": m.candidate.capability_id, "site_id": m.candidate.site_id,
                "provider_name": m.candidate.provider_name,
                "municipality": m.candidate.municipality, "proposed_fte": m.fte,
                "fte_by_support": {lvl: round(getattr(m.coverage, lvl), 6)
                                   for lvl in SUPPORT_LEVELS},
                "supervisors": m.coverage.supervisors} for m in proposal.members]
    info = {"id": str(partnership_id), "index": index, "key": proposal.key,
            "covered_fte": proposal.covered_fte, "need_fte": proposal.need_fte,
            "members": members}
    sent: list[Lead] = []
    for i, m in enumerate(proposal.members):
        try:
            sent.append(lead_service.send_lead(
                session, user, need.id, LeadCreate(capability_id=m.candidate.capability_id),
                settings, lang, partnership=info, proposed_fte=m.fte))
        except Conflict as exc:
            # the request's transaction rolls back: the members sent before are undone too
            raise Conflict(f"Member {i} ({m.candidate.provider_name}, "
                           f"{m.candidate.municipality}) could not be sent: {exc.detail}; "
                           "no lead of this partnership was sent",
                           **{**exc.extra, "member_index": i,
                              "capability_id": m.candidate.capability_id,
                              "provider_name": m.candidate.provider_name}) from exc
    session.flush()
    return PartnershipLeadsPublic(need_id=need.id, partnership_id=partnership_id,
                                  covered_fte=proposal.covered_fte,
                                  leads=lead_views.present(session, sent, viewer=user))
