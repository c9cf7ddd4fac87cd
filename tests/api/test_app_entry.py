"""The uvicorn entry point tunes the garbage collector for a long-lived server process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_server_entry_point_freezes_the_startup_heap(tmp_path: Path) -> None:
    code = ("import gc, json, api.app; "
            "print(json.dumps({'frozen': gc.get_freeze_count(), "
            "'threshold': gc.get_threshold()[0], 'paths': len(api.app.app.openapi()['paths'])}))")
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'entry.db'}",
           "ENVIRONMENT": "test"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True, timeout=120)
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["paths"] > 40
    assert result["frozen"] > 50_000  # the imported libraries, out of every collection
    assert result["threshold"] == 5_000
