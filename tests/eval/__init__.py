"""The match-quality evaluation set (scenarios.json), read by `koppel eval` and the tests."""

from __future__ import annotations

import json
from pathlib import Path

SCENARIOS_PATH = Path(__file__).with_name("scenarios.json")


def load_data() -> dict:
    return json.loads(SCENARIOS_PATH.read_text("utf-8"))
