"""Service and schema errors as messages next to the form fields they name."""

from __future__ import annotations

import re
from typing import Any

from pydantic import ValidationError

from api.errors import AppError
from api.web.i18n import TEXT
from models.taxonomy import vocabulary


def _field(loc: Any) -> str:
    """The form field a problem's ``loc`` names: its last named part (``["body", "user",
    "email"]`` → ``email``); ``_form`` when it names none."""
    names = [part for part in (loc or ()) if isinstance(part, str) and part not in ("body",
                                                                                     "query")]
    return names[-1] if names else "_form"


#: Dutch for the schema checks a form meets most (pydantic error types); the others keep their
#: English text
DUTCH = {
    "missing": "Vul dit veld in",
    "greater_than_equal": "Minstens {ge}",
    "greater_than": "Meer dan {gt}",
    "less_than_equal": "Hoogstens {le}",
    "less_than": "Minder dan {lt}",
    "string_too_short": "Minstens {min_length} tekens",
    "string_too_long": "Hoogstens {max_length} tekens",
    "float_parsing": "Geef een getal",
    "float_type": "Geef een getal",
    "int_parsing": "Geef een geheel getal",
    "finite_number": "Geef een getal",
    "literal_error": "Kies een van de mogelijkheden",
    "enum": "Kies een van de mogelijkheden",
    "too_short": "Kies er minstens {min_length}",
    "too_long": "Hoogstens {max_length}",
}


#: Dutch for the services' messages a form in the portal meets (exact text); any other message
#: keeps its text (the API's problems stay English)
SERVICE_DUTCH = {
    "already registered": "is al geregistreerd",
    "An account with this email already exists":
        "Er bestaat al een account met dit e-mailadres",
    "An organisation with this enterprise number is already registered":
        "Er is al een organisatie met dit ondernemingsnummer geregistreerd",
    "this password is too common; choose a less predictable one":
        "Dit wachtwoord is te gewoon: kies er een dat moeilijker te raden is",
    "the password must not be your email address":
        "Het wachtwoord mag niet je e-mailadres zijn",
    "this password is mostly a keyboard or alphabet run (like 'azertyuiop'); choose a less "
    "predictable one": "Dit wachtwoord is grotendeels een reeks toetsen of letters (zoals "
                       "'azertyuiop'): kies er een dat moeilijker te raden is",
    "the current password is not correct": "Het huidige wachtwoord is niet juist",
    "the new password must differ from the current one":
        "Het nieuwe wachtwoord moet verschillen van het huidige",
    "site not found among your organisation's sites":
        "Deze vestiging hoort niet bij je organisatie",
    "end_date must not be before start_date": "De einddatum mag niet voor de begindatum liggen",
    "capability not found": "Dit aanbod bestaat niet",
    "This capability is not active; its provider does not take leads on it":
        "Dit aanbod is niet actief: de aanbieder neemt er geen leads op aan",
    "This capability does not match the need's activity at all":
        "Dit aanbod past helemaal niet bij de activiteit van deze vraag",
}

_FTE = r"[0-9.e+-]+"

