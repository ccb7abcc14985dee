"""One way to look schools and establishments up, whichever directory answers (PARCOURS_DIRECTORY_BACKEND).

"local" (default) reads the tables that import_uai and import_sirene load; "http" asks the public APIs
(Annuaire de l'éducation, Recherche d'entreprises). Both return the same small frozen dataclasses and
follow the same rules: a search needs a word of three characters or more, returns open schools and
active establishments only, and never a non-diffusible establishment; its exact SIRET finds it, with
its name and address hidden.
"""

from dataclasses import dataclass
from typing import Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from parcours.organisations.directory.identifiers import compact, siret_is_valid, uai_is_valid
from parcours.organisations.directory.text import search_words

MIN_WORD_LENGTH = 3
MAX_LIMIT = 50
BACKENDS = {
    "local": "parcours.organisations.directory.local.LocalDirectory",
    "http": "parcours.organisations.directory.http.HttpDirectory",
}


class DirectoryUnavailable(Exception):
    """The directory did not answer usably (timeout, HTTP error, unreadable answer); the message is in French."""


@dataclass(frozen=True, slots=True)
class School:
    uai: str
    name: str
    kind: str  # SchoolKind: college, lycee, other
    is_public: bool
    address: str
    postal_code: str
    commune: str
    department_code: str
    academy_code: str
    academy_name: str
    # The official address, lower-cased; "" when an operator must check it (email_needs_check).
    email: str
    email_derived: bool  # ce.<uai>@<the académie's domain>, because the directory has no Mail
    email_needs_check: bool
    siret: str
    is_open: bool


@dataclass(frozen=True, slots=True)
class Establishment:
    siret: str
    siren: str
    # None when the establishment is non-diffusible: the requester types them.
    name: str | None
    address: str | None
    postal_code: str | None
    commune: str | None
    department_code: str
    naf_code: str
    is_active: bool
    is_head_office: bool
    is_diffusible: bool


class DirectoryBackend(Protocol):
    """Called with clean input: a valid UAI or SIRET, search words already checked, a bounded limit."""

    def school_by_uai(self, uai: str) -> School | None: ...

    def schools_search(self, text: str, limit: int) -> list[School]: ...

    def establishment_by_siret(self, siret: str) -> Establishment | None: ...

    def establishments_search(self, text: str, limit: int) -> list[Establishment]: ...


def directory_backend() -> DirectoryBackend:
    name = settings.PARCOURS_DIRECTORY_BACKEND
    if name not in BACKENDS:
        raise ImproperlyConfigured(f"PARCOURS_DIRECTORY_BACKEND doit valoir {' ou '.join(BACKENDS)}, pas {name!r}.")
    return import_string(BACKENDS[name])()


def school_by_uai(uai: str) -> School | None:
    """The school of that UAI (spaces and case ignored), open or closed; None for an unknown or invalid UAI."""
    uai = compact(uai)
    if not uai_is_valid(uai):
        return None
    return directory_backend().school_by_uai(uai)


def schools_search(text: str, limit: int = 10) -> list[School]:
    """Open schools whose UAI, name, commune or postal code hold every word typed, at most `limit`."""
    if not _searchable(text):
        return []
    return directory_backend().schools_search(text, _bounded(limit))


def establishment_by_siret(siret: str) -> Establishment | None:
    """The establishment of that SIRET, active or closed, a non-diffusible one with its name and address hidden."""
    siret = compact(siret)
    if not siret_is_valid(siret):
        return None
    return directory_backend().establishment_by_siret(siret)


def establishments_search(text: str, limit: int = 10) -> list[Establishment]:
    """Active, diffusible establishments matching a name, a commune, a postal code, a SIREN or a SIRET."""
    if not _searchable(text):
        return []
    return directory_backend().establishments_search(text, _bounded(limit))


def _searchable(text: str) -> bool:
    # A search of only one- or two-letter word starts matches too much to help anyone.
    return any(len(word) >= MIN_WORD_LENGTH for word in search_words(text))


def _bounded(limit: int) -> int:
    return max(1, min(int(limit), MAX_LIMIT))
