"""A deadline on database I/O that holds when the server stops answering (PostgreSQL).

``statement_timeout`` is enforced by the server, so a paused or wedged server never sends it;
TCP keepalives do not help either, because the server's kernel still acknowledges every
packet. A worker thread blocked in libpq would wait as long as the server is silent.

:class:`Watchdog` watches every statement, commit and rollback of the engine's connections
(a psycopg ``Connection`` subclass and its cursor class). When one has run for
``timeout`` seconds, it asks the server's postmaster a one-byte question (an SSL request on
a fresh socket, :func:`answers`). No answer within :data:`PROBE_SECONDS` means the server is
hung: the watchdog shuts down the socket of every overdue connection to it, so the blocked
call fails at once with psycopg's ``OperationalError`` (a 503 problem, see
``api.errors``), and marks the server down for a moment so that pings and new connections
fail fast too instead of each waiting for its own timeout. An answer means the server is
alive and merely busy: the statement goes on until ``statement_timeout`` ends it.

A request on a hung server therefore gets its 503 within ``timeout`` + about 0.5 s, on a
pooled connection as on a fresh one (fresh ones are bounded by libpq's ``connect_timeout``).
"""

from __future__ import annotations

import contextlib
import os
import socket
import struct
import threading
import time
from collections.abc import Iterator
from typing import Any

import psycopg

PROBE_SECONDS = 0.3
SCAN_SECONDS = 0.1
#: how long a server found hung is refused without asking it again
DOWN_SECONDS = 1.0
_SSL_REQUEST = struct.pack("!ii", 8, 80877103)

Target = tuple[str, int]


def answers(target: Target, timeout: float = PROBE_SECONDS) -> bool:
    """Does the PostgreSQL server at ``target`` (host or socket directory, port) answer?"""
    host, port = target
    try:
        if host.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            address: Any = os.path.join(host, f".s.PGSQL.{port}")
        else:
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                 socket.SOCK_STREAM)
            address = (host, port)
        with sock:
            sock.settimeout(timeout)
            sock.connect(address)
            sock.sendall(_SSL_REQUEST)
            return sock.recv(1) != b""
    except OSError:
        return False


class ServerNotAnswering(psycopg.OperationalError):
    """The database server was found hung a moment ago."""


class Watchdog:
    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self._armed: dict[int, tuple[Target, int, float]] = {}  # id(conn) → target, fd, since
        self._down: dict[Target, float] = {}  # target → when it was found hung
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None

    # ---- used by the connections ----------------------------------------------------------

    def check_not_down(self, target: Target) -> None:
        """Fail fast while ``target`` was found hung within the last moment."""
        if not self._down:  # the usual case, read without the lock (a dict read is atomic)
            return
        with self._cond:
            since = self._down.get(target)
        if since is None:
            return
        if time.monotonic() - since < DOWN_SECONDS:
            raise ServerNotAnswering("the database server is not answering")
        if not answers(target):
            with self._cond:
                self._down[target] = time.monotonic()
            raise ServerNotAnswering("the database server is not answering")
        with self._cond:
            self._down.pop(target, None)

    @contextlib.contextmanager
    def watch(self, conn: psycopg.Connection, target: Target) -> Iterator[None]:
        self.check_not_down(target)
        key = id(conn)
        with self._cond:
            self._armed[key] = (target, conn.fileno(), time.monotonic())
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="koppel-db-watchdog",
                                                daemon=True)
                self._thread.start()
            # no notify: the thread looks at least every `timeout` seconds (see _run), soon
            # enough for a call armed now; waking it on every statement cost a thread switch
        try:
            yield
        finally:
            with self._cond:
                self._armed.pop(key, None)

    # ---- the watchdog thread --------------------------------------------------------------

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._armed:
                    # nothing to watch: look again after one timeout; a call armed meanwhile
                    # is then at most `timeout` old, and is waited for until it is overdue
                    self._cond.wait(self.timeout)
                    continue
                now = time.monotonic()
                overdue = {key: entry for key, entry in self._armed.items()
                           if now - entry[2] >= self.timeout}
                if not overdue:
                    first = min(since for _t, _fd, since in self._armed.values())
                    self._cond.wait(max(SCAN_SECONDS, first + self.timeout - now))
                    continue
            for target in {entry[0] for entry in overdue.values()}:
                alive = answers(target)
                with self._cond:
                    for key, entry in overdue.items():
                        if entry[0] != target or self._armed.get(key) != entry:
                            continue  # finished meanwhile
                        if alive:  # busy, not hung: look again after another timeout
                            self._armed[key] = (target, entry[1], time.monotonic())
                        else:
                            # under the lock: the call is still blocked, the fd still open
                            _shutdown(entry[1])
                    if not alive:
                        self._down[target] = time.monotonic()
            time.sleep(SCAN_SECONDS / 10)


def _shutdown(fd: int) -> None:
    with contextlib.suppress(OSError):
        with socket.socket(fileno=os.dup(fd)) as sock:
            sock.shutdown(socket.SHUT_RDWR)


class WatchedCursor(psycopg.Cursor):
    def execute(self, *args: Any, **kwargs: Any) -> Any:
        conn: WatchedConnection = self.connection  # type: ignore[assignment]
        with conn.koppel_watchdog.watch(conn, conn.koppel_target):
            return super().execute(*args, **kwargs)

    def executemany(self, *args: Any, **kwargs: Any) -> Any:
        conn: WatchedConnection = self.connection  # type: ignore[assignment]
        with conn.koppel_watchdog.watch(conn, conn.koppel_target):
            return super().executemany(*args, **kwargs)


class WatchedConnection(psycopg.Connection):
    koppel_watchdog: Watchdog
    koppel_target: Target

    def commit(self) -> None:
        with self.koppel_watchdog.watch(self, self.koppel_target):
            super().commit()

    def rollback(self) -> None:
        if self.broken:
            return super().rollback()  # raises at once; nothing to wait for
        with self.koppel_watchdog.watch(self, self.koppel_target):
            super().rollback()


def connect(watchdog: Watchdog, target: Target, cparams: dict[str, Any]) -> WatchedConnection:
    """A watched psycopg connection (SQLAlchemy's ``do_connect`` hook)."""
    watchdog.check_not_down(target)
    conn = WatchedConnection.connect(cursor_factory=WatchedCursor, **cparams)
    conn.koppel_watchdog = watchdog
    conn.koppel_target = target
    return conn
