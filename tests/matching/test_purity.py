"""The matching core stays pure: no database, web framework or HTTP client imports."""

from __future__ import annotations

import ast
from pathlib import Path

import matching

FORBIDDEN = {"api", "models", "sqlmodel", "sqlalchemy", "fastapi", "httpx"}
PACKAGE = Path(matching.__file__).parent


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_matching_modules_are_found():
    assert len(list(PACKAGE.rglob("*.py"))) >= 7


def test_matching_imports_no_database_web_or_http_code():
    offenders = {
        str(path.relative_to(PACKAGE)): sorted(imported_roots(path) & FORBIDDEN)
        for path in sorted(PACKAGE.rglob("*.py"))
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_check_detects_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import numpy\nfrom sqlmodel import Session\nimport httpx.client\n")
    assert imported_roots(bad) & FORBIDDEN == {"sqlmodel", "httpx"}
