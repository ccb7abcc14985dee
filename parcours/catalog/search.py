"""French full-text search of the public catalog (docs/decisions/0014-french-search.md).

One interface, two implementations that find the same actions for the same words:

- PostgreSQL indexes the text with the `french_unaccent` configuration (migration 0002: the `french`
  configuration with `unaccent` before `french_stem`) in the generated column `search_vector`
  (title weighted A, the rest B), and parses queries with `plainto_tsquery`. The search reads a copy of
  it in the narrow table `catalog_action_search` (models.ActionSearch, migrations 0004 and 0006), under a GIN
  index, beside what the filters need.
- SQLite has no French stemmer: `search_terms()` does in Python what `french_unaccent` does (split the
  words, remove the accents, lower-case, drop PostgreSQL's French stop words, Snowball's French stemmer)
  and an FTS5 table holds the result, kept in sync by triggers on `search_document`.

tests/catalog/test_search_relevance.py runs the same corpus and queries on both databases.
"""

import re
import unicodedata
from typing import Protocol

import snowballstemmer
from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F, FloatField, Func, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.utils import timezone

# PostgreSQL's share/tsearch_data/french.stop, which the `french_stem` dictionary checks once `unaccent`
# has run: so its accented entries never match (« été » is indexed as « ete ») and Python must do the same.
_FRENCH_STOP = """
    au aux avec ce ces dans de des du elle en et eux il je la le leur lui ma mais me même mes moi mon ne nos
    notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi ton tu un une vos votre vous c d j l
    à m n s t y été étée étées étés étant étante étants étantes suis es est sommes êtes sont serai seras sera
    serons serez seront serais serait serions seriez seraient étais était étions étiez étaient fus fut fûmes
    fûtes furent sois soit soyons soyez soient fusse fusses fût fussions fussiez fussent ayant ayante ayantes
    ayants eu eue eues eus ai as avons avez ont aurai auras aura aurons aurez auront aurais aurait aurions
    auriez auraient avais avait avions aviez avaient eut eûmes eûtes eurent aie aies ait ayons ayez aient eusse
    eusses eût eussions eussiez eussent"""
STOP_WORDS = frozenset(_FRENCH_STOP.split())
# Words that list lacks but that a query should not require: « les » and « à » are indexed (as "le" and "a").
QUERY_STOP_WORDS = frozenset({"les", "a", "cet", "cette", "leurs"})
# PostgreSQL's parser keeps decimals ("3.5") whole and splits everything else on non-alphanumerics; the
# configuration drops the whole hyphenated compounds and indexes their parts, as the second branch does.
_TOKEN = re.compile(r"\d+(?:\.\d+)+|[^\W_]+")
# What NFKD does not decompose but `unaccent` maps.
_LIGATURES = str.maketrans({"œ": "oe", "Œ": "OE", "æ": "ae", "Æ": "AE", "ß": "ss", "ø": "o", "Ø": "O", "ł": "l"})
_stemmer = snowballstemmer.stemmer("french")

# The fields search_fields() reads: TrainingAction.save() recomputes the search data when one changes.
SEARCHED_FIELDS = frozenset(
    {"title", "summary", "objectives", "audience", "certification_registry", "certification_code", "provider"}
)
# Beyond this many words, the others are ignored (the form caps the query's length too).
MAX_QUERY_TERMS = 10
FTS_TABLE = "catalog_trainingaction_fts"


def _unaccent(text: str) -> str:
    text = text.translate(_LIGATURES)
    return "".join(char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char))


def search_terms(text: str) -> list[str]:
    """The lexemes PostgreSQL's `french_unaccent` gives: « Les Soudures à l'arc » → ["soudur", "a", "arc"]."""
    terms = []
    for token in _TOKEN.findall(text):
        if any(char.isdigit() for char in token):
            # Numbers and words with digits ("R489", "RNCP34567") go to the `simple` dictionary: lower case only.
            terms.append(token.lower())
            continue
        word = _unaccent(token).lower()
        if word not in STOP_WORDS:
            terms.append(_stemmer.stemWord(word))
    return terms


def query_text(text: str) -> str:
    """The query's words without QUERY_STOP_WORDS, at most MAX_QUERY_TERMS of them: what both backends parse."""
    words = [token for token in _TOKEN.findall(text) if _unaccent(token).lower() not in QUERY_STOP_WORDS]
    return " ".join(words[:MAX_QUERY_TERMS])


