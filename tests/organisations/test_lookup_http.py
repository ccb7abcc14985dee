import pytest
from django.core.exceptions import ImproperlyConfigured

from parcours.organisations.directory import lookup
from parcours.organisations.directory.http import EDUCATION_RECORDS

pytestmark = pytest.mark.django_db

UTRILLO = {
    "identifiant_de_l_etablissement": "0932030B",
    "nom_etablissement": "Lycée polyvalent Maurice Utrillo",
    "type_etablissement": "Lycée",
    "statut_public_prive": "Public",
    "adresse_1": "152 rue Jean Durand",
    "adresse_2": None,
    "code_postal": "93240",
    "nom_commune": "Stains",
    "code_departement": "093",
    "code_academie": "24",
    "libelle_academie": "Créteil",
    "mail": "Ce.0932030B@ac-creteil.fr",
    "telephone": "01 49 71 40 00",
    "siren_siret": "19932030000023",
    "etat": "OUVERT",
}
RIKITEA = {
    **UTRILLO,
    "identifiant_de_l_etablissement": "9840419H",
    "nom_etablissement": "Centre catholique d'éducation au développement de Rikitea",
    "code_academie": "41",
    "mail": None,
    "etat": "OUVERT",
}
CLOSED = {**UTRILLO, "identifiant_de_l_etablissement": "0591905A", "etat": "FERME"}
COMPANY = {
    "siren": "812345676",
    "nom_complet": "ATELIERS NUMERIQUES DE LA LOIRE",
    "nom_raison_sociale": "ATELIERS NUMERIQUES DE LA LOIRE",
    "activite_principale": "62.01Z",
    "etat_administratif": "A",
    "siege": {
        "siret": "81234567600017",
        "adresse": "12 QUAI DE LA FOSSE 44000 NANTES",
        "code_postal": "44000",
        "libelle_commune": "NANTES",
        "etat_administratif": "A",
    },
    "matching_etablissements": [
        {
            "siret": "81234567600017",
            "adresse": "12 QUAI DE LA FOSSE 44000 NANTES",
            "code_postal": "44000",
            "libelle_commune": "NANTES",
            "etat_administratif": "A",
            "latitude": "47.21",
            "longitude": "-1.56",
        },
        {
            "siret": "81234567600033",
            "adresse": "5 AV DU GENERAL LECLERC 85000 LA ROCHE-SUR-YON",
            "code_postal": "85000",
            "libelle_commune": "LA ROCHE-SUR-YON",
            "etat_administratif": "F",
        },
    ],
}
NON_DIFFUSIBLE = {
    "siren": "890123458",
    "nom_complet": "[NON-DIFFUSIBLE]",
    "nom_raison_sociale": None,
    "activite_principale": "85.59A",
    "etat_administratif": "A",
    "statut_diffusion": "P",
    "siege": {
        "siret": "89012345800014",
        "adresse": "[NON-DIFFUSIBLE]",
        "code_postal": "[NON-DIFFUSIBLE]",
        "libelle_commune": "[NON-DIFFUSIBLE]",
        "etat_administratif": "A",
    },
    "matching_etablissements": [],
}


def entreprises(*units):
    return {"results": list(units), "total_results": len(units), "page": 1, "per_page": 10, "total_pages": 1}


def records(*schools):
    return {"total_count": len(schools), "results": list(schools)}


def test_a_school_is_asked_by_its_uai(fake_api):
    fake_api.answer(EDUCATION_RECORDS, records(UTRILLO))

    school = lookup.school_by_uai("0932030b")

    assert (school.uai, school.name, school.kind, school.is_public) == (
        "0932030B",
        UTRILLO["nom_etablissement"],
        "lycee",
        True,
    )
    assert (school.email, school.email_derived) == ("ce.0932030b@ac-creteil.fr", False)
    assert (school.department_code, school.academy_name, school.siret) == ("93", "Créteil", "19932030000023")
    path, query = fake_api.requests[0]
    assert path == EDUCATION_RECORDS
    assert query == {"where": ['identifiant_de_l_etablissement="0932030B"'], "limit": ["1"]}


def test_a_school_without_mail_gets_the_academie_address(fake_api):
    fake_api.answer(EDUCATION_RECORDS, records(RIKITEA))

    school = lookup.school_by_uai("9840419H")

    assert (school.email, school.email_derived) == ("ce.9840419h@ac-polynesie.pf", True)


def test_an_unknown_uai_is_none(fake_api):
    fake_api.answer(EDUCATION_RECORDS, records())

    assert lookup.school_by_uai("0932030B") is None


