"""Department staff acting for a company: the one rule for writes on a company's behalf.

Companies may ask the administration for support when they outsource work to
maatwerkbedrijven (seeds 003:30-32). A company that sets ``brokered_by_department`` lets
department staff post and edit its needs, move them through their statuses, send its leads and
contract or withdraw them for it; revoking the flag ends that at once. Every such action is
audited with the staff member as actor and the company as ``on_behalf_of``, and the need or
lead names the staff member last acting for the company (``brokered_by_user_id``).

Callers check visibility first (404 before 403, so existence never leaks) and then ask
:func:`acting_for` whether the user may act on the company side.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlmodel import Session, col, select

from api.errors import Forbidden, NotFound
from api.services.access import can_read, is_staff
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site


def allows_brokering(session: Session, organisation_id: uuid.UUID) -> bool:
    org = session.get(Organisation, organisation_id)
    return org is not None and org.kind == "company" and org.brokered_by_department


def acting_for(session: Session, user: User, company_id: uuid.UUID,
               action: str) -> uuid.UUID | None:
    """May ``user`` do ``action`` on the company side for ``company_id``?

    Returns ``None`` when the user acts for its own organisation, the company's id when it acts
    on the company's behalf (a staff member of a company that allows it, or an admin), and
    raises ``Forbidden`` otherwise.
    """
    if user.organisation_id == company_id:
        return None
    if user.role == "admin":
        return company_id
    if is_staff(user):
        if allows_brokering(session, company_id):
            return company_id
        raise Forbidden(f"Department staff may {action} for a company only when it allows it "
                        "(brokered_by_department); this company does not")
    raise Forbidden(f"Only the company may {action}")


def on_behalf_of(actor: User | None, company_id: uuid.UUID) -> uuid.UUID | None:
    """The company ``actor`` acted for when it is not its own organisation (already allowed)."""
    if actor is None or actor.organisation_id == company_id:
        return None
    return company_id


def mark(row: Any, user: User | None, for_company: uuid.UUID | None) -> None:
    """Name the staff member on a need or lead they just changed for its company."""
    if for_company is not None and user is not None:
        row.brokered_by_user_id = user.id


def writable_need(session: Session, user: User, need_id: uuid.UUID, action: str, *,
                  lock: bool = False) -> tuple[Need, uuid.UUID | None]:
    """The need, if ``user`` may ``action`` it, and the company it acts for (or ``None``)."""
    need = session.get(Need, need_id, with_for_update=lock or None)
    return _writable(session, user, need, need_id, action)


def writable_need_and_site(session: Session, user: User, need_id: uuid.UUID, action: str, *,
                           lock: bool = False) -> tuple[Need, Site, uuid.UUID | None]:
    """:func:`writable_need` with the need's site, read in the same round trip (the lock, if
    any, is the need's only)."""
    stmt = select(Need, Site).join(Site, col(Site.id) == Need.site_id).where(Need.id == need_id)
    if lock:
        stmt = stmt.with_for_update(of=Need).execution_options(populate_existing=True)
    row = session.exec(stmt).first()
    need, site = row if row is not None else (None, None)
    need, for_company = _writable(session, user, need, need_id, action)
    assert site is not None  # found with its need (the join is inner)
    return need, site, for_company


def _writable(session: Session, user: User, need: Need | None, need_id: uuid.UUID,
              action: str) -> tuple[Need, uuid.UUID | None]:
    if need is None or not can_read(user, need.organisation_id):
        raise NotFound(f"Need {need_id} not found")
    return need, acting_for(session, user, need.organisation_id, action)
