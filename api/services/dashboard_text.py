"""The staff pages' words in Dutch (first) and English: labels, statuses, month names.

Pure data and two small formatters; the dashboard's view model and templates pick the
language's entry. Keys are stable identifiers, never shown.
"""

from __future__ import annotations

LANGUAGES = ("nl", "en")

TEXT: dict[str, tuple[str, str]] = {
    # key: (nl, en)
    "title": ("Koppel · monitoring", "Koppel · monitoring"),
    "login_title": ("Koppel · aanmelden voor medewerkers", "Koppel · staff login"),
    "department": ("Sociale economie Vlaanderen", "Social economy Flanders"),
    "skip": ("Naar de inhoud", "Skip to content"),
    "other_lang": ("English", "Nederlands"),
    "logout": ("Afmelden", "Log out"),
    "login": ("Aanmelden", "Log in"),
    "email": ("E-mailadres", "E-mail address"),
    "password": ("Wachtwoord", "Password"),
    "login_failed": ("E-mailadres of wachtwoord is niet juist.", "Incorrect e-mail or password."),
    "staff_only": ("Alleen medewerkers van het departement kunnen het dashboard openen.",
                   "Only department staff may open the dashboard."),
    "csrf_refused": ("Dit formulier is verlopen of niet van Koppel afkomstig. Laad de pagina "
                     "opnieuw en probeer nog eens.",
                     "This form has expired or did not come from Koppel. Reload the page and "
                     "try again."),
    "not_found": ("Niet gevonden.", "Not found."),
    "back": ("Terug naar het dashboard", "Back to the dashboard"),
    "filters": ("Filters", "Filters"),
    "province": ("Provincie", "Province"),
    "all_flanders": ("Heel Vlaanderen", "All of Flanders"),
    "activity": ("Activiteit", "Activity"),
    "all_activities": ("Alle activiteiten", "All activities"),
    "apply": ("Toepassen", "Apply"),
    "kpis": ("Kerncijfers", "Key figures"),
    "map_title": ("Open vraag per gemeente", "Open demand by municipality"),
    "map_label": ("Kaart van Vlaanderen met de open vraag per gemeente",
                  "Map of Flanders with the open demand per municipality"),
    "circle_area": ("Oppervlakte van de cirkel ∝ open VTE", "Circle area ∝ open FTE"),
    "no_unmet": ("geen onvervulde vraag", "no unmet demand"),
    "some_unmet": ("deels onvervuld", "some unmet"),
    "half_unmet": ("≥ de helft van de VTE onvervuld", "≥ half the FTE unmet"),
    "unmet_note": ("Onvervuld: open vragen met als beste score minder dan {threshold} of "
                   "zonder kandidaat.",
                   "Unmet: open needs whose best match score is below {threshold} or that "
                   "have no candidate."),
    "open_needs_tip": ("{name}: {open_needs} open vragen, {open_fte} VTE; onvervuld "
                       "{unmet_needs} ({unmet_fte} VTE)",
                       "{name}: {open_needs} open needs, {open_fte} FTE; unmet {unmet_needs} "
                       "({unmet_fte} FTE)"),
    "bars_title": ("Open VTE per activiteit", "Open FTE by activity"),
    "bars_note": ("(rood: onvervuld)", "(red: unmet)"),
    "bars_label": ("Staafdiagram van de open en onvervulde VTE per activiteit",
                   "Bar chart of open and unmet FTE per activity"),
    "no_bars": ("Geen open vragen of aanbod voor deze selectie.",
                "No open needs or capabilities for this selection."),
    "months_total": ("12 maanden · totaal", "12 months · total"),
    "chart_label": ("Grafiek per maand", "Chart per month"),
    "series_needs_posted": ("Geplaatste vragen", "Needs posted"),
    "series_clusters_formed": ("Gevormde clusters", "Clusters formed"),
    "series_fte_contracted": ("Gecontracteerde VTE", "FTE contracted"),
    "series_fte_by_origin": ("Gecontracteerde VTE: teruggehaald en behouden werk",
                             "FTE contracted: reshored and kept work"),
    "reshored": ("teruggehaald (uit het buitenland)", "reshored (brought back from abroad)"),
    "kept": ("behouden (in plaats van delokaliseren)", "kept (instead of delocalising)"),
    "reshored_short": ("teruggehaald", "reshored"), "kept_short": ("behouden", "kept"),
    "clusters": ("Clusters", "Clusters"),
    "clusters_current": ("Huidige clusters: voorstellen van een latere run in dezelfde scope "
                         "vervangen die van een vorige; goedgekeurde en latere clusters "
                         "blijven.",
                         "Current clusters: a later run's proposals replace those of an "
                         "earlier run in the same scope; endorsed and later clusters stay."),
    "shown_of": ("{shown} van {total} getoond", "showing {shown} of {total}"),
    "shown_range": ("{shown} van {total} getoond ({first}–{last})",
                    "showing {shown} of {total} ({first}–{last})"),
    "previous": ("Vorige", "Previous"),
    "next": ("Volgende", "Next"),
    "pages": ("Pagina's van de clustertabel", "Cluster table pages"),
    "no_clusters": ("Nog geen clusters voor deze selectie.", "No clusters yet for this selection."),
    "name": ("Naam", "Name"),
    "kind": ("Soort", "Kind"),
    "status": ("Status", "Status"),
    "needs": ("Vragen", "Needs"),
    "provider_sites": ("Vestigingen maatwerk", "Provider sites"),
    "demand_fte": ("Gevraagde VTE", "Demand FTE"),
    "covered_fte": ("Gedekte VTE", "Covered FTE"),
    "potential": ("Potentieel", "Potential"),
    "run": ("Run", "Run"),
    "run_date": ("Rundatum", "Run date"),
    "start_run": ("Een clusterrun starten", "Start a cluster run"),
    "start_run_note": ("Groepeert de open vragen per activiteitsfamilie en regio en verdeelt "
                       "ze over de maatwerkbedrijven met vrije capaciteit. Nieuwe voorstellen "
                       "vervangen de vorige voorstellen in dezelfde scope.",
                       "Groups the open needs by activity family and area and assigns them to "
                       "providers with free capacity. New proposals replace the earlier "
                       "proposals in the same scope."),
    "family": ("Activiteitsfamilie", "Activity family"),
    "all_families": ("Alle families", "All families"),
    "start": ("Run starten", "Start the run"),
    "run_status": ("Clusterrun van {date}: {status}", "Cluster run of {date}: {status}"),
    "run_pending": ("De run is nog bezig ({progress} %). Vernieuw de pagina om de clusters "
                    "te zien.", "The run is still in progress ({progress} %). Reload the "
                    "page to see its clusters."),
    "run_failed": ("De run is mislukt: {error}", "The run failed: {error}"),
    "run_clusters": ("Clusters van deze run", "This run's clusters"),
    "all_clusters": ("Alle huidige clusters", "All current clusters"),
    "rs_queued": ("in de wachtrij", "queued"), "rs_running": ("bezig", "running"),
    "rs_succeeded": ("klaar", "succeeded"), "rs_failed": ("mislukt", "failed"),
    # cluster statuses and the actions that lead to them
    "st_proposed": ("voorgesteld", "proposed"), "st_endorsed": ("goedgekeurd", "endorsed"),
    "st_forming": ("in opbouw", "forming"), "st_active": ("actief", "active"),
    "st_dissolved": ("ontbonden", "dissolved"), "st_superseded": ("vervangen", "superseded"),
    "do_endorsed": ("Goedkeuren", "Endorse"), "do_forming": ("Opbouw starten", "Start forming"),
    "do_active": ("Activeren", "Activate"), "do_dissolved": ("Ontbinden", "Dissolve"),
    "potential_high": ("hoog", "high"), "potential_medium": ("middel", "medium"),
    "potential_low": ("laag", "low"),
    # the cluster page
    "cluster": ("Cluster", "Cluster"),
    "actions": ("Status wijzigen", "Change the status"),
    "no_actions": ("Deze cluster is ontbonden; er is geen volgende stap.",
                   "This cluster is dissolved; there is no next step."),
    "changed": ("De status is nu: {status}.", "The status is now: {status}."),
    "superseded_note": ("Een latere run heeft dit voorstel vervangen; het blijft zichtbaar "
                        "als geschiedenis.",
                        "A later run replaced this proposal; it stays visible as history."),
    "facts": ("Overzicht", "Overview"),
    "area": ("Gebied", "Area"),
    "radius": ("straal {km} km", "radius {km} km"),
    "coverage": ("Dekking", "Coverage"),
    "coverage_text": ("{covered} van {demand} VTE gedekt ({share} %)",
                      "{covered} of {demand} FTE covered ({share} %)"),
    "mean_score": ("Gemiddelde score", "Mean score"),
    "mean_distance": ("Gemiddelde afstand", "Mean distance"),
    "criteria": ("Criteria van het potentieel", "Potential criteria"),
    "c_market_demand": ("marktvraag", "market demand"), "c_investment": ("investering",
                                                                        "investment"),
    "c_competence_fit": ("competenties", "competence fit"), "c_binding": ("binding", "binding"),
    "activities": ("Activiteiten", "Activities"),
    "member_needs": ("Vragen in de cluster", "Member needs"),
    "company": ("Bedrijf", "Company"),
    "municipality": ("Gemeente", "Municipality"),
    "unassigned_fte": ("Niet toegewezen VTE", "Unassigned FTE"),
    "member_providers": ("Maatwerkbedrijven in de cluster", "Member providers"),
    "provider": ("Maatwerkbedrijf", "Provider"),
    "site": ("Vestiging", "Site"),
    "assigned_fte": ("Toegewezen VTE", "Assigned FTE"),
    "assignments": ("Toewijzingen", "Assignments"),
    "level": ("Begeleidingsnood", "Support level"),
    "fte": ("VTE", "FTE"),
    "score": ("Score", "Score"),
    "distance": ("Afstand (km)", "Distance (km)"),
    "level_low": ("laag", "low"), "level_medium": ("middel", "medium"),
    "level_high": ("hoog", "high"),
    "footnote": ("Cijfers zoals gedefinieerd in de API-documentatie (/docs, tag “monitoring”); "
                 "CSV-export via /stats/…?format=csv.",
                 "Figures as defined in the API documentation (/docs, tag “monitoring”); CSV "
                 "exports at /stats/…?format=csv."),
    # key figures (data-kpi keys)
    "kpi_open_needs": ("Open vragen", "Open needs"),
    "kpi_open_fte": ("Gevraagde VTE", "FTE demanded"),
    "kpi_unmet_needs": ("Onvervulde vragen", "Unmet needs"),
    "kpi_unmet_fte": ("Onvervulde VTE", "Unmet FTE"),
    "kpi_free_fte": ("Vrije VTE bij maatwerkbedrijven", "Free provider FTE"),
    "kpi_free_fte_low": ("Vrije VTE, lage begeleiding", "Free FTE, low support"),
    "kpi_free_fte_medium": ("Vrije VTE, middelmatige begeleiding", "Free FTE, medium support"),
    "kpi_free_fte_high": ("Vrije VTE, hoge begeleiding", "Free FTE, high support"),
    "kpi_supervisors": ("Beschikbare begeleiders", "Supervisors available"),
    "kpi_contracted_fte": ("Gecontracteerde VTE", "Contracted FTE"),
    "kpi_reshored_contracted_fte": ("Gecontracteerde VTE, teruggehaald werk",
                                    "Contracted FTE, reshored work"),
    "kpi_matched_needs": ("Ingevulde vragen", "Matched needs"),
    "kpi_complementary_share": ("Aanvullend werk", "Complementary work"),
    "kpi_night_work_needs": ("Vragen met nachtwerk", "Needs with night work"),
    "kpi_leads_total": ("Verstuurde aanvragen", "Leads sent"),
    "kpi_leads_contracted": ("Gecontracteerde aanvragen", "Leads contracted"),
    "kpi_median_hours_to_first_accept": ("Mediaan uren tot eerste aanvaarding",
                                         "Median hours to first accept"),
    "kpi_clusters_active": ("Actieve clusters", "Active clusters"),
    "unit_FTE": ("VTE", "FTE"), "unit_h": ("u", "h"),
}

MONTHS = {
    "nl": ("jan.", "feb.", "mrt.", "apr.", "mei", "jun.", "jul.", "aug.", "sep.", "okt.",
           "nov.", "dec."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def text(lang: str, key: str, **values: object) -> str:
    """The phrase ``key`` in ``lang`` (``nl`` for anything else), filled with ``values``."""
    phrase = TEXT[key][LANGUAGES.index(lang) if lang in LANGUAGES else 0]
    return phrase.format(**values) if values else phrase


def month_label(period: str, lang: str) -> str:
    """``"2026-02"`` → ``"feb. 2026"`` (nl) or ``"Feb 2026"`` (en): never day/month-like."""
    year, month = period.split("-")[:2]
    return f"{MONTHS.get(lang, MONTHS['nl'])[int(month) - 1]} {year}"