def test_schools_are_searched_as_typed_and_closed_ones_left_out(fake_api):
    fake_api.answer(EDUCATION_RECORDS, records(UTRILLO, CLOSED))

    found = lookup.schools_search('maurice "utrillo', limit=5)

    assert [school.uai for school in found] == ["0932030B"]
    _path, query = fake_api.requests[0]
    assert query["where"] == [
        'suggest(identifiant_de_l_etablissement, nom_etablissement, nom_commune, code_postal, "maurice  utrillo")'
    ]
    assert query["limit"] == ["5"]


def test_an_establishment_is_asked_by_its_siret(fake_api):
    fake_api.answer("/search", entreprises(COMPANY))

    establishment = lookup.establishment_by_siret("81234567600017")

    assert establishment == lookup.Establishment(
        siret="81234567600017",
        siren="812345676",
        name="ATELIERS NUMERIQUES DE LA LOIRE",
        address="12 QUAI DE LA FOSSE",
        postal_code="44000",
        commune="NANTES",
        department_code="44",
        naf_code="62.01Z",
        is_active=True,
        is_head_office=True,
        is_diffusible=True,
    )
    assert fake_api.requests == [("/search", {"q": ["81234567600017"], "page": ["1"], "per_page": ["5"]})]


def test_a_siret_the_api_does_not_return_is_none(fake_api):
    fake_api.answer("/search", entreprises(COMPANY))

    assert lookup.establishment_by_siret("81234567600025") is None


def test_a_non_diffusible_establishment_is_found_by_siret_with_name_and_address_hidden(fake_api):
    fake_api.answer("/search", entreprises(NON_DIFFUSIBLE))

    establishment = lookup.establishment_by_siret("89012345800014")

    assert establishment.is_diffusible is False
    assert (establishment.name, establishment.address, establishment.postal_code, establishment.commune) == (None,) * 4


def test_a_search_keeps_active_diffusible_establishments_only(fake_api):
    fake_api.answer("/search", entreprises(COMPANY, NON_DIFFUSIBLE))

    found = lookup.establishments_search("ateliers", limit=40)

    assert [establishment.siret for establishment in found] == ["81234567600017"]
    _path, query = fake_api.requests[0]
    assert query == {"q": ["ateliers"], "page": ["1"], "per_page": ["25"], "etat_administratif": ["A"]}


@pytest.mark.parametrize(
    ("status", "message"),
    [
        (500, "Recherche d'entreprises est indisponible \\(erreur 500\\)"),
        (503, "indisponible \\(erreur 503\\)"),
        (429, "reçoit trop de demandes"),
        (400, "refuse cette recherche : la recherche doit faire au moins 3 caractères"),
    ],
)
def test_http_errors_become_a_clear_exception(fake_api, status, message):
    fake_api.answer("/search", {"erreur": "la recherche doit faire au moins 3 caractères"}, status=status)

    with pytest.raises(lookup.DirectoryUnavailable, match=message):
        lookup.establishments_search("ateliers")


def test_a_slow_answer_is_a_timeout(fake_api, settings):
    settings.PARCOURS_DIRECTORY_HTTP_TIMEOUT = 0.2
    fake_api.answer(EDUCATION_RECORDS, records(UTRILLO), delay=1.0)

    with pytest.raises(lookup.DirectoryUnavailable, match=r"Annuaire de l'éducation ne répond pas \(plus de 0\.2 s\)"):
        lookup.school_by_uai("0932030B")


@pytest.mark.parametrize("raw", [b"<html>maintenance</html>", b'{"results": "none"}', b"[]"])
def test_an_unreadable_answer_is_an_error(fake_api, raw):
    fake_api.answer("/search", raw=raw)

    with pytest.raises(lookup.DirectoryUnavailable, match="réponse illisible"):
        lookup.establishment_by_siret("81234567600017")


def test_a_malformed_result_is_an_error(fake_api):
    fake_api.answer("/search", entreprises({"siren": "812345676", "matching_etablissements": [{"adresse": "?"}]}))

    with pytest.raises(lookup.DirectoryUnavailable, match="réponse illisible"):
        lookup.establishments_search("ateliers")


def test_an_unreachable_api_is_an_error(settings):
    settings.PARCOURS_DIRECTORY_BACKEND = "http"
    # Port 9 (discard) on 127.0.0.1: nothing listens there.

    with pytest.raises(lookup.DirectoryUnavailable, match="est injoignable"):
        lookup.establishments_search("ateliers")


def test_an_unknown_backend_is_a_configuration_error(settings):
    settings.PARCOURS_DIRECTORY_BACKEND = "ldap"

    with pytest.raises(ImproperlyConfigured, match="PARCOURS_DIRECTORY_BACKEND doit valoir local ou http"):
        lookup.school_by_uai("0932030B")
