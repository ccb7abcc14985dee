"""Reads of the local directory tables."""

from django.db import connection
from django.db.models import QuerySet

from parcours.organisations.directory.identifiers import compact, uai_is_valid
from parcours.organisations.directory.text import search_words
from parcours.organisations.models import DirectoryEstablishment, DirectorySchool

SIRET_PREFIX_MIN_LENGTH = 6


def directory_school_get(*, uai: str) -> DirectorySchool | None:
    return DirectorySchool.objects.filter(uai=uai).first()


def directory_establishment_get(*, siret: str) -> DirectoryEstablishment | None:
    return DirectoryEstablishment.objects.filter(siret=siret).first()


def directory_schools_search(*, text: str, limit: int) -> list[DirectorySchool]:
    """Open schools: the exact UAI when one is typed, else every word inside the search text."""
    schools = DirectorySchool.objects.filter(is_open=True)
    identifier = compact(text)
    if uai_is_valid(identifier):
        return list(schools.filter(uai=identifier))
    return _best_first(_first_matches(schools, text, limit), text)


def directory_establishments_search(*, text: str, limit: int) -> list[DirectoryEstablishment]:
    """Active, diffusible establishments: by the start of a SIRET (a SIREN is one) when 6 digits or more are
    typed, else by the words of their name, commune and postal code.

    The filter on is_diffusible is what keeps non-diffusible entries out of every search (they have no search
    text either); the PostgreSQL search index covers exactly these rows.
    """
    establishments = DirectoryEstablishment.objects.filter(is_diffusible=True, is_active=True)
    identifier = compact(text)
    if identifier.isdigit() and len(identifier) >= SIRET_PREFIX_MIN_LENGTH:
        # A postal code has 5 digits: it is searched as a word. The primary key's pattern index serves this.
        return _best_first(establishments.filter(siret__startswith=identifier)[:limit], text)
    return _best_first(_first_matches(establishments, text, limit), text)


def _first_matches(rows: QuerySet, text: str, limit: int) -> list:
    """`limit` rows whose words start with the words typed ("boul mar" finds "BOULANGERIE MARTIN").

    The matching rows are a MATERIALIZED CTE, the LIMIT outside it: PostgreSQL cannot estimate how many rows
    a word prefix matches, and with the LIMIT in the same query it bets on a sequential scan that stops at
    the tenth row, and reads the whole table when the word is rare (0.5 s on a million rows). Planned apart,
    the matches come from the search index; the CTE is read lazily, so a common word costs no more.
    """
    model = rows.model
    matching_sql, params = (
        rows.filter(search_text__words_start=search_words(text)).values("pk").query.sql_with_params()
    )
    table = connection.ops.quote_name(model._meta.db_table)
    key = connection.ops.quote_name(model._meta.pk.column)
    return list(
        model.objects.raw(
            # The CTE's column is named: a bare name would fall back to the outer table's column.
            f"WITH matching (found) AS MATERIALIZED ({matching_sql})"  # noqa: S608 (the ORM's SQL, its parameters)
            f" SELECT * FROM {table} WHERE {key} IN (SELECT found FROM matching LIMIT %s)",
            [*params, limit],
        )
    )


def _best_first(rows, text: str) -> list:
    """The rows found, names starting with the first word typed first, then by name.

    Only the rows already found are sorted: ordering every match of a common word before the LIMIT would
    cost more than the search itself, and the person typing narrows it down anyway.
    """
    words = search_words(text)
    first = words[0] if words else ""
    return sorted(rows, key=lambda row: (not " ".join(search_words(row.name)).startswith(first), row.name, row.pk))
