"""Every module of ``api``, ``models`` and ``matching`` imports on its own.

An import cycle between our modules can hide when another module happens to be imported first
(as a test run or the app factory does), so each module is imported in a process whose
``sys.modules`` holds none of ours. Starting a new interpreter per module would re-import
FastAPI, SQLAlchemy, SciPy … 75 times; instead one fresh interpreter imports those third-party
libraries once (they cannot take part in a cycle of ours) and forks a child per module.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("api", "models", "matching")

# Runs in a new interpreter. A scout child imports all our modules and reports which
# third-party modules that pulled in; the runner imports those (never ours), then imports each
# module named on the command line in its own forked child, ``sys.argv[1]`` children at a time.
RUNNER = r"""
import gc, importlib, json, os, sys, tempfile, traceback

OURS = ("api", "models", "matching", "tests")


def ours(name):
    return name.split(".")[0] in OURS


def in_child(work):
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            os.write(write_end, work().encode())
            status = 0
        except BaseException:
            os.write(write_end, traceback.format_exc().encode())
            status = 1
        os._exit(status)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        output = pipe.read().decode()
    _, status = os.waitpid(pid, 0)
    return status, output


def import_in_child(module, path):
    # the child writes what went wrong to a file, not a pipe: the runner waits for whichever
    # child ends first, and a full pipe would keep a child from ending
    pid = os.fork()
    if pid == 0:
        status = 0
        try:
            importlib.import_module(module)
            output = ""
        except BaseException:
            output, status = traceback.format_exc(), 1
        with open(path, "w") as report:
            report.write(output)
        os._exit(status)
    return pid


parallel, modules = int(sys.argv[1]), sys.argv[2:]


def scout():
    for module in modules:
        importlib.import_module(module)
    return json.dumps([m for m in sys.modules if not ours(m)])


status, output = in_child(scout)
if status != 0:
    print(json.dumps({"failures": {"(all modules together)": output}}))
    sys.exit(0)
for lib in json.loads(output):
    try:
        importlib.import_module(lib)
    except Exception:
        pass
preloaded = sorted(m for m in sys.modules if ours(m))
if preloaded:
    print(json.dumps({"failures": {"(third-party preload)": f"imported ours: {preloaded}"}}))
    sys.exit(0)
# the preloaded heap is never garbage: without this, every child's first full collection walks
# all of it (about 0.15 s a child, a third of its import time)
gc.collect()
gc.freeze()

failures, running, pending = {}, {}, list(modules)
with tempfile.TemporaryDirectory() as reports:
    while pending or running:
        while pending and len(running) < parallel:
            module = pending.pop(0)
            path = os.path.join(reports, module)
            running[import_in_child(module, path)] = (module, path)
        pid, status = os.wait()
        module, path = running.pop(pid)
        with open(path) if os.path.exists(path) else open(os.devnull) as report:
            output = report.read()
        if status != 0:
            failures[module] = output or f"exit status {status}"
print(json.dumps({"failures": failures}))
"""


def our_modules() -> list[str]:
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__" or parts[:2] == ("api", "migrations"):
                continue  # Alembic runs migration scripts itself, inside its own context
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


def test_module_list_covers_the_packages() -> None:
    modules = our_modules()
    assert {"api", "api.main", "api.services.organisations", "models", "matching.engine"} <= set(
        modules)
    assert not [m for m in modules if m.startswith("tests")]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_every_module_imports_on_its_own() -> None:
    modules = our_modules()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    # one interpreter imports the third-party libraries once; two children at a time (the
    # machine's cores are shared)
    run = subprocess.run([sys.executable, "-c", RUNNER, "2", *modules], cwd=ROOT, env=env,
                         capture_output=True, text=True,
                         timeout=600)  # generous: the machine may be busy
    assert run.returncode == 0, run.stderr or run.stdout
    failures = json.loads(run.stdout.strip().splitlines()[-1])["failures"]
    assert failures == {}, "\n\n".join(f"{m}:\n{tb}" for m, tb in failures.items())
