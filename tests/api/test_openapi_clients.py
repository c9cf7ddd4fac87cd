"""Error responses in the OpenAPI document are Problems that a generated client can parse.

The client is generated once per session with openapi-python-client (into a temporary
directory) and driven through the test app, so the 404 and 422 bodies it parses are the ones
the API really sends.
"""

from __future__ import annotations

import importlib
import json
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest

from api.config import Settings
from api.main import create_app
from tests.factories import register, staff

PROBLEM = {"$ref": "#/components/schemas/Problem"}


def _spec() -> dict:
    return create_app(Settings(environment="test", database_url="sqlite:///:memory:")).openapi()


def test_every_error_response_is_a_problem_or_an_html_page() -> None:
    spec = _spec()
    assert "HTTPValidationError" not in json.dumps(spec)
    html = []
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            for code, response in operation["responses"].items():
                if code[0] not in "45":
                    continue
                content = response.get("content", {})
                if set(content) == {"text/html"}:
                    html.append((path, method, code))
                    continue
                assert content == {"application/problem+json": {"schema": PROBLEM}}, \
                    (path, method, code)
    # only the dashboard's own pages answer errors as HTML; their 422 is a problem too
    pages = {"/dashboard": "get", "/dashboard/login": "post", "/dashboard/cluster-runs": "post",
             "/dashboard/clusters/{cluster_id}": "get",
             "/dashboard/clusters/{cluster_id}/status": "post"}
    assert {path for path, _m, _c in html} <= set(pages)
    for path, method in pages.items():
        assert spec["paths"][path][method]["responses"][
            "422"]["content"] == {"application/problem+json": {"schema": PROBLEM}}
    item = spec["components"]["schemas"]["Problem"]["properties"]["errors"]
    assert "#/components/schemas/ValidationItem" in json.dumps(item)


@pytest.fixture(scope="session")
def generated_client(tmp_path_factory: pytest.TempPathFactory):  # noqa: ANN201
    tool = shutil.which("openapi-python-client") or str(
        Path(sys.executable).parent / "openapi-python-client")
    if not Path(tool).exists():
        pytest.skip("openapi-python-client is not installed (pip install -e '.[test]')")
    root = tmp_path_factory.mktemp("client")
    spec = root / "openapi.json"
    spec.write_text(json.dumps(_spec()), encoding="utf-8")
    subprocess.run([tool, "generate", "--path", str(spec), "--output-path",
                    str(root / "koppel_client"), "--meta", "none"],
                   check=True, capture_output=True, timeout=300)
    sys.path.insert(0, str(root))
    try:
        yield importlib.import_module("koppel_client")
    finally:
        sys.path.remove(str(root))


def _authenticated(package, client, token: str):  # noqa: ANN001, ANN202
    generated = package.AuthenticatedClient(base_url="http://testserver", token=token)
    client.headers["Authorization"] = f"Bearer {token}"
    generated.set_httpx_client(client)
    return generated


def test_a_generated_client_parses_404_and_422_into_problem(generated_client, client,  # noqa: ANN001
                                                            db) -> None:
    from koppel_client.api.audit import list_audit_events_audit_get as list_audit
    from koppel_client.api.needs import read_need_needs_need_id_get as read_need
    from koppel_client.models import Problem, ValidationItem

    company = register(client, "company")
    api = _authenticated(generated_client, client, company.token)
    missing = read_need.sync_detailed(need_id=uuid.uuid4(), client=api)
    assert missing.status_code == 404
    assert isinstance(missing.parsed, Problem)
    assert missing.parsed.status == 404

    api = _authenticated(generated_client, client, staff(client, db).token)
    invalid = list_audit.sync_detailed(client=api, since=datetime(1800, 1, 1, tzinfo=UTC))
    assert invalid.status_code == 422
    assert isinstance(invalid.parsed, Problem)
    assert [type(e) for e in invalid.parsed.errors] == [ValidationItem]
    assert invalid.parsed.errors[0].loc == ["query", "since"]
