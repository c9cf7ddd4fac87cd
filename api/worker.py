"""`koppel worker`: lead expiry, the periodic e-mails, delivery of the outbox (webhooks and
e-mail) and queued cluster runs, pass after pass.

A pass that fails on a database or network error is logged and counted
(``koppel_worker_pass_errors_total``), and the next one waits longer (doubling from the
interval up to :data:`MAX_BACKOFF_SECONDS`); the worker never exits because of one. SIGTERM
and SIGINT let the item in hand finish (a webhook POST, a cluster run) and then end the loop
with exit status 0.
"""

from __future__ import annotations

import logging
import signal
import threading
from dataclasses import dataclass, field

import httpx
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api import metrics
from api.config import Settings
from api.services.clusters import run_pending
from api.services.delivery import Dispatcher, Transports, deliver_due
from api.services.leads import expire_due
from api.services.mail import Mailer
from api.services.notifications import PeriodicMail

log = logging.getLogger("koppel.worker")
MAX_BACKOFF_SECONDS = 60.0


@dataclass
class Worker:
    engine: Engine
    settings: Settings
    interval: float = 5.0
    batch: int = 100
    stop: threading.Event = field(default_factory=threading.Event)
    failures: int = 0

    def install_signal_handlers(self) -> None:
        def request_stop(signum: int, _frame: object) -> None:
            log.info("stopping after the current item", extra={"signal": signum})
            self.stop.set()

        signal.signal(signal.SIGTERM, request_stop)
        signal.signal(signal.SIGINT, request_stop)

    def one_pass(self, transports: Transports, dispatcher: Dispatcher | None,
                 periodic: PeriodicMail) -> None:
        """One pass; ``dispatcher`` None means a synchronous delivery round (``--once``)."""
        with Session(self.engine) as session:
            expired = expire_due(session)
            session.commit()
        digests, reminders = periodic.run(self.engine)
        report = (deliver_due(self.engine, transports, batch=self.batch) if dispatcher is None
                  else dispatcher.pump())
        clustered = 0
        while not self.stop.is_set() and run_pending(self.engine, self.settings, limit=1):
            clustered += 1
        if expired or digests or reminders or report.attempted or clustered:
            log.info("pass", extra={"expired_leads": expired,
                                    "digests_queued": digests,
                                    "reminders_queued": reminders,
                                    "delivered": report.delivered,
                                    "retrying": report.retried,
                                    "failed": report.failed,
                                    "cluster_runs": clustered})

    def delay(self) -> float:
        if not self.failures:
            return self.interval
        return min(MAX_BACKOFF_SECONDS, self.interval * 2 ** min(self.failures, 16))

    def run(self, *, once: bool = False) -> int:
        periodic = PeriodicMail(self.settings)
        with httpx.Client(follow_redirects=False) as client:
            transports = Transports(client, Mailer(self.settings),
                                    self.settings.webhook_private_networks_allowed)
            log.info("e-mail goes to %s", transports.mailer.target)
            dispatcher = None if once else Dispatcher(self.engine, transports)
            try:
                while not self.stop.is_set():
                    try:
                        self.one_pass(transports, dispatcher, periodic)
                    except (DBAPIError, httpx.HTTPError, OSError) as exc:  # database or network
                        self._failed("database" if isinstance(exc, DBAPIError) else "network",
                                     exc)
                    except Exception as exc:  # noqa: BLE001 - a bug in one pass must not end the loop
                        self._failed("other", exc, trace=True)
                    else:
                        if self.failures:
                            log.info("recovered", extra={"failed_passes": self.failures})
                        self.failures = 0
                    if once:
                        break
                    self.stop.wait(self.delay())
            finally:
                if dispatcher is not None:
                    dispatcher.close()  # before the client closes: attempts in flight finish
        return 0

    def _failed(self, kind: str, exc: BaseException, *, trace: bool = False) -> None:
        self.failures += 1
        metrics.WORKER_ERRORS.labels(kind).inc()
        message = str(exc).splitlines()[0][:300] if str(exc) else ""
        log.warning("pass failed; retrying in %.1f s", self.delay(), exc_info=trace,
                    extra={"kind": kind, "error": type(exc).__name__, "detail": message,
                           "failed_passes": self.failures})
