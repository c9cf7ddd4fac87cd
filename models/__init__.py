"""Tables and schemas. Importing this package registers every table on SQLModel.metadata."""

from models.audit import AuditEvent
from models.capability import Capability
from models.need import Need
from models.organisation import Organisation, User
from models.site import Site, Workforce

__all__ = ["AuditEvent", "Capability", "Need", "Organisation", "Site", "User", "Workforce"]