def search_fields(action) -> tuple[str, str]:
    """The action's (search_text, search_document): the raw words PostgreSQL indexes beside the title, and
    the title's and those words' lexemes for SQLite's FTS5 table, separated by a line feed."""
    provider_name = action.provider.name if action.provider_id else ""
    text = " ".join(
        part
        for part in (
            provider_name,
            action.summary,
            action.objectives,
            action.audience,
            action.certification_code and f"{action.certification_registry}{action.certification_code}",
            action.certification_code,
        )
        if part
    )
    document = " ".join(search_terms(action.title)) + "\n" + " ".join(search_terms(text))
    return text, document


class SearchBackend(Protocol):
    def matching(self, actions: QuerySet, text: str) -> QuerySet:
        """The actions whose words match all of the query's words."""

    def with_rank(self, actions: QuerySet, text: str) -> QuerySet:
        """Annotated with `rank` (higher is more relevant); filter them with matching() first."""


class PostgresSearch:
    """Searches the narrow table (models.ActionSearch), whose `search_vector` is the action's."""

    @staticmethod
    def _query(text: str) -> SearchQuery:
        return SearchQuery(query_text(text), config="french_unaccent", search_type="plain")

    def matching(self, actions: QuerySet, text: str) -> QuerySet:
        return actions.filter(search_vector=self._query(text))

    def with_rank(self, actions: QuerySet, text: str) -> QuerySet:
        return actions.annotate(rank=SearchRank(F("search_vector"), self._query(text)))


class SqliteSearch:
    # Title words weigh 2.5 times the others, like PostgreSQL's default weights for A (1.0) and B (0.4).
    _weights = "2.5, 1.0"

    @staticmethod
    def _match(text: str) -> str:
        # Each lexeme quoted (a phrase for "3.5"); FTS5 joins them with AND.
        return " ".join(f'"{term}"' for term in search_terms(query_text(text)))

    def matching(self, actions: QuerySet, text: str) -> QuerySet:
        matches = RawSQL(  # noqa: S611 (the query's words are a parameter)
            f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s",  # noqa: S608
            [self._match(text)],
        )
        return actions.filter(pk__in=matches)

    def with_rank(self, actions: QuerySet, text: str) -> QuerySet:
        return actions.annotate(rank=_Bm25(Value(self._match(text)), F("pk")))


class _Bm25(Func):
    """The action's FTS5 relevance, higher is better (bm25() is lower for better matches). An expression
    rather than raw SQL naming the table, so that it holds inside subqueries, where Django renames it."""

    template = (
        f"(SELECT -bm25({FTS_TABLE}, {SqliteSearch._weights}) FROM {FTS_TABLE}"  # noqa: S608 (no input)
        f" WHERE {FTS_TABLE} MATCH %(expressions)s)"
    )
    arg_joiner = " AND rowid = "
    output_field = FloatField()


def search_backend() -> SearchBackend:
    return PostgresSearch() if connection.vendor == "postgresql" else SqliteSearch()


def searchable(text: str) -> bool:
    """Whether the query holds a word that is not a stop word: « de la » or « les » search nothing."""
    return bool(search_terms(query_text(text)))


def next_sessions_refresh(*, today=None) -> int:
    """Recomputes every action's next_session_on for today; returns how many changed. On PostgreSQL, also the
    session columns of the narrow search rows that a passed registration deadline made inexact (the search
    checks those rows' sessions meanwhile).

    Triggers keep them current when sessions change; only time passing (a registration deadline going by)
    needs this, once a day.
    """
    today = today or timezone.localdate()
    next_start = (
        "SELECT MIN(session.starts_on) FROM catalog_session session"
        " WHERE session.action_id = catalog_trainingaction.id AND session.status = 'open'"
        " AND session.registration_deadline >= %s"
    )
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE catalog_trainingaction SET next_session_on = ({next_start})"  # noqa: S608 (no input)
            f" WHERE next_session_on {differs} ({next_start})",
            [today, today],
        )
        changed = cursor.rowcount
        if connection.vendor == "postgresql":
            _search_rows_refresh(cursor)
    return changed


def _search_rows_refresh(cursor) -> None:
    """Rewrites the narrow search rows whose earliest registration deadline has passed, for the database's day
    (migration catalog/0006), never a later one: a row must never hold fewer sessions than one may ask for."""
    # Not before that migration: catalog/0002 calls next_sessions_refresh().
    cursor.execute("SELECT to_regprocedure('catalog_action_search_sessions(bigint)') IS NOT NULL")
    if cursor.fetchone()[0]:
        cursor.execute(
            "UPDATE catalog_action_search search"
            " SET (session_starts, session_departments, sessions_until) ="
            " (SELECT * FROM catalog_action_search_sessions(search.id))"
            " WHERE search.sessions_until < catalog_action_search_day()"
        )