#: the same for messages that carry a value: (pattern, Dutch template of its named groups)
SERVICE_DUTCH_PATTERNS = (
    (re.compile(r"unknown Belgian postcode '(?P<postcode>[^']*)'"),
     "Onbekende Belgische postcode {postcode}"),
    (re.compile(r"postcode (?P<postcode>\S+) unknown"), "Postcode {postcode} is onbekend"),
    (re.compile(r"at most (?P<fte>[0-9.e+-]+) FTE of this need is still uncovered"),
     "Van deze vraag staat nog hoogstens {fte} VTE open"),
    (re.compile(r"Too many failed logins for this account; retry in (?P<seconds>\d+) s"),
     "Te veel mislukte aanmeldingen voor dit account; probeer opnieuw over {seconds} s"),
    # leads: api.services.leads, api.services.common.check_transition
    (re.compile(r"Need is (?P<status>\w+); leads can only be sent for open needs"),
     "Deze vraag is {status}: leads gaan alleen naar open vragen"),
    (re.compile(r"Need is (?P<status>\w+); only an open need can be contracted"),
     "Deze vraag is {status}: alleen een open vraag kan gecontracteerd worden"),
    (re.compile(r"An open lead for this need and capability exists already \((?P<status>\w+)\)"),
     "Voor deze vraag en dit aanbod loopt al een lead ({status})"),
    (re.compile(r"(?P<what>Lead|Need|Cluster) is (?P<status>\w+); it cannot move to "
                r"(?P<target>\w+) \(allowed: (?P<allowed>[\w, ]+)\)"),
     "{what} is {status} en kan niet {target} worden (wel: {allowed})"),
    (re.compile(r"(?P<what>Lead|Need|Cluster) is (?P<status>\w+); it cannot move to "
                r"(?P<target>\w+) \(final state\)"),
     "{what} is {status} en kan niet meer veranderen"),
    (re.compile(r"The matching engine excludes this capability for this need: (?P<causes>.+)"),
     "De matching sluit dit aanbod uit voor deze vraag: {causes}"),
    # the capacity check of a contract: api.services.lead_reservation.capacity_problem
    (re.compile(rf"Not enough free capacity at site '(?P<site>[^']*)': (?P<fte>{_FTE}) FTE "
                rf"asked, (?P<best>{_FTE}) FTE can be reserved at support levels up to "
                rf"(?P<level>\w+) for (?P<mode>\w+) work \(free low/medium/high "
                rf"(?P<low>{_FTE})/(?P<medium>{_FTE})/(?P<high>{_FTE}), supervisors "
                rf"(?P<supervisors>{_FTE})\)"),
     "Niet genoeg vrije capaciteit op vestiging '{site}': {fte} VTE gevraagd, {best} VTE kan "
     "gereserveerd worden met begeleidingsgraad tot {level} voor {mode} (vrij laag/middel/"
     "hoog {low}/{medium}/{high} VTE, {supervisors} begeleiders)"),
)

_NUMBERS = frozenset(("fte", "best", "low", "medium", "high", "supervisors"))
_STATUSES = frozenset(("status", "target", "allowed"))
_SUBJECTS = {"Lead": "Deze lead", "Need": "Deze vraag", "Cluster": "Dit clustervoorstel"}


def service_message(text: str, lang: str) -> str:
    """A service's message in ``lang``: Dutch where :data:`SERVICE_DUTCH` (or one of its
    patterns) knows it, else as it is."""
    if lang != "nl":
        return text
    if text in SERVICE_DUTCH:
        return SERVICE_DUTCH[text]
    for pattern, template in SERVICE_DUTCH_PATTERNS:
        if (found := pattern.fullmatch(text)) is not None:
            return template.format(**{k: _dutch_value(k, v)
                                      for k, v in found.groupdict().items()})
    return text


def _dutch_value(name: str, value: str) -> str:
    """A value a message carries, in Dutch: numbers with a decimal comma, lead and need
    statuses, support levels and placement modes by their Dutch labels."""
    if name in _NUMBERS:
        return _dutch_number(float(value))
    if name in _STATUSES:
        return ", ".join(TEXT[f"st_{v}"][0] if f"st_{v}" in TEXT else v
                         for v in value.split(", "))
    if name == "what":
        return _SUBJECTS[value]
    if name in ("level", "mode"):
        labels = vocabulary("support_levels" if name == "level" else "placement_modes")
        return labels[value]["label"]["nl"] if value in labels else value
    return value


def _dutch_number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}".replace(".", ",")
    return str(value)


def _message(err: dict[str, Any], lang: str) -> str:
    template = DUTCH.get(err["type"]) if lang == "nl" else None
    if template is None:  # a model's own check (value_error) may be a service's message
        return service_message(str(err["msg"]).removeprefix("Value error, "), lang)
    ctx = {key: _dutch_number(value) for key, value in (err.get("ctx") or {}).items()}
    try:
        return template.format(**ctx)
    except (KeyError, IndexError):  # a context this type does not always carry
        return str(err["msg"])


def field_errors(exc: AppError | ValidationError, lang: str = "en") -> dict[str, str]:
    """``{field: message}`` for a refused form: the RFC 9457 ``errors`` of an ``AppError``
    (or its ``detail`` under ``_form``), or a schema's validation errors (in Dutch for the
    common checks when ``lang`` is ``nl``)."""
    out: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for detail in exc.errors(include_url=False):
            err = dict(detail)
            out.setdefault(_field(err["loc"]), _message(err, lang))
        return out
    for err in exc.errors or ():
        out.setdefault(_field(err.get("loc")), service_message(str(err.get("msg", "")), lang))
    if not out:
        out["_form"] = service_message(exc.detail, lang)
    return out
