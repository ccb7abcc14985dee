"""The public APIs as a directory: Recherche d'entreprises (api.gouv.fr) and the Annuaire de l'éducation
(data.education.gouv.fr, Opendatasoft explore v2.1). Response shapes: ../shared/data/api-formats.md.
"""

import json
import logging
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from parcours.organisations.directory.lookup import DirectoryUnavailable, Establishment, School
from parcours.organisations.directory.schools import InvalidRow, SchoolRecord, school_record
from parcours.organisations.directory.sirene import DIFFUSIBLE, establishment_name
from parcours.organisations.directory.text import department_from_commune, department_from_postal_code
from parcours.organisations.models import SchoolEmailOrigin

logger = logging.getLogger(__name__)

EDUCATION_RECORDS = "/api/explore/v2.1/catalog/datasets/fr-en-annuaire-education/records"
ENTREPRISES_SEARCH = "/search"
# The Recherche d'entreprises API serves at most 25 results a page.
ENTREPRISES_MAX_PER_PAGE = 25
# What the API writes in place of what a non-diffusible person's entry hides.
NON_DIFFUSIBLE_MARK = "NON-DIFFUSIBLE"
ENTREPRISES = "Recherche d'entreprises"
EDUCATION = "Annuaire de l'éducation"


class HttpDirectory:
    def __init__(self) -> None:
        self.entreprises_url = settings.PARCOURS_ENTREPRISES_API_URL.rstrip("/")
        self.education_url = settings.PARCOURS_EDUCATION_API_URL.rstrip("/")
        self.timeout = settings.PARCOURS_DIRECTORY_HTTP_TIMEOUT

    def school_by_uai(self, uai: str) -> School | None:
        # The UAI is checked before (7 digits and a letter): nothing to escape in the ODSQL string.
        answer = self._get(
            EDUCATION,
            self.education_url + EDUCATION_RECORDS,
            {"where": f'identifiant_de_l_etablissement="{uai}"', "limit": 1},
        )
        schools = [school for school in _schools(answer) if school.uai == uai]
        return schools[0] if schools else None

    def schools_search(self, text: str, limit: int) -> list[School]:
        # suggest(): terms that begin with what is typed, as search-as-you-type needs.
        quoted = text.replace("\\", " ").replace('"', " ").strip()
        where = f'suggest(identifiant_de_l_etablissement, nom_etablissement, nom_commune, code_postal, "{quoted}")'
        answer = self._get(EDUCATION, self.education_url + EDUCATION_RECORDS, {"where": where, "limit": limit})
        return [school for school in _schools(answer) if school.is_open][:limit]

    def establishment_by_siret(self, siret: str) -> Establishment | None:
        answer = self._get(
            ENTREPRISES, self.entreprises_url + ENTREPRISES_SEARCH, {"q": siret, "page": 1, "per_page": 5}
        )
        for establishment in _establishments(answer):
            if establishment.siret == siret:
                return establishment
        return None

    def establishments_search(self, text: str, limit: int) -> list[Establishment]:
        answer = self._get(
            ENTREPRISES,
            self.entreprises_url + ENTREPRISES_SEARCH,
            {"q": text, "page": 1, "per_page": min(limit, ENTREPRISES_MAX_PER_PAGE), "etat_administratif": "A"},
        )
        found = [
            establishment
            for establishment in _establishments(answer)
            if establishment.is_diffusible and establishment.is_active
        ]
        return found[:limit]

    def _get(self, directory: str, url: str, params: dict) -> dict:
        request = urllib.request.Request(  # noqa: S310 (the URL comes from settings, http or https)
            f"{url}?{urllib.parse.urlencode(params)}",
            headers={"Accept": "application/json", "User-Agent": "Parcours"},
        )
        if not request.full_url.startswith(("https://", "http://")):
            raise DirectoryUnavailable(f"L'adresse de l'annuaire {directory} n'est pas une adresse web : {url}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310 (checked above)
                body = response.read()
        except urllib.error.HTTPError as error:
            logger.warning("directory=%r status=%s url=%s", directory, error.code, url)
            with error:
                message = _http_error_message(directory, error)
            raise DirectoryUnavailable(message) from error
        except TimeoutError as error:
            logger.warning("directory=%r timeout=%s url=%s", directory, self.timeout, url)
            raise DirectoryUnavailable(self._timeout_message(directory)) from error
        except (urllib.error.URLError, OSError) as error:
            reason = getattr(error, "reason", error)
            if isinstance(reason, TimeoutError):
                logger.warning("directory=%r timeout=%s url=%s", directory, self.timeout, url)
                raise DirectoryUnavailable(self._timeout_message(directory)) from error
            logger.warning("directory=%r error=%r url=%s", directory, str(reason), url)
            raise DirectoryUnavailable(
                f"L'annuaire {directory} est injoignable. Réessayez dans quelques minutes."
            ) from error
        try:
            answer = json.loads(body)
        except ValueError as error:
            raise DirectoryUnavailable(f"L'annuaire {directory} a envoyé une réponse illisible.") from error
        if not isinstance(answer, dict) or not isinstance(answer.get("results"), list):
            raise DirectoryUnavailable(f"L'annuaire {directory} a envoyé une réponse illisible.")
        return answer

    def _timeout_message(self, directory: str) -> str:
        return f"L'annuaire {directory} ne répond pas (plus de {self.timeout:g} s). Réessayez dans quelques minutes."


def _http_error_message(directory: str, error: urllib.error.HTTPError) -> str:
    if error.code == 429:
        return f"L'annuaire {directory} reçoit trop de demandes. Réessayez dans quelques secondes."
    if error.code == 400:
        try:
            detail = json.loads(error.read()).get("erreur") or ""
        except (ValueError, AttributeError, OSError):
            detail = ""
        return f"L'annuaire {directory} refuse cette recherche{f' : {detail}' if detail else ''}."
    return f"L'annuaire {directory} est indisponible (erreur {error.code}). Réessayez dans quelques minutes."


def _schools(answer: dict) -> list[School]:
    schools = []
    for record in answer["results"]:
        if not isinstance(record, dict):
            raise DirectoryUnavailable(f"L'annuaire {EDUCATION} a envoyé une réponse illisible.")
        try:
            schools.append(_school(school_record({str(key).lower(): value for key, value in record.items()})))
        except InvalidRow:
            continue
    return schools


def _school(record: SchoolRecord) -> School:
    return School(
        uai=record.uai,
        name=record.name,
        kind=record.kind,
        is_public=record.is_public,
        address=record.address,
        postal_code=record.postal_code,
        commune=record.commune,
        department_code=record.department_code,
        academy_code=record.academy_code,
        academy_name=record.academy_name,
        email=record.email,
        email_derived=record.email_origin == SchoolEmailOrigin.DERIVED,
        email_needs_check=record.email_origin == SchoolEmailOrigin.TO_CHECK,
        siret=record.siret,
        is_open=record.is_open,
    )


def _establishments(answer: dict) -> list[Establishment]:
    try:
        return [
            _establishment(unit, establishment)
            for unit in answer["results"]
            for establishment in (unit.get("matching_etablissements") or [unit["siege"]])
        ]
    except (KeyError, TypeError, AttributeError) as error:
        raise DirectoryUnavailable(f"L'annuaire {ENTREPRISES} a envoyé une réponse illisible.") from error


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _establishment(unit: dict, establishment: dict) -> Establishment:
    siret = _text(establishment["siret"])
    legal_name = _text(unit.get("nom_complet") or unit.get("nom_raison_sociale"))
    diffusible = (
        _text(unit.get("statut_diffusion") or DIFFUSIBLE) == DIFFUSIBLE
        and _text(establishment.get("statut_diffusion") or DIFFUSIBLE) == DIFFUSIBLE
        and NON_DIFFUSIBLE_MARK not in legal_name.upper()
    )
    postal_code = _text(establishment.get("code_postal"))
    commune = _text(establishment.get("libelle_commune"))
    address = _text(establishment.get("adresse"))
    # The API writes the postal code and the commune at the end of the address; they have their own fields.
    address = address.removesuffix(f" {postal_code} {commune}".rstrip()).strip() if postal_code else address
    signs = establishment.get("liste_enseignes") or []
    head_office = establishment.get("est_siege")
    if head_office is None:
        head_office = siret == _text((unit.get("siege") or {}).get("siret"))
    return Establishment(
        siret=siret,
        siren=_text(unit.get("siren")) or siret[:9],
        name=establishment_name(legal_name, _text(signs[0]) if signs else "") if diffusible else None,
        address=address if diffusible else None,
        postal_code=postal_code if diffusible else None,
        commune=commune if diffusible else None,
        department_code=department_from_commune(_text(establishment.get("commune")))
        or department_from_postal_code(postal_code),
        naf_code=_text(establishment.get("activite_principale") or unit.get("activite_principale"))[:6],
        is_active=_text(establishment.get("etat_administratif") or unit.get("etat_administratif")) == "A",
        is_head_office=bool(head_office),
        is_diffusible=diffusible,
    )
