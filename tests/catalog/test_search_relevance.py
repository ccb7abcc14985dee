"""French search relevance: one corpus, one table of queries and their hits, on SQLite and on PostgreSQL.

Run it on both databases:
    .venv/bin/pytest tests/catalog/test_search_relevance.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/parcours .venv/bin/pytest tests/catalog/test_search_relevance.py
"""

import pytest

from parcours.catalog.selectors import CatalogQuery, catalog_search
from tests.catalog.factories import TrainingActionFactory
from tests.organisations.factories import ProviderFactory

# key: (title, summary, objectives, certification code (RNCP))
CORPUS = {
    "habilitation": (
        "Habilitation électrique B1V BR",
        "Travaux d'ordre électrique en basse tension pour les électriciens.",
        "Obtenir le titre d'habilitation.",
        "",
    ),
    "batiment": (
        "Électricité du bâtiment",
        "Installer et dépanner les réseaux d'un logement.",
        "Câbler un tableau de répartition.",
        "",
    ),
    "arc": ("Soudure à l'arc", "Les bases du poste à l'arc.", "Souder des pièces simples.", ""),
    "tig": ("Soudage TIG des aciers inoxydables", "Pour soudeurs confirmés.", "Réaliser des soudures TIG.", ""),
    "paie": ("Gestion de la paie", "Établir les bulletins de paie.", "Connaître les cotisations.", ""),
    "gestionnaire": ("Devenir gestionnaire de paie", "Un métier recherché.", "Tenir un portefeuille.", ""),
    "anglais": ("Anglais professionnel en e-learning", "Cours en ligne.", "Tenir une réunion en anglais.", ""),
    "excel": ("Bureautique : Excel perfectionnement", "Tableaux croisés.", "Automatiser des calculs.", ""),
    "sst": ("Sauveteur secouriste du travail", "Premiers secours en entreprise.", "Porter secours.", ""),
    "incendie": (
        "Sécurité incendie : équipier de première intervention",
        "Manipuler un extincteur.",
        "Évacuer un bâtiment.",
        "",
    ),
    "caces": ("Conduite de chariots élévateurs", "Préparation au CACES R489.", "Conduire en sécurité.", ""),
    "haccp": ("Hygiène alimentaire en restauration commerciale", "Méthode HACCP.", "Appliquer les règles.", ""),
    "compta": ("Comptabilité générale", "Pour non-comptables.", "Lire un bilan.", "35830"),
    "management": ("Management d'équipe", "Animer et motiver.", "Conduire un entretien annuel.", ""),
    "patisserie": ("Pâtisserie : les bases", "Pâtes et crèmes.", "Réussir les classiques.", ""),
}
ALL = set(CORPUS)

# (query, expected hits, the hit that must rank first or None)
CASES = [
    # Accents and case do not matter.
    ("électricité", {"batiment"}, None),
    ("electricite", {"batiment"}, None),
    ("ÉLECTRICITÉ", {"batiment"}, None),
    ("Electricite BATIMENT", {"batiment"}, None),
    ("patisserie", {"patisserie"}, None),
    # Plurals and singulars.
    ("soudures", {"arc", "tig"}, "arc"),
    ("soudure", {"arc", "tig"}, "arc"),
    ("électricien", {"habilitation"}, None),
    ("chariot élévateur", {"caces"}, None),
    ("pâtisseries", {"patisserie"}, None),
    ("secouristes", {"sst"}, None),
    # Stems: both configurations keep « gestion » and « gestionnaire » apart, and « électrique » apart from
    # « électricité ».
    ("gestion", {"paie"}, None),
    ("gestionnaire", {"gestionnaire"}, None),
    ("gestionnaires", {"gestionnaire"}, None),
    ("électriques", {"habilitation"}, None),
    ("paie", {"paie", "gestionnaire"}, "paie"),
    # Stop words are ignored; a query of stop words only is no query at all.
    ("de la paie", {"paie", "gestionnaire"}, None),
    # PostgreSQL's list lacks « les » and « à » (indexed as "le", "a"): queries drop them as well.
    ("les soudures", {"arc", "tig"}, "arc"),
    ("Soudure à l’arc", {"arc"}, None),
    ("les", ALL, None),
    ("de la", ALL, None),
    # Every word must match.
    ("gestion paie", {"paie"}, None),
    ("sécurité incendie", {"incendie"}, None),
    ("management équipe", {"management"}, None),
    # Codes and compounds.
    ("CACES R489", {"caces"}, None),
    ("RNCP35830", {"compta"}, None),
    ("35830", {"compta"}, None),
    ("e-learning", {"anglais"}, None),
    ("anglais e learning", {"anglais"}, None),
    # Nothing.
    ("plomberie", set(), None),
    ("soudure plomberie", set(), None),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("query", "expected", "first"), CASES, ids=[case[0] for case in CASES])
def test_search_relevance(query, expected, first):
    provider = ProviderFactory(name="Organisme")
    for title, summary, objectives, code in CORPUS.values():
        TrainingActionFactory(
            provider=provider,
            title=title,
            summary=summary,
            objectives=objectives,
            audience="Tout public",
            certification_registry="RNCP" if code else "",
            certification_code=code,
            programmes=[],
        )
    keys = {value[0]: key for key, value in CORPUS.items()}

    page = catalog_search(CatalogQuery(text=query))

    found = [keys[action.title] for action in page.actions]
    assert set(found) == expected
    assert page.count == len(expected)
    if first is not None:
        assert found[0] == first


@pytest.mark.django_db
def test_the_periodic_job_refreshes_next_sessions():
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("refresh_next_sessions", stdout=out)

    assert out.getvalue().startswith("next sessions refreshed=")
