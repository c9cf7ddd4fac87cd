"""JSON answers finished in the endpoint's worker thread.

For a synchronous endpoint FastAPI validates the returned value against the route's
``response_model`` in a second trip to the thread pool, and the request's session commits in a
third (``api.db.get_session``). :func:`json_response` does both where the endpoint already runs:
it validates ``value`` against ``model`` and dumps it as FastAPI would (``validate_python(...,
from_attributes=True)``, then ``dump_json(by_alias=True)``: the same bytes), then commits and
closes the session, and returns the bytes as the response. The order is the one FastAPI keeps:
a response that fails its schema is a 500 with nothing written; a client never sees a success
for a write that did not land. The route keeps its ``response_model`` for the OpenAPI schema.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from fastapi.exceptions import ResponseValidationError
from pydantic import TypeAdapter, ValidationError
from sqlmodel import Session
from starlette.responses import Response

from api.db import finish


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def json_response(session: Session, model: Any, value: Any, *,
                  status_code: int = 200) -> Response:
    """``value`` as ``model`` JSON, with the request's transaction committed (see above)."""
    adapter = _adapter(model)
    try:
        checked = adapter.validate_python(value, from_attributes=True)
    except ValidationError as exc:
        errors = [{**error, "loc": ("response", *error.get("loc", ()))}
                  for error in exc.errors(include_url=False)]
        raise ResponseValidationError(errors=errors, body=value) from exc
    body = adapter.dump_json(checked, by_alias=True)
    finish(session)
    return Response(body, status_code=status_code, media_type="application/json")
