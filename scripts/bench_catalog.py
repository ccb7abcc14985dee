"""Benchmark of the public catalog search on PostgreSQL: 100,000 actions, 1,000,000 sessions, 1,000 searches.

Not a test: it prints figures for docs/decisions/0014-french-search.md. It needs an empty, migrated
PostgreSQL database of its own:

    createdb -h 127.0.0.1 -U postgres parcours_bench
    export SECRET_KEY=x DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours_bench
    .venv/bin/python manage.py migrate
    .venv/bin/python scripts/bench_catalog.py
    dropdb -h 127.0.0.1 -U postgres parcours_bench

To measure again on the data loaded (a few times: on a shared machine single runs vary), and to see the plans
of the slowest searches:

    .venv/bin/python scripts/bench_catalog.py --searches-only
    .venv/bin/python scripts/bench_catalog.py --searches-only --pages 0 --explain 5

The figures are printed with the load average: compare runs made under the same.

Target (issue 6): search p95 <= 50 ms, a bounded number of queries per search page.
"""

import argparse
import datetime
import os
import random
import statistics
import sys
import time
import uuid
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Themes of made-up actions: a title stem and the words their texts draw from.
THEMES = [
    ("Soudure à l'arc", "soudure soudeur arc électrode acier métallerie atelier"),
    ("Soudage TIG", "soudage soudures inox aluminium atelier tuyauterie"),
    ("Habilitation électrique", "électrique électricien habilitation tension consignation sécurité"),
    ("Électricité du bâtiment", "électricité tableau câblage logement installation dépannage"),
    ("Gestion de la paie", "paie bulletins cotisations salaires social déclarations"),
    ("Comptabilité générale", "comptabilité bilan écritures factures trésorerie clôture"),
    ("Anglais professionnel", "anglais oral réunion téléphone écrit vocabulaire"),
    ("Espagnol commercial", "espagnol clients négociation oral vocabulaire"),
    ("Bureautique Excel", "excel tableaux formules graphiques bureautique calculs"),
    ("Traitement de texte Word", "word documents publipostage mise page bureautique"),
    ("Sauveteur secouriste du travail", "secourisme secouriste premiers secours urgence prévention"),
    ("Sécurité incendie", "incendie extincteur évacuation équipier alarme prévention"),
    ("Conduite de chariots élévateurs", "chariot cariste caces r489 logistique entrepôt manutention"),
    ("Hygiène alimentaire", "hygiène haccp restauration cuisine alimentaire traçabilité"),
    ("Management d'équipe", "management manager équipe entretien motivation délégation"),
    ("Gestion de projet", "projet planning agile pilotage risques budget"),
    ("Pâtisserie", "pâtisserie pâtes crèmes desserts boulangerie viennoiserie"),
    ("Cuisine traditionnelle", "cuisine cuisinier recettes sauces produits frais"),
    ("Marketing digital", "marketing réseaux sociaux référencement contenu web"),
    ("Négociation commerciale", "vente négociation commercial prospection clients argumentation"),
    ("Relation client", "accueil client réclamations téléphone qualité service"),
    ("Ressources humaines", "recrutement entretien droit travail formation carrière"),
    ("Développement web", "python javascript développement web application code"),
    ("Cybersécurité", "sécurité informatique réseaux mots passe sensibilisation"),
    ("Gestes et postures", "postures ergonomie manutention dos prévention"),
    ("Plomberie sanitaire", "plomberie sanitaire tuyauterie chauffage raccordement"),
    ("Maçonnerie", "maçonnerie béton coffrage murs chantier"),
    ("Menuiserie", "menuiserie bois agencement pose fenêtres"),
    ("Logistique", "logistique stocks approvisionnement transport entrepôt"),
    ("Accompagnement VAE", "validation acquis expérience dossier jury accompagnement"),
]
LEVELS = ["initiation", "perfectionnement", "niveau 1", "niveau 2", "recyclage", "les fondamentaux", "expert"]
COMMON = "formation stagiaires compétences pratique exercices cas mises situation évaluation".split()  # noqa: SIM905
DEPARTMENTS = [f"{number:02d}" for number in range(1, 96) if number != 20] + ["2A", "2B", "971", "972", "974"]
CITIES = ["Paris", "Lyon", "Marseille", "Lille", "Nantes", "Bordeaux", "Toulouse", "Rennes", "Dijon", "Brest"]
PROVIDER_WORDS = "FORMA PRO ATELIER INSTITUT CENTRE ACADEMIE CAMPUS SAVOIRS METIERS AVENIR COMPETENCES".split()  # noqa: SIM905


