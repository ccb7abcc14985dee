"""Benchmark of the SIRENE directory on PostgreSQL: a first load of a generated stock, then lookups.

Not a test: it prints figures for docs/decisions/0008-reference-directories.md. It needs an empty, migrated
PostgreSQL database of its own:

    createdb -h 127.0.0.1 -U postgres parcours_bench
    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python scripts/bench_directory.py
    dropdb -h 127.0.0.1 -U postgres parcours_bench

Targets (issue 5): a first load, end to end (parse, join, load, indexes), >= 50,000 rows/s; lookup p95 <= 50 ms.
"""

import argparse
import csv
import io
import os
import random
import statistics
import sys
import tempfile
import time
from contextlib import redirect_stdout
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Django-free modules only at the top: the import's parsing processes are spawned and import this file again
# (as __mp_main__); Django is set up in main().
from parcours.organisations.directory.sirene import ESTABLISHMENT_REQUIRED, LEGAL_UNIT_REQUIRED  # noqa: E402
from parcours.organisations.directory.text import search_words  # noqa: E402

# The generated files have the columns of the shipped samples, which are those of the official stock files.
SAMPLES = ROOT / "parcours" / "organisations" / "data" / "samples"
ESTABLISHMENT_COLUMNS = (SAMPLES / "StockEtablissement_sample.csv").read_text().splitlines()[0].split(",")
LEGAL_UNIT_COLUMNS = (SAMPLES / "StockUniteLegale_sample.csv").read_text().splitlines()[0].split(",")
assert set(ESTABLISHMENT_REQUIRED) <= set(ESTABLISHMENT_COLUMNS)
assert set(LEGAL_UNIT_REQUIRED) <= set(LEGAL_UNIT_COLUMNS)

ACTIVITIES = [
    ("BOULANGERIE", "10.71C"),
    ("TRANSPORTS", "49.41A"),
    ("CONSEIL", "70.22Z"),
    ("FORMATION", "85.59A"),
    ("GARAGE", "45.20A"),
    ("PLOMBERIE", "43.22A"),
    ("RESTAURANT", "56.10A"),
    ("PHARMACIE", "47.73Z"),
    ("IMMOBILIER", "68.31Z"),
    ("INFORMATIQUE", "62.01Z"),
    ("COIFFURE", "96.02A"),
    ("ELECTRICITE", "43.21A"),
    ("MENUISERIE", "43.32A"),
    ("BOUCHERIE", "47.22Z"),
    ("TAXI", "49.32Z"),
    ("NETTOYAGE", "81.21Z"),
    ("ARCHITECTURE", "71.11Z"),
    ("PAYSAGE", "81.30Z"),
    ("AUTO ECOLE", "85.53Z"),
    ("HOTEL", "55.10Z"),
    ("LIBRAIRIE", "47.61Z"),
    ("FROMAGERIE", "47.29Z"),
    ("COMPTABILITE", "69.20Z"),
    ("MACONNERIE", "43.99C"),
]
SURNAMES = (  # noqa: SIM905
    "MARTIN BERNARD THOMAS PETIT ROBERT RICHARD DURAND DUBOIS MOREAU LAURENT SIMON MICHEL LEFEBVRE LEROY ROUX "
    "DAVID BERTRAND MOREL FOURNIER GIRARD BONNET DUPONT LAMBERT FONTAINE ROUSSEAU VINCENT MULLER LEFEVRE FAURE "
    "ANDRE MERCIER BLANC GUERIN BOYER GARNIER CHEVALIER FRANCOIS LEGRAND GAUTHIER GARCIA PERRIN ROBIN CLEMENT "
    "MORIN NICOLAS HENRY ROUSSEL MATHIEU GAUTIER MASSON MARCHAND DUVAL DENIS DUMONT MARIE LEMAIRE NOEL MEYER "
    "DUFOUR MEUNIER BRUN BLANCHARD GIRAUD JOLY RIVIERE LUCAS BRUNET GAILLARD BARBIER ARNAUD MARTINEZ GERARD "
    "ROCHE RENARD SCHMITT ROY LEROUX COLIN VIDAL CARON PICARD ROGER FABRE AUBERT LEMOINE RENAUD DUMAS LACROIX"
).split()
FIRST_NAMES = "JEAN MARIE PIERRE ANNE PAUL SOPHIE LUC CLAIRE NICOLAS JULIE ALAIN NATHALIE ERIC CAMILLE".split()  # noqa: SIM905
SYLLABLES = "KA LO MI NU PE RA SO TI VA ZE BRI CLO DRA FLU GRE PLA TRO VIL MON SAN BEL COR DOR FAL GAL".split()  # noqa: SIM905
FORMS = ["SAS", "SARL", "SA", "EURL", "SCI", "SASU", ""]
COMMUNES = [
    ("75056", "75001", "PARIS"),
    ("13055", "13001", "MARSEILLE"),
    ("69123", "69001", "LYON"),
    ("31555", "31000", "TOULOUSE"),
    ("06088", "06000", "NICE"),
    ("44109", "44000", "NANTES"),
    ("67482", "67000", "STRASBOURG"),
    ("34172", "34000", "MONTPELLIER"),
    ("33063", "33000", "BORDEAUX"),
    ("59350", "59000", "LILLE"),
    ("35238", "35000", "RENNES"),
    ("51454", "51100", "REIMS"),
    ("42218", "42000", "SAINT-ETIENNE"),
    ("83137", "83000", "TOULON"),
    ("76351", "76600", "LE HAVRE"),
    ("38185", "38000", "GRENOBLE"),
    ("21231", "21000", "DIJON"),
    ("49007", "49000", "ANGERS"),
    ("30189", "30000", "NIMES"),
    ("2A004", "20000", "AJACCIO"),
    ("97411", "97400", "SAINT-DENIS"),
    ("63113", "63000", "CLERMONT-FERRAND"),
    ("72181", "72000", "LE MANS"),
    ("29019", "29200", "BREST"),
]
STREET_TYPES = ["RUE", "AV", "BD", "PL", "CHE", "IMP", "ALL", "RTE", "QUAI"]
STREETS = ["DE LA REPUBLIQUE", "VICTOR HUGO", "JEAN JAURES", "DU GENERAL DE GAULLE", "PASTEUR", "DES LILAS", "DU PORT"]


