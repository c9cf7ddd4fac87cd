"""docker-compose.yml and the Dockerfile: the properties DESIGN §16 asks for (no Docker engine
runs here, so the files are parsed and checked)."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((ROOT / "docker-compose.yml").read_text())


@pytest.fixture(scope="module")
def dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")]


def test_compose_services_and_start_order(compose) -> None:  # noqa: ANN001
    services = compose["services"]
    assert set(services) == {"db", "redis", "migrate", "api", "worker"}
    assert services["migrate"]["depends_on"]["db"]["condition"] == "service_healthy"
    for name in ("api", "worker"):
        deps = services[name]["depends_on"]
        assert deps["migrate"]["condition"] == "service_completed_successfully"
        assert deps["db"]["condition"] == "service_healthy"
    assert services["api"]["depends_on"]["redis"]["condition"] == "service_healthy"
    # one way to migrate: the api and the worker never do it themselves
    for name in ("api", "worker"):
        assert "migrate" not in " ".join(services[name]["command"])
        assert "alembic" not in " ".join(services[name]["command"])
    assert services["migrate"]["command"] == ["koppel", "migrate"]
    assert services["worker"]["command"] == ["koppel", "worker"]


def test_compose_restart_policies_and_health_checks(compose) -> None:  # noqa: ANN001
    services = compose["services"]
    for name in ("db", "redis", "api", "worker"):
        assert services[name]["restart"] in ("always", "unless-stopped", "on-failure"), name
    assert services["migrate"]["restart"] == "no"  # one-shot
    for name in ("db", "redis", "api"):
        assert services[name]["healthcheck"]["test"], name
    assert "/ready" in " ".join(services["api"]["healthcheck"]["test"])


def test_compose_takes_secrets_from_the_environment(compose) -> None:  # noqa: ANN001
    for name, service in compose["services"].items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if re.search(r"PASSWORD|SECRET", key):
                assert re.fullmatch(r"\$\{[A-Z_]+(:\?[^}]*)?\}", value), (name, key, value)
            if "://" in value and "@" in value:  # a URL with credentials
                userinfo = value.split("://", 1)[1].split("@", 1)[0]
                # user and password are both ${…} references: nothing literal is left
                assert re.sub(r"\$\{[^}]*\}", "", userinfo) in ("", ":"), (name, key)
    env = compose["services"]["api"]["environment"]
    assert env["REDIS_URL"].startswith("redis://redis:")
    assert env["ENVIRONMENT"] == "production"


def test_compose_images_are_pinned(compose) -> None:  # noqa: ANN001
    for name in ("db", "redis"):
        image = compose["services"][name]["image"]
        repo, _, tag = image.partition(":")
        assert re.match(r"\d+\.\d+(\.\d+)?", tag), image  # a full version, not 16 or latest
    assert compose["services"]["db"]["image"].startswith("postgres:16.")


def test_dockerfile_pinned_non_root_with_health_check(dockerfile) -> None:  # noqa: ANN001
    froms = [line.split()[1] for line in dockerfile if line.upper().startswith("FROM ")]
    assert froms
    for image in froms:
        assert re.fullmatch(r"python:3\.11\.\d+-slim-bookworm", image), image
    last_from = max(i for i, line in enumerate(dockerfile) if line.upper().startswith("FROM "))
    final = dockerfile[last_from:]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users, "the final stage must switch to a user"
    assert users[-1].split(":")[0] not in ("root", "0")
    assert any(line.upper().startswith("HEALTHCHECK ") for line in final)
    installs = [line for line in dockerfile if "pip install" in line]
    assert installs
    assert not any(re.search(r"\s-e\s|--editable", line) for line in installs)
    assert any("-r /tmp/requirements.lock" in line and "--require-hashes" in line
               for line in installs)
    assert any(".whl" in line and "--no-deps" in line for line in installs)
    assert not any("migrations" in line for line in dockerfile if line.startswith("COPY"))


def test_migrations_ship_as_package_data() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["api"]
    files = [p.relative_to(ROOT / "api").as_posix()
             for p in (ROOT / "api" / "migrations").rglob("*")
             if p.is_file() and "__pycache__" not in p.parts]
    assert any(f.startswith("versions/") for f in (x.removeprefix("migrations/") for x in files))
    unshipped = [f for f in files if not any(fnmatch.fnmatch(f, pat) for pat in patterns)]
    assert unshipped == []
    from api.migrate import alembic_config

    location = Path(alembic_config().get_main_option("script_location"))
    assert location == ROOT / "api" / "migrations"  # found beside the package, not via ROOT


def test_requirements_lock_is_the_export_of_uv_lock() -> None:
    import shutil
    import subprocess

    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not installed (scripts/bootstrap.sh installs it)")
    exported = subprocess.run(
        [uv, "export", "--quiet", "--frozen", "--no-emit-project", "--format",
         "requirements-txt", "--no-header"], cwd=ROOT, capture_output=True, text=True,
        check=True, timeout=120).stdout
    # uv.lock matches pyproject.toml (no resolution needed)
    subprocess.run([uv, "lock", "--check", "--offline", "--quiet"], cwd=ROOT, check=True,
                   timeout=120)
    committed = (ROOT / "requirements.lock").read_text()
    body = "\n".join(line for line in committed.splitlines() if not line.startswith("#"))
    assert body.strip() == "\n".join(
        line for line in exported.splitlines() if not line.startswith("#")).strip()
    assert "fastapi==" in committed
    assert "--hash=sha256:" in committed
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "fastapi>=0.121.1,<1" in config["project"]["dependencies"]
    assert isinstance(config["project"]["license"], str)  # SPDX string, not a table