# The triggers of catalog/0004 and 0006 that keep catalog_action_search in step, by table.
SEARCH_TRIGGERS = [
    ("catalog_trainingaction", "catalog_trainingaction_search_write"),
    ("catalog_trainingaction", "catalog_trainingaction_search_update"),
    ("catalog_session", "catalog_session_action_search_write"),
    ("catalog_session", "catalog_session_action_search_update"),
    ("catalog_trainingaction_programmes", "catalog_trainingaction_programmes_action_search"),
]


def _siret(number: int) -> str:
    body = f"{300_000_000 + number:09d}00001"[:13]
    for digit in "0123456789":
        total = 0
        for position, char in enumerate(reversed(body + digit)):
            value = int(char)
            total += (value * 2 - 9 if value > 4 else value * 2) if position & 1 else value
        if total % 10 == 0:
            return body + digit
    raise AssertionError(body)


def _copy(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def generate(cursor, *, actions: int, sessions_per_action: int, providers: int, seed: int) -> dict:
    rng = random.Random(seed)  # noqa: S311 (made-up data)
    now = datetime.datetime.now(datetime.UTC)
    today = datetime.date.today()

    cursor.execute(
        "INSERT INTO organisations_organisation (public_id, name, siren, address, postal_code, city, department_code,"
        " status, is_employer, is_provider, is_school, is_operator, created_at, search_text) VALUES"
        " (%s, 'Région de démonstration', '', '', '', '', '75', 'active', false, false, false, true, %s, '')"
        " RETURNING id",
        [uuid.uuid4(), now],
    )
    operator_id = cursor.fetchone()[0]
    programme_ids = []
    for number in range(20):
        cursor.execute(
            "INSERT INTO catalog_programme (public_id, operator_id, name, description, starts_on, ends_on, who_asks,"
            " employer_approval, provider_validation, funding, is_active, survey_is_anonymous, created_at)"
            " VALUES (%s, %s, %s, '', %s, %s, 'employee', true, true, 'operator', true, true, %s) RETURNING id",
            [uuid.uuid4(), operator_id, f"Programme {number}", today, today + datetime.timedelta(days=730), now],
        )
        programme_ids.append(cursor.fetchone()[0])

    columns = ["public_id", "name", "siret", "siren", "address", "postal_code", "city", "department_code", "status"]
    columns += ["is_employer", "is_provider", "is_school", "is_operator", "created_at", "search_text"]

    def provider_rows():
        for number in range(providers):
            siret = _siret(number)
            # One provider in twenty awaits validation: its actions stay hidden.
            status = "pending" if number % 20 == 0 else "active"
            name = " ".join(rng.sample(PROVIDER_WORDS, 2)) + f" {number}"
            address = ["1 rue de la Paix", "75002", rng.choice(CITIES), rng.choice(DEPARTMENTS)]
            yield [uuid.uuid4(), name, siret, siret[:9], *address, status, False, True, False, False, now, ""]

    _copy(cursor, "organisations_organisation", columns, provider_rows())
    cursor.execute("SELECT id, name FROM organisations_organisation WHERE is_provider ORDER BY id")
    provider_ids = cursor.fetchall()

    action_columns = [
        "public_id", "provider_id", "title", "summary", "objectives", "audience", "prerequisites", "nature",
        "duration_hours", "price", "payment_terms", "cancellation_terms", "modality", "place", "department_code",
        "accessibility", "what_to_bring", "assessment", "sanction", "certification_registry", "certification_code",
        "contact_name", "contact_email", "contact_phone", "status", "published_at", "unpublished_reason",
        "created_at", "updated_at", "search_text", "search_document",
    ]  # fmt: skip

    def action_rows():
        for _ in range(actions):
            provider_id, provider_name = rng.choice(provider_ids)
            stem, words = rng.choice(THEMES)
            words = words.split()
            title = f"{stem} — {rng.choice(LEVELS)}"
            summary = " ".join(rng.sample(words, min(4, len(words))) + rng.sample(COMMON, 3))
            objectives = " ".join(rng.sample(words, min(3, len(words))) + rng.sample(COMMON, 2))
            audience = "Salariés, demandeurs d'emploi"
            registry = rng.choice(["", "", "", "RNCP", "RS"])
            code = str(rng.randint(1000, 39999)) if registry else ""
            status = rng.choices(["published", "draft", "archived"], weights=[90, 7, 3])[0]
            department = rng.choice(DEPARTMENTS)
            certification = f"{registry}{code}" if code else ""
            parts = (provider_name, summary, objectives, audience, certification, code)
            search_text = " ".join(part for part in parts if part)
            yield [
                uuid.uuid4(), provider_id, title, summary, objectives, audience, "", "training",
                rng.choice([7, 14, 21, 35, 70]), rng.randint(2, 40) * 50, "", "",
                rng.choices(["on_site", "remote", "mixed"], weights=[6, 2, 2])[0], rng.choice(CITIES), department,
                "Locaux accessibles.", "", "Quiz.", "attestation", registry, code, "Accueil", "contact@example.org",
                "", status, now, "", now, now, search_text, "",
            ]  # fmt: skip

    start = time.perf_counter()
    count = _copy(cursor, "catalog_trainingaction", action_columns, action_rows())
    print(f"actions: {count} in {time.perf_counter() - start:.1f}s")
    cursor.execute("SELECT id, department_code FROM catalog_trainingaction ORDER BY id")
    action_rows_ = cursor.fetchall()
    _copy(
        cursor,
        "catalog_trainingaction_programmes",
        ["trainingaction_id", "programme_id"],
        (
            [action_id, programme_id]
            for action_id, _ in action_rows_
            for programme_id in rng.sample(programme_ids, rng.choice((1, 1, 2)))
        ),
    )

    session_columns = ["public_id", "action_id", "starts_on", "ends_on", "place", "department_code", "capacity"]
    session_columns += ["registration_deadline", "status", "cancelled_reason", "created_at", "updated_at"]
    session_columns += ["enrolled_count"]

    def session_rows():
        for action_id, department in action_rows_:
            for _ in range(sessions_per_action):
                starts_on = today + datetime.timedelta(days=rng.randint(-120, 365))
                # Most sessions take place where the action usually does; some elsewhere.
                where = department if rng.random() < 0.7 else rng.choice(DEPARTMENTS)
                yield [
                    uuid.uuid4(), action_id, starts_on, starts_on + datetime.timedelta(days=rng.randint(0, 4)),
                    rng.choice(CITIES), where, rng.choice([8, 10, 12, 15]), starts_on - datetime.timedelta(days=7),
                    rng.choices(["open", "full", "closed", "cancelled"], weights=[80, 8, 7, 5])[0], "", now, now, 0,
                ]  # fmt: skip

    # The trigger that keeps next_session_on current would run once per row: off for the load, then one refresh.
    cursor.execute("ALTER TABLE catalog_session DISABLE TRIGGER catalog_session_next_session")
    start = time.perf_counter()
    count = _copy(cursor, "catalog_session", session_columns, session_rows())
    print(f"sessions: {count} in {time.perf_counter() - start:.1f}s")
    return {"programmes": programme_ids, "providers": [name for _, name in provider_ids]}


def random_query(rng: random.Random, programmes: list, providers: list[str]):
    """1 to 3 words of a theme (accents dropped or capitals now and then) and, often, filters."""
    from parcours.catalog.search import _unaccent
    from parcours.catalog.selectors import CatalogQuery

    stem, words = rng.choice(THEMES)
    pool = [word for word in (stem.replace("'", " ") + " " + words).split() if len(word) > 3]
    text = " ".join(rng.sample(pool, rng.choice((1, 1, 2, 2, 3))))
    if rng.random() < 0.3:
        text = _unaccent(text)
    if rng.random() < 0.1:
        text = text.upper()
    today = datetime.date.today()
    filters = {}
    if rng.random() < 0.3:
        filters["department"] = rng.choice(DEPARTMENTS)
    if rng.random() < 0.2:
        filters["programme"] = rng.choice(programmes)
    if rng.random() < 0.2:
        filters["modality"] = rng.choice(["on_site", "remote", "mixed"])
    if rng.random() < 0.2:
        filters["starts_from"] = today + datetime.timedelta(days=rng.randint(0, 120))
        filters["starts_until"] = filters["starts_from"] + datetime.timedelta(days=rng.choice((30, 90)))
    if rng.random() < 0.1:
        filters["certification"] = rng.choice(["certifiante", "RNCP", "RS"])
    if rng.random() < 0.05:
        filters["provider"] = rng.choice(providers).split()[0]
    if rng.random() < 0.2:
        filters["sort"] = rng.choice(["prochaine-session", "intitule"])
    if rng.random() < 0.1:
        text = ""  # browsing with filters only
    return CatalogQuery(text=text, **filters), rng.choice((1, 1, 1, 2, 3))


def load(options) -> dict:
    from django.db import connection, transaction

    from parcours.catalog.search import next_sessions_refresh

    start = time.perf_counter()
    with connection.cursor() as cursor:
        # The narrow search table's triggers would sync it once per row written: off for the load, then one rebuild.
        for table, trigger in SEARCH_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER {trigger}")
    with transaction.atomic(), connection.cursor() as cursor:
        generated = generate(
            cursor.cursor,
            actions=options.actions,
            sessions_per_action=options.sessions_per_action,
            providers=options.providers,
            seed=options.seed,
        )
    print(f"loaded in {time.perf_counter() - start:.1f}s")
    with connection.cursor() as cursor:  # after the commit: the deferred foreign key checks have run
        cursor.execute("ALTER TABLE catalog_session ENABLE TRIGGER catalog_session_next_session")
    start = time.perf_counter()
    refreshed = next_sessions_refresh()
    print(f"next_sessions_refresh: {refreshed} actions in {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SELECT catalog_action_search_rebuild()")
        for table, trigger in SEARCH_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER {trigger}")
    print(f"catalog_action_search rebuilt in {time.perf_counter() - start:.1f}s")
    start = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute(
            "SELECT pg_size_pretty(pg_total_relation_size('catalog_trainingaction')),"
            " pg_size_pretty(pg_total_relation_size('catalog_session')),"
            " pg_size_pretty(pg_total_relation_size('catalog_action_search'))"
        )
        sizes = cursor.fetchone()
    print(f"vacuum analyze in {time.perf_counter() - start:.1f}s")
    print(f"sizes (with indexes): actions {sizes[0]}, sessions {sizes[1]}, search table {sizes[2]}")

    return generated


def percentiles(durations: list[float]) -> str:
    cuts = statistics.quantiles(durations, n=100)
    return f"p50={cuts[49]:.1f}ms p95={cuts[94]:.1f}ms p99={cuts[98]:.1f}ms max={max(durations):.1f}ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--actions", type=int, default=100_000)
    parser.add_argument("--sessions-per-action", type=int, default=10)
    parser.add_argument("--providers", type=int, default=5_000)
    parser.add_argument("--searches", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=6)
    parser.add_argument("--searches-only", action="store_true", help="measure again on the data already loaded")
    parser.add_argument("--pages", type=int, help="how many searches to request as whole pages (default: a fifth)")
    parser.add_argument("--explain", type=int, default=0, help="EXPLAIN (ANALYZE, BUFFERS) the N slowest searches")
    options = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parcours.catalog.models import Programme, TrainingAction
    from parcours.catalog.selectors import catalog_search
    from parcours.organisations.models import Organisation

    if connection.vendor != "postgresql":
        sys.exit("The benchmark measures PostgreSQL: set DATABASE_URL to an empty, migrated database.")
    if options.searches_only:
        generated = {
            "providers": list(
                Organisation.objects.filter(is_provider=True).order_by("id").values_list("name", flat=True)
            )
        }
    else:
        if TrainingAction.objects.exists():
            sys.exit("The table catalog_trainingaction is not empty: use a fresh database (see --help).")
        generated = load(options)
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        print(f"random_page_cost={cursor.fetchone()[0]}")
    # The machine may be shared: figures mean little without its load.
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))

    rng = random.Random(options.seed)  # noqa: S311 (made-up data)
    programmes = list(Programme.objects.all())
    searches = [random_query(rng, programmes, generated["providers"]) for _ in range(options.searches)]
    for query, page in searches[:20]:  # warm-up: the figures measure searches, not the first connection
        catalog_search(query, page=page)

    durations, queries, counts = [], [], []
    slowest = []
    for query, page in searches:
        with CaptureQueriesContext(connection) as captured:
            start = time.perf_counter()
            result = catalog_search(query, page=page)
            elapsed = (time.perf_counter() - start) * 1000
        durations.append(elapsed)
        queries.append(len(captured))
        counts.append(result.count)
        slowest.append((elapsed, query, page))
    print(f"catalog_search x{len(durations)}: {percentiles(durations)}")
    print(f"queries per search: max={max(queries)} min={min(queries)}")
    print(
        f"results: none={counts.count(0)} capped(>1000)={sum(1 for c in counts if c >= 1000)}"
        f" median={statistics.median(counts):.0f}"
    )
    slowest.sort(key=lambda item: item[0])
    for elapsed, query, page in slowest[-5:]:
        print(f"  slow {elapsed:.1f}ms: {query} page={page}")
    for elapsed, query, page in reversed(slowest[len(slowest) - options.explain :] if options.explain else []):
        explain(query, page, elapsed)

    pages = options.searches // 5 if options.pages is None else options.pages
    if pages:
        measure_pages(searches[:pages])
    print("load average (1, 5, 15 min): {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


def explain(query, page: int, elapsed: float) -> None:
    """Each SQL query of the search, run again under EXPLAIN (ANALYZE, BUFFERS)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from parcours.catalog.selectors import catalog_search

    with CaptureQueriesContext(connection) as captured:
        catalog_search(query, page=page)
    print(f"\n=== {elapsed:.1f}ms: {query} page={page}")
    for executed in captured:
        with connection.cursor() as cursor:
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {executed['sql']}")
            plan = "\n".join(row[0] for row in cursor.fetchall())
        print(f"--- {executed['sql'][:400]}\n{plan}")


def measure_pages(searches: list) -> None:
    """The whole page through Django (middlewares, form, template), every criterion in the URL. Static files
    by their plain names: no collectstatic manifest is needed, and looking names up is not what is measured."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings
    from django.urls import reverse

    settings.ALLOWED_HOSTS = ["testserver"]
    client = Client()
    url = reverse("catalog:search")
    page_durations, page_queries = [], []
    plain_static = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    # WhiteNoise warns that collectstatic's directory is missing: it serves no file here.
    warnings.filterwarnings("ignore", message="No directory at", module="whitenoise")
    with override_settings(STORAGES={**settings.STORAGES, "staticfiles": plain_static}):
        for query, page in searches:
            params = {
                "q": query.text,
                "page": page,
                "programme": query.programme and str(query.programme.public_id),
                "departement": query.department,
                "du": query.starts_from and query.starts_from.isoformat(),
                "au": query.starts_until and query.starts_until.isoformat(),
                "modalite": query.modality,
                "certification": query.certification,
                "organisme": query.provider,
                "tri": query.sort,
            }
            with CaptureQueriesContext(connection) as captured:
                start = time.perf_counter()
                response = client.get(url, {key: value for key, value in params.items() if value}, secure=True)
                page_durations.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, response.status_code
            page_queries.append(len(captured))
    print(f"GET /formations/ x{len(page_durations)}: {percentiles(page_durations)}; queries max={max(page_queries)}")


if __name__ == "__main__":
    main()
