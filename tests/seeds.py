"""Where the Dutch seed studies are: ``../shared/seeds`` beside the repository (``KOPPEL_SEEDS``
overrides). Tests that cite them fail under ``CI=true`` when they are missing, never skip."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SEEDS = Path(os.environ.get("KOPPEL_SEEDS")
             or Path(__file__).resolve().parents[1].parent / "shared" / "seeds")


def require_seeds() -> Path:
    if not SEEDS.is_dir():
        message = f"the seed studies are not at {SEEDS} (set KOPPEL_SEEDS)"
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail(message)
        pytest.skip(message)
    return SEEDS
