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


@pytest.mark.parametrize(("english", "dutch"), [
    ("Need is closed; leads can only be sent for open needs",
     "Deze vraag is afgesloten: leads gaan alleen naar open vragen"),
    ("An open lead for this need and capability exists already (viewed)",
     "Voor deze vraag en dit aanbod loopt al een lead (bekeken)"),
    ("Lead is sent; it cannot move to contracted (allowed: declined, viewed, withdrawn)",
     "Deze lead is verstuurd en kan niet gecontracteerd worden (wel: geweigerd, bekeken, "
     "ingetrokken)"),
    ("Lead is withdrawn; it cannot move to accepted (final state)",
     "Deze lead is ingetrokken en kan niet meer veranderen"),
    ("This capability is not active; its provider does not take leads on it",
     "Dit aanbod is niet actief: de aanbieder neemt er geen leads op aan"),
    ("Not enough free capacity at site 'Atelier': 2.5 FTE asked, 1 FTE can be reserved at "
     "support levels up to high for enclave work (free low/medium/high 1/0/0.5, supervisors 0)",
     "Niet genoeg vrije capaciteit op vestiging 'Atelier': 2,5 VTE gevraagd, 1 VTE kan "
     "gereserveerd worden met begeleidingsgraad tot hoog voor enclave(werking) (vrij laag/"
     "middel/hoog 1/0/0,5 VTE, 0 begeleiders)"),
])
def test_lead_and_capacity_conflicts_read_in_dutch(english: str, dutch: str) -> None:
    assert field_errors(AppError(english), "nl") == {"_form": dutch}
    assert field_errors(AppError(english), "en") == {"_form": english}
