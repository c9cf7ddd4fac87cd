"""Tables and schemas. Importing this package registers every table on SQLModel.metadata."""

from models.audit import AuditEvent
from models.capability import Capability
from models.cluster import Cluster, ClusterRun  # noqa: F401  (registers the cluster tables)
from models.lead import Lead
from models.need import Need, NeedTally
from models.notification import MailOptOut, NotificationSettings
from models.organisation import Organisation, User
from models.revision import CatalogueChange, DataRevision
from models.site import Site, Workforce
from models.token import RefreshTokenFamily
from models.webhook import DeliveryAttempt, OutboxEvent, WebhookEndpoint
from models.weights import MatchingWeightSet

__all__ = ["AuditEvent", "Capability", "CatalogueChange", "DataRevision", "DeliveryAttempt",
           "Lead", "MatchingWeightSet", "Need", "NeedTally", "Organisation", "OutboxEvent",
           "RefreshTokenFamily", "Site", "User", "WebhookEndpoint", "Workforce", "MailOptOut",
           "NotificationSettings"]
