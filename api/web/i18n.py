"""The portal's language: Dutch first, English with ``?lang=en`` (kept in a cookie)."""

from __future__ import annotations

from fastapi import Request

LANGUAGES = ("nl", "en")
LANG_COOKIE = "koppel_lang"

TEXT: dict[str, tuple[str, str]] = {
    # key: (nl, en)
    "skip": ("Naar de inhoud", "Skip to content"),
    "nav": ("Hoofdmenu", "Main menu"),
    "home": ("Start", "Home"),
    "directory": ("Maatwerkbedrijven zoeken", "Find providers"),
    "my_koppel": ("Mijn Koppel", "My Koppel"),
    "login": ("Aanmelden", "Log in"),
    "logout": ("Afmelden", "Log out"),
    "register": ("Account aanmaken", "Create an account"),
    "profile_next": ("Samenwerken?", "Working together?"),
    "profile_next_text": (
        "Plaats uw vraag als bedrijf: Koppel stelt de maatwerkbedrijven voor die erbij passen, "
        "met de redenen, en u stuurt hen een aanvraag.",
        "Post your need as a company: Koppel proposes the maatwerkbedrijven that fit it, with "
        "the reasons, and you send them a lead."),
    "other_lang": ("English", "Nederlands"),
    "landing_title": ("Werk uitbesteden aan een maatwerkbedrijf", "Outsource work to a "
                      "maatwerkbedrijf"),
    "landing_1": ("Koppel brengt bedrijven met werk (retours, displays, magazijnwerk, "
                  "assemblage, verpakking …) samen met Vlaamse maatwerkbedrijven die de "
                  "competenties, de vrije capaciteit en de begeleiding hebben om het op te "
                  "nemen.",
                  "Koppel brings companies with work (returns, displays, warehouse work, "
                  "assembly, packaging …) together with Flemish maatwerkbedrijven that have "
                  "the skills, free capacity and supervision to take it on."),
    "landing_2": ("Zoek hieronder vrij een maatwerkbedrijf, of maak een account aan om een "
                  "vraag te plaatsen en gerangschikte voorstellen te krijgen.",
                  "Search the directory below, or create an account to post a need and get "
                  "ranked proposals."),
    "search": ("Zoeken", "Search"),
    "activity": ("Activiteit", "Activity"),
    "any_activity": ("Alle activiteiten", "All activities"),
    "postcode": ("Postcode", "Postcode"),
    "radius": ("Straal (km)", "Radius (km)"),
    "results": ("Resultaten", "Results"),
    "found": ("maatwerkbedrijven gevonden", "providers found"),
    "found_one": ("maatwerkbedrijf gevonden", "provider found"),
    "none_found": ("Geen maatwerkbedrijf gevonden. Probeer een grotere straal of een andere "
                   "activiteit.", "No provider found. Try a larger radius or another activity."),
    "capacity_available": ("vrije capaciteit", "capacity available"),
    "capacity_limited": ("beperkte capaciteit", "limited capacity"),
    "capacity_full": ("volzet", "full"),
    "km_away": ("km", "km"),
    "modes": ("Werkvormen", "Placement modes"),
    "activities": ("Activiteiten", "Activities"),
    "certifications": ("Certificaten", "Certifications"),
    "municipalities": ("Vestigingen", "Locations"),
    "website": ("Website", "Website"),
    "email": ("E-mailadres", "E-mail address"),
    "password": ("Wachtwoord", "Password"),
    "password_hint": ("Minstens 12 tekens.", "At least 12 characters."),
    "full_name": ("Uw naam", "Your name"),
    "org_kind": ("Ik vertegenwoordig", "I represent"),
    "kind_company": ("een bedrijf met werk", "a company with work"),
    "kind_provider": ("een maatwerkbedrijf", "a maatwerkbedrijf"),
    "org_name": ("Naam van de organisatie", "Organisation name"),
    "enterprise_number": ("Ondernemingsnummer", "Enterprise number"),
    "enterprise_hint": ("Bijvoorbeeld 0123.456.789", "For example 0123.456.789"),
    "form_refused": ("Het formulier is niet verwerkt. Verbeter de aangeduide velden.",
                     "The form was not processed. Please correct the fields marked."),
    "csrf_refused": ("Dit formulier is verlopen of niet van Koppel afkomstig. Laad de pagina "
                     "opnieuw en probeer nog eens.",
                     "This form has expired or did not come from Koppel. Reload the page and "
                     "try again."),
    "login_failed": ("E-mailadres of wachtwoord is niet juist.", "Incorrect e-mail or password."),
    "your_needs": ("Uw vragen", "Your needs"),
    "no_needs": ("U hebt nog geen vraag geplaatst.", "You have not posted a need yet."),
    "new_need": ("Nieuwe vraag plaatsen", "Post a new need"),
    "your_sites": ("Uw vestigingen", "Your sites"),
    "no_sites": ("Nog geen vestiging. Voeg er eerst een toe.", "No site yet. Add one first."),
    "add_site": ("Vestiging toevoegen", "Add a site"),
    "site_name": ("Naam van de vestiging", "Site name"),
    "street": ("Straat en nummer", "Street and number"),
    "status": ("Status", "Status"),
    "title": ("Titel", "Title"),
    "fte": ("Aantal VTE (voltijdse equivalenten)", "FTE (full-time equivalents)"),
    "step1": ("Stap 1 van 2: welk werk?", "Step 1 of 2: what work?"),
    "step2": ("Stap 2 van 2: de details", "Step 2 of 2: the details"),
    "next": ("Volgende", "Next"),
    "other_activity": ("Andere activiteit kiezen", "Choose another activity"),
    "competences": ("Competenties", "Competences"),
    "competences_hint": ("De gebruikelijke competenties voor deze activiteit zijn al "
                         "aangevinkt.", "The usual competences for this activity are ticked."),
    "placement_mode": ("Werkvorm", "Placement mode"),
    "support": ("Hoeveel begeleiding kan uw werkplek aan?", "How much support can your "
                "workplace accommodate?"),
    "site": ("Vestiging", "Site"),
    "description": ("Omschrijving", "Description"),
    "post_need": ("Vraag plaatsen", "Post the need"),
    "matches": ("Voorstellen", "Matches"),
    "score": ("Score", "Score"),
    "c_competence": ("competenties", "competence"),
    "c_locality": ("nabijheid", "locality"),
    "c_supervision": ("begeleiding", "supervision"),
    "c_capacity": ("capaciteit", "capacity"),
    "distance": ("Afstand", "Distance"),
    "send_lead": ("Aanvraag sturen", "Send lead"),
    "leads": ("Aanvragen", "Leads"),
    "no_matches": ("Geen maatwerkbedrijf past.", "No provider fits."),
    "lead": ("Aanvraag", "Lead"),
    "new_leads": ("Nieuwe aanvragen", "New leads"),
    "no_leads": ("Geen aanvragen.", "No leads."),
    "accept": ("Aanvaarden", "Accept"),
    "decline": ("Weigeren", "Decline"),
    "choose_reason": ("Kies een reden", "Choose a reason"),
    "decline_reason": ("Reden van weigering", "Reason for declining"),
    "reason": ("Reden", "Reason"),
    "reason_text": ("Toelichting (niet verplicht)", "Explanation (optional)"),
    "contract": ("Contract afsluiten", "Contract"),
    "contract_fte": ("Gecontracteerde VTE", "Contracted FTE"),
    "contacts": ("Contactgegevens", "Contact details"),
    "contacts_after": ("Contactgegevens verschijnen zodra het maatwerkbedrijf aanvaardt.",
                       "Contact details appear once the provider accepts."),
    "contacts_after_you": ("De contactgegevens van het bedrijf verschijnen zodra u aanvaardt.",
                           "The company's contact details appear once you accept."),
    "withdraw": ("Aanvraag intrekken", "Withdraw the lead"),
    "opportunities": ("Kansen: open vragen die bij u passen", "Opportunities: open needs that "
                      "fit you"),
    "no_opportunities": ("Nu geen open vragen die passen.", "No fitting open needs now."),
    "timeline": ("Verloop", "Timeline"),
    "sent_at": ("verstuurd", "sent"),
    "viewed_at": ("bekeken", "viewed"),
    "answered_at": ("beantwoord", "answered"),
    "contracted_at": ("gecontracteerd", "contracted"),
    "closed_at": ("afgesloten", "closed"),
    "workforce": ("Vrije capaciteit", "Free capacity"),
    "free_low": ("Vrije VTE met lage begeleidingsnood", "Free FTE needing low support"),
    "free_medium": ("Vrije VTE met middelmatige begeleidingsnood",
                    "Free FTE needing medium support"),
    "free_high": ("Vrije VTE met hoge begeleidingsnood", "Free FTE needing high support"),
    "supervisors": ("Beschikbare begeleiders (VTE)", "Supervisors available (FTE)"),
    "save": ("Opslaan", "Save"),
    "still_correct": ("Cijfers kloppen nog", "Figures still correct"),
    "figures_as_of": ("Cijfers van", "Figures as of"),
    "no_figures": ("Nog geen cijfers.", "No figures yet."),
    "saved": ("Opgeslagen.", "Saved."),
    "company": ("Bedrijf", "Company"),
    "provider": ("Maatwerkbedrijf", "Provider"),
    "forbidden": ("Deze pagina is niet voor uw account.", "This page is not for your account."),
    "not_found": ("Niet gevonden.", "Not found."),
    "back": ("Terug", "Back"),
    "view": ("Bekijken", "View"),
    "contracted": ("gecontracteerd", "contracted"),
    "settings": ("Instellingen", "Settings"),
    "language": ("Taal", "Language"),
    "mail": ("E-mail", "E-mail"),
    "digest": ("Dagelijks een e-mail met nieuwe vragen die bij ons passen",
               "A daily e-mail with new needs that fit us"),
    # need editing, need page, partnerships
    "edit_need": ("Vraag aanpassen", "Edit the need"),
    "edit_fixed": ("De activiteit, de werkvorm en de vestiging liggen vast; plaats een nieuwe "
                   "vraag om ze te veranderen.",
                   "The activity, placement mode and site are fixed; post a new need to change "
                   "them."),
    "coverage": ("Gedekt", "Covered"),
    "none_yet": ("nog geen", "none yet"),
    "need": ("Vraag", "Need"),
    "proposed": ("voorgesteld", "proposed"),
    "of": ("van", "of"),
    "why_nothing": ("Waarom niets past", "Why nothing fits"),
    "nearest_related": ("Dichtstbijzijnde verwante maatwerkbedrijven",
                        "Nearest related providers"),
    "diagnosis_edit": ("De vraag aanpassen", "Edit the need"),
    "partnerships": ("Samenwerkingsverbanden: samen dekken ze de vraag",
                     "Partnerships: together they cover the need"),
    "partnerships_intro": ("Geen enkel maatwerkbedrijf kan deze vraag alleen dekken. Deze "
                           "combinaties van vestigingen kunnen het samen.",
                           "No single provider can cover this need. These combinations of "
                           "sites can together."),
    "partnerships_none": ("Ook samen dekken de maatwerkbedrijven de vraag niet",
                          "Not even together do the providers cover the need"),
    "best_single": ("beste enkele vestiging", "best single site"),
    "proposal": ("Voorstel", "Proposal"),
    "supervisor_people": ("begeleider(s)", "supervisor(s)"),
    "send_all": ("Aanvraag sturen naar allen", "Send to all"),
    # provider home and capabilities
    "no_new_leads": ("Geen nieuwe aanvragen.", "No new leads."),
    "all_leads": ("Alle aanvragen", "All leads"),
    "opportunities_hint": ("Open vragen waarvoor u bij de vijf best passende "
                           "maatwerkbedrijven hoort.",
                           "Open needs for which you are among the five best-fitting providers."),
    "capabilities": ("Uw aanbod (activiteiten)", "Your capabilities"),
    "your_capabilities": ("Wat u aanbiedt", "What you offer"),
    "no_capabilities": ("U biedt nog geen activiteit aan.", "You offer no activity yet."),
    "add_capability": ("Activiteit toevoegen", "Add a capability"),
    "modes_hint": ("Alleen de werkvormen die bij de activiteit horen, worden aanvaard.",
                   "Only the placement modes of the activity are accepted."),
    "service_radius": ("Maximale afstand tot de klant (km)", "Farthest client distance (km)"),
    "service_radius_hint": ("Leeg laten: geen grens.", "Leave empty for no limit."),
    "radius_short": ("tot", "up to"),
    "inactive": ("niet actief", "inactive"),
    "cap_active": ("Actief: verschijnt in voorstellen en in de gids",
                   "Active: shown in matches and in the directory"),
    "edit": ("Aanpassen", "Edit"),
    "delete": ("Verwijderen", "Delete"),
    "cap_added": ("Activiteit toegevoegd.", "Capability added."),
    "cap_changed": ("Activiteit aangepast.", "Capability changed."),
    "cap_deleted": ("Activiteit verwijderd.", "Capability deleted."),
    "delete_capability": ("Activiteit verwijderen", "Delete capability"),
    "delete_capability_warning": (
        "Verwijderen kan niet ongedaan worden gemaakt. Bedrijven vinden deze activiteit niet "
        "meer, en lopende aanvragen ervoor worden voor hen gemarkeerd.",
        "Deleting cannot be undone. Companies will no longer find this capability, and its "
        "open leads are flagged for them."),
    "delete_capability_instead": (
        "Liever tijdelijk niet aanbieden? Zet de activiteit op inactief: dat kunt u later "
        "terugdraaien.",
        "Rather pause it for a while? Make the capability inactive: you can undo that later."),
    "delete_capability_confirm": ("Ja, verwijderen", "Yes, delete"),
    "cancel": ("Annuleren", "Cancel"),
    # webhook
    "webhook": ("Webhook", "Webhook"),
    "webhook_intro": ("Koppel stuurt elke gebeurtenis van uw aanvragen (JSON, ondertekend "
                      "volgens Standard Webhooks) naar dit adres.",
                      "Koppel POSTs every event of your leads (JSON, signed as Standard "
                      "Webhooks specifies) to this address."),
    "webhook_url": ("Adres (URL)", "Address (URL)"),
    "webhook_url_hint": ("Bijvoorbeeld https://hooks.voorbeeld.be/koppel",
                         "For example https://hooks.example.be/koppel"),
    "webhook_current": ("Huidig adres", "Current address"),
    "webhook_save": ("Webhook instellen", "Set the webhook"),
    "webhook_rotate": ("Opslaan met een nieuw geheim", "Save with a new secret"),
    "webhook_delete": ("Webhook verwijderen", "Remove the webhook"),
    "webhook_removed": ("Webhook verwijderd.", "Webhook removed."),
    "webhook_set": ("Webhook ingesteld.", "Webhook set."),
    "webhook_secret_once": ("Bewaar dit geheim nu: het wordt niet meer getoond.",
                            "Store this secret now: it is not shown again."),
    "webhook_secret": ("Ondertekeningsgeheim", "Signing secret"),
    # directory map
    "map_title": ("Kaart van Vlaanderen met de gevonden maatwerkbedrijven",
                  "Map of Flanders with the providers found"),
    "map_caption": ("De nummers verwijzen naar de lijst hieronder (gemeente van de vestiging).",
                    "The numbers refer to the list below (municipality of the site)."),
    "map_reach": ("De stippellijn is de gekozen straal.", "The dashed line is the radius chosen."),
    "map_centre": ("De omcirkelde stip is de gezochte postcode.",
                   "The ringed dot is the postcode searched."),
    # lead and need statuses
    "st_sent": ("verstuurd", "sent"), "st_viewed": ("bekeken", "viewed"),
    "st_accepted": ("aanvaard", "accepted"), "st_declined": ("geweigerd", "declined"),
    "st_contracted": ("gecontracteerd", "contracted"), "st_withdrawn": ("ingetrokken",
                                                                       "withdrawn"),
    "st_expired": ("verlopen", "expired"), "st_draft": ("ontwerp", "draft"),
    "st_open": ("open", "open"), "st_matched": ("ingevuld", "matched"),
    "st_closed": ("afgesloten", "closed"), "st_cancelled": ("geannuleerd", "cancelled"),
}


def language(request: Request) -> str:
    asked = request.query_params.get("lang")
    if asked in LANGUAGES:
        return asked
    kept = request.cookies.get(LANG_COOKIE)
    return kept if kept in LANGUAGES else "nl"


def translator(lang: str):  # noqa: ANN201 - the template's t()
    index = LANGUAGES.index(lang)

    def t(key: str) -> str:
        return TEXT[key][index]
    return t
