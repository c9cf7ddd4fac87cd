"""The shared vocabularies of models/common.py."""

from __future__ import annotations

import matching
from models.common import SUPPORT_LEVELS, SupportLevel


def test_support_levels_are_the_enum_in_increasing_order_of_need() -> None:
    assert SUPPORT_LEVELS == ("low", "medium", "high")
    assert set(SUPPORT_LEVELS) == {level.value for level in SupportLevel}


def test_the_engine_uses_the_same_support_levels() -> None:
    # matching/ may not import models/, so it keeps its own constant; it must not drift
    assert matching.SUPPORT_LEVELS == SUPPORT_LEVELS
