"""Form messages: schema errors next to their field, in Dutch on Dutch pages."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, Field, ValidationError

from api.errors import AppError
from api.web.forms import field_errors
from models.site import WorkforceUpdate


def _refusal(**fields: object) -> ValidationError:
    with pytest.raises(ValidationError) as info:
        WorkforceUpdate.model_validate(fields)
    return info.value


def test_schema_checks_read_in_dutch_next_to_their_fields() -> None:
    exc = _refusal(free_fte_low=-0.5, free_fte_medium="veel", free_fte_high=1)
    assert field_errors(exc, "nl") == {"free_fte_low": "Minstens 0",
                                       "free_fte_medium": "Geef een getal",
                                       "supervisors_available": "Vul dit veld in"}
    english = field_errors(exc, "en")
    assert english["free_fte_low"].startswith("Input should be greater than or equal to 0")


class _Fte(BaseModel):
    fte: float = Field(ge=0.1)


def test_bounds_are_written_with_a_decimal_comma() -> None:
    with pytest.raises(ValidationError) as info:
        _Fte(fte=0)
    assert field_errors(info.value, "nl") == {"fte": "Minstens 0,1"}


def test_service_messages_keep_their_text() -> None:
    exc = AppError("Unknown postcode 9999", errors=[{"loc": ["body", "postcode"],
                                                     "msg": "Unknown postcode 9999"}])
    assert field_errors(exc, "nl") == {"postcode": "Unknown postcode 9999"}


def test_known_service_messages_read_in_dutch_on_dutch_pages() -> None:
    taken = AppError("An account with this email already exists",
                     errors=[{"loc": ["body", "user", "email"], "msg": "already registered"}])
    assert field_errors(taken, "nl") == {"email": "is al geregistreerd"}
    assert field_errors(taken, "en") == {"email": "already registered"}
    uncovered = AppError("x", errors=[{"loc": ["body", "fte"],
                                      "msg": "at most 1.5 FTE of this need is still uncovered"}])
    assert field_errors(uncovered, "nl") == {"fte": "Van deze vraag staat nog hoogstens 1,5 VTE "
                                                    "open"}
    assert field_errors(AppError("capability not found"), "nl") == {
        "_form": "Dit aanbod bestaat niet"}


def test_a_models_own_check_reads_in_dutch_too() -> None:
    from models.site import SiteCreate

    with pytest.raises(ValidationError) as info:
        SiteCreate(name="Depot", postcode="9999")
    assert field_errors(info.value, "nl") == {"postcode": "Onbekende Belgische postcode 9999"}
    assert "unknown Belgian postcode '9999'" in field_errors(info.value, "en")["postcode"]