def check_digit(body: str) -> str:
    for digit in "0123456789":
        total = 0
        for position, char in enumerate(reversed(body + digit)):
            value = int(char)
            total += (value * 2 - 9 if value > 4 else value * 2) if position & 1 else value
        if total % 10 == 0:
            return digit
    raise AssertionError(body)


def brand(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))


def stock_generate(directory: Path, rows: int, seed: int) -> tuple[list[str], list[str]]:
    """Writes the two stock files; returns the SIRETs and the names of the active, diffusible establishments."""
    rng = random.Random(seed)  # noqa: S311 (made-up data)
    sirets: list[str] = []
    names: list[str] = []
    establishment_file = (directory / "StockEtablissement.csv").open("w", encoding="utf-8", newline="")
    unit_file = (directory / "StockUniteLegale.csv").open("w", encoding="utf-8", newline="")
    with establishment_file, unit_file:
        establishments = csv.DictWriter(establishment_file, ESTABLISHMENT_COLUMNS, restval="", lineterminator="\n")
        legal_units = csv.DictWriter(unit_file, LEGAL_UNIT_COLUMNS, restval="", lineterminator="\n")
        establishments.writeheader()
        legal_units.writeheader()
        written = unit = 0
        while written < rows:
            unit += 1
            body = f"{10_000_000 + unit * 7 % 89_999_999:08d}"
            siren = body + check_digit(body)
            activity, naf = rng.choice(ACTIVITIES)
            sole_trader = rng.random() < 0.15
            diffusible = not (sole_trader and rng.random() < 0.1)
            if sole_trader:
                first_name, last_name, denomination = rng.choice(FIRST_NAMES), rng.choice(SURNAMES), ""
                legal_name = f"{first_name} {last_name}"
            else:
                first_name = last_name = ""
                pattern = rng.random()
                if pattern < 0.4:
                    denomination = f"{rng.choice(FORMS)} {activity} {rng.choice(SURNAMES)}".strip()
                elif pattern < 0.8:
                    denomination = f"{brand(rng)} {activity}"
                else:
                    denomination = f"{rng.choice(FORMS)} {brand(rng)} {brand(rng)}".strip()
                legal_name = denomination
            legal_units.writerow(
                {
                    "siren": siren,
                    "statutDiffusionUniteLegale": "O" if diffusible else "P",
                    "dateCreationUniteLegale": "2010-01-01",
                    "prenom1UniteLegale": first_name if diffusible else "[ND]",
                    "prenomUsuelUniteLegale": first_name if diffusible else "[ND]",
                    "nomUniteLegale": last_name if diffusible else "[ND]",
                    "denominationUniteLegale": denomination,
                    "etatAdministratifUniteLegale": "A",
                    "categorieJuridiqueUniteLegale": "1000" if sole_trader else "5710",
                    "activitePrincipaleUniteLegale": naf,
                    "nicSiegeUniteLegale": "00010",
                }
            )
            # About 1.3 establishments per legal unit, as in the stock's active part.
            count = min(rows - written, rng.choice((1, 1, 1, 2)))
            for number in range(1, count + 1):
                nic_body = f"{siren}{number:04d}"
                siret = nic_body + check_digit(nic_body)
                commune_code, postal_code, commune = rng.choice(COMMUNES)
                active = rng.random() < 0.7
                sign = f"{activity} {brand(rng)}" if rng.random() < 0.2 else ""
                establishments.writerow(
                    {
                        "siren": siren,
                        "nic": siret[9:],
                        "siret": siret,
                        "statutDiffusionEtablissement": "O" if diffusible else "P",
                        "dateCreationEtablissement": "2010-01-01",
                        "etablissementSiege": "true" if number == 1 else "false",
                        "numeroVoieEtablissement": str(rng.randint(1, 200)),
                        "typeVoieEtablissement": rng.choice(STREET_TYPES),
                        "libelleVoieEtablissement": rng.choice(STREETS),
                        "codePostalEtablissement": postal_code,
                        "libelleCommuneEtablissement": commune,
                        "codeCommuneEtablissement": commune_code,
                        "dateDebut": "2010-01-01",
                        "etatAdministratifEtablissement": "A" if active else "F",
                        "enseigne1Etablissement": sign,
                        "activitePrincipaleEtablissement": naf,
                        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
                        "caractereEmployeurEtablissement": "N",
                    }
                )
                sirets.append(siret)
                if active and diffusible:
                    names.append(f"{legal_name} {sign} {commune}")
                written += 1
    return sirets, names


