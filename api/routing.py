"""One worker-thread trip per request.

The database drivers block, so the work that talks to the database runs in Starlette's thread
pool. FastAPI on its own makes a trip for every synchronous dependency, one for a synchronous
endpoint, one to validate its response and one for the session's commit: four hand-offs
between the event loop and a worker thread for a plain authenticated request. Each costs a
queue hand-off, a wake-up and GIL traffic; in a 90-second A/B of the load benchmark, one trip
instead of four gave 180–183 against 166–174 requests/s (``bench/RESULTS.md``).

:class:`TransactionRoute` turns that into one trip. It wraps each synchronous endpoint in a
coroutine that runs, in a single worker thread and in this order:

1. **the user check**: the bearer token's signature, expiry and (for staff-only routes) its
   role claim are checked by coroutine dependencies before input validation; the check
   against the user row (still active, token not revoked by a password change or erasure,
   role still staff) waits for this trip (:class:`api.deps.BearerClaim`);
2. **the endpoint**;
3. **the response validation**, before the commit, so a response that fails its schema
   leaves nothing written and nothing a response validator reads lazily after the commit;
4. **the commit** of the request's session.

The request session's exit (``api.db.get_session``) then only closes a session that holds no
transaction, which is plain Python. A failure at any step propagates with nothing committed,
and the session's exit rolls back as before.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends
from fastapi.exceptions import RequestValidationError, ResponseValidationError
from fastapi.routing import APIRoute, APIRouter
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response

from api.db import get_session
from api.deps import BearerClaim, get_current_user, require_staff
from api.inputs import unstorable_input

#: the wrapper's own parameter for the request session (the same object the endpoint and its
#: dependencies get: FastAPI solves a dependency once per request)
SESSION_PARAMETER = "koppel_request_session"


class TransactionRoute(APIRoute):
    """An ``APIRoute`` whose synchronous endpoint runs with its commit in one thread trip."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **kwargs: Any) -> None:
        if inspect.iscoroutinefunction(endpoint):
            raise TypeError(
                f"{endpoint.__qualname__}: Koppel endpoints are synchronous functions; "
                "TransactionRoute runs them, their user check and their commit in one "
                "worker-thread trip")
        super().__init__(path, _one_trip(endpoint, self), **kwargs)
        _check_user_consumers(self.dependant, endpoint.__qualname__)

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def checked(request: Request) -> Response:
            # input the database cannot store is a 422 naming the field, for every route
            if errors := await unstorable_input(request):
                raise RequestValidationError(errors)
            return await handler(request)

        return checked


def _check_user_consumers(dependant: Any, where: str) -> None:
    """Only the endpoint may take the user: a dependency would get the unchecked claim."""
    claims = (get_current_user, require_staff)
    for sub in dependant.dependencies:
        if sub.call not in claims and any(d.call in claims for d in sub.dependencies):
            raise TypeError(
                f"{where}: dependency {getattr(sub.call, '__qualname__', sub.call)} takes the "
                "current user; dependencies get an unchecked BearerClaim, so take the user "
                "(CurrentUser / StaffUser) in the endpoint and pass it on")
        _check_user_consumers(sub, where)


def _one_trip(endpoint: Callable[..., Any], route: TransactionRoute) -> Callable[..., Any]:
    signature = inspect.signature(endpoint, eval_str=True)
    if SESSION_PARAMETER in signature.parameters:
        raise TypeError(f"{endpoint.__qualname__}: {SESSION_PARAMETER!r} is reserved")
    hidden = inspect.Parameter(SESSION_PARAMETER, inspect.Parameter.KEYWORD_ONLY,
                               annotation=Annotated[Session,
                                                    Depends(get_session, scope="function")])
    parameters = list(signature.parameters.values())
    # keyword-only parameters go last; the endpoint's own may already include some
    parameters.append(hidden)

    @functools.wraps(endpoint)
    async def run(**values: Any) -> Any:
        session: Session = values.pop(SESSION_PARAMETER)
        return await run_in_threadpool(_run, endpoint, route, session, values)

    run.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return run


def _run(endpoint: Callable[..., Any], route: TransactionRoute, session: Session,
         values: dict[str, Any]) -> Any:
    users: dict[int, Any] = {}
    for name, value in values.items():
        if isinstance(value, BearerClaim):
            # one check per claim: parameters with the same dependency share its object
            if id(value) not in users:
                users[id(value)] = value.user(session)
            values[name] = users[id(value)]
    result = endpoint(**values)
    field = route.response_field
    if field is not None and not isinstance(result, Response):
        result, errors = field.validate(result, {}, loc=("response",))
        if errors:
            raise ResponseValidationError(errors=errors, body=result)
    session.commit()
    return result


class Router(APIRouter):
    """An ``APIRouter`` whose routes are :class:`TransactionRoute` s (every Koppel router)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("route_class", TransactionRoute)
        super().__init__(**kwargs)