def query_from_name(rng: random.Random, name: str) -> str:
    """What someone types: one or two words of the name, the last one maybe cut short."""
    words = [word for word in search_words(name) if len(word) >= 3 and word not in FORMS]
    chosen = rng.sample(words, k=min(len(words), rng.choice((1, 2, 2))))
    if rng.random() < 0.5:
        chosen[-1] = chosen[-1][: max(3, len(chosen[-1]) - rng.randint(0, 3))]
    return " ".join(chosen)


def timed(calls) -> list[float]:
    durations = []
    for call in calls:
        start = time.perf_counter()
        call()
        durations.append((time.perf_counter() - start) * 1000)
    return durations


def percentiles(durations: list[float]) -> str:
    cuts = statistics.quantiles(durations, n=100)
    return f"p50={cuts[49]:.2f}ms p95={cuts[94]:.2f}ms max={max(durations):.2f}ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000, help="establishment rows to generate")
    parser.add_argument("--lookups", type=int, default=1000, help="lookups of each kind")
    parser.add_argument("--seed", type=int, default=5)
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from parcours.organisations.directory import lookup
    from parcours.organisations.models import DirectoryEstablishment

    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL to an empty, migrated database.")
    if DirectoryEstablishment.objects.exists():
        sys.exit("The table organisations_directoryestablishment is not empty: use a fresh database (see --help).")

    with tempfile.TemporaryDirectory(prefix="parcours-bench-") as directory:
        start = time.perf_counter()
        sirets, names = stock_generate(Path(directory), options.rows, options.seed)
        sizes = {path.name: path.stat().st_size // 2**20 for path in Path(directory).iterdir()}
        print(f"generated rows={len(sirets)} in {time.perf_counter() - start:.1f}s files_mib={sizes}")

        paths = ["--establishments", f"{directory}/StockEtablissement.csv"]
        paths += ["--legal-units", f"{directory}/StockUniteLegale.csv"]
        for label in ("first load", "second load (nothing changes)"):
            output = io.StringIO()
            start = time.perf_counter()
            with redirect_stdout(output):
                call_command("import_sirene", *paths, stdout=output)
            elapsed = time.perf_counter() - start
            print(f"{label}: {output.getvalue().strip().splitlines()[-1]}")
            print(f"{label}: end to end {elapsed:.1f}s = {len(sirets) / elapsed:,.0f} establishment rows/s")

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size('organisations_directoryestablishment'))")
        print(f"table and indexes: {cursor.fetchone()[0]}")

    rng = random.Random(options.seed)  # noqa: S311 (made-up data)
    by_siret = [rng.choice(sirets) for _ in range(options.lookups)]
    queries = [query_from_name(rng, rng.choice(names)) for _ in range(options.lookups)]
    # A few calls first, so that the figures measure lookups rather than the first connection.
    for siret, text in zip(by_siret[:20], queries[:20], strict=True):
        lookup.establishment_by_siret(siret)
        lookup.establishments_search(text, 10)

    durations = timed(lambda siret=siret: lookup.establishment_by_siret(siret) for siret in by_siret)
    print(f"establishment_by_siret x{len(durations)}: {percentiles(durations)}")
    found = []
    durations = timed(lambda text=text: found.append(len(lookup.establishments_search(text, 10))) for text in queries)
    print(f"establishments_search x{len(durations)} (e.g. {queries[0]!r}, {queries[1]!r}): {percentiles(durations)}")
    print(f"searches with no result: {found.count(0)}, with a full page of 10: {found.count(10)}")


if __name__ == "__main__":
    main()
