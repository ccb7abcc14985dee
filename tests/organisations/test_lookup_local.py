import dataclasses

import pytest
from django.db import connection

from parcours.organisations.directory import lookup
from parcours.organisations.directory.establishments import establishments_import
from parcours.organisations.directory.schools import schools_import
from parcours.organisations.models import DirectoryEstablishment
from tests.organisations.conftest import ANNUAIRE_SAMPLE, ESTABLISHMENTS_SAMPLE, LEGAL_UNITS_SAMPLE

pytestmark = pytest.mark.django_db


@pytest.fixture
def directories():
    schools_import(path=ANNUAIRE_SAMPLE)
    establishments_import(establishments_path=ESTABLISHMENTS_SAMPLE, legal_units_path=LEGAL_UNITS_SAMPLE)


def uais(schools):
    return [school.uai for school in schools]


def sirets(establishments):
    return [establishment.siret for establishment in establishments]


def test_a_school_is_found_by_its_uai_as_people_type_it(directories):
    school = lookup.school_by_uai(" 0932030b ")

    assert school == lookup.School(
        uai="0932030B",
        name="Lycée polyvalent Maurice Utrillo",
        kind="lycee",
        is_public=True,
        address="152 rue Jean Durand",
        postal_code="93240",
        commune="Stains",
        department_code="93",
        academy_code="24",
        academy_name="Créteil",
        email="ce.0932030b@ac-creteil.fr",
        email_derived=False,
        email_needs_check=False,
        siret="19932030000023",
        is_open=True,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        school.name = "autre"


def test_a_derived_or_unchecked_address_says_so(directories):
    assert lookup.school_by_uai("9840419H").email_derived
    unknown = lookup.school_by_uai("0131906B")
    assert (unknown.email, unknown.email_needs_check) == ("", True)


def test_an_unknown_or_invalid_uai_finds_nothing_without_a_query(directories, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lookup.school_by_uai("0932030C") is None
        assert lookup.school_by_uai("lycée") is None
    assert lookup.school_by_uai("0000001B") is None


def test_schools_are_searched_by_word_starts_of_name_commune_postal_code_or_uai(directories):
    assert uais(lookup.schools_search("maurice utril")) == ["0932030B"]
    assert uais(lookup.schools_search("Lycée Stains")) == ["0932030B"]
    assert uais(lookup.schools_search("93240")) == ["0932030B"]
    assert uais(lookup.schools_search("0932030")) == ["0932030B"]
    assert uais(lookup.schools_search("0932030B")) == ["0932030B"]
    assert "0691903U" in uais(lookup.schools_search("college sainte-marie"))


def test_a_closed_school_is_not_searched_but_found_by_its_uai(directories):
    assert lookup.schools_search("louis pasteur lille") == []
    assert lookup.school_by_uai("0591905A").is_open is False


def test_a_search_returns_at_most_its_limit_names_starting_with_the_text_first(directories):
    found = lookup.schools_search("lycée", limit=5)

    assert len(found) == 5
    assert all(school.name.lower().startswith("lycée") for school in found)
    assert lookup.schools_search("lycée", limit=500) == lookup.schools_search("lycée", limit=50)


def test_a_search_needs_a_word_of_three_characters(directories, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lookup.schools_search("ly") == []
        assert lookup.establishments_search("a b") == []
        assert lookup.establishments_search("   ") == []


def test_a_search_is_one_query(directories, django_assert_num_queries):
    with django_assert_num_queries(1):
        lookup.establishments_search("numeriques loire", limit=10)
    with django_assert_num_queries(1):
        lookup.schools_search("lycée polyvalent", limit=10)


def test_an_establishment_is_found_by_its_siret_with_spaces(directories):
    establishment = lookup.establishment_by_siret("812 345 676 00025")

    assert establishment == lookup.Establishment(
        siret="81234567600025",
        siren="812345676",
        name="ATELIERS NUMERIQUES DE LA LOIRE (CAMPUS NUMERIQUE D'ANJOU)",
        address="BATIMENT C, 3 B RUE DES ARTS ET METIERS",
        postal_code="49100",
        commune="ANGERS",
        department_code="49",
        naf_code="85.59A",
        is_active=True,
        is_head_office=False,
        is_diffusible=True,
    )
    assert lookup.establishment_by_siret("35600000000100").name == "LA POSTE (BUREAU DE POSTE PARIS LOUVRE)"
    assert lookup.establishment_by_siret("81234567600033").is_active is False


def test_an_invalid_siret_finds_nothing_without_a_query(directories, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert lookup.establishment_by_siret("81234567600018") is None
        assert lookup.establishment_by_siret("boulangerie") is None


def test_establishments_are_searched_by_name_commune_postal_code_siren_or_siret(directories):
    assert sirets(lookup.establishments_search("ateliers numeriques")) == ["81234567600017", "81234567600025"]
    assert sirets(lookup.establishments_search("boulangerie marche")) == ["42198765200011"]
    assert sirets(lookup.establishments_search("Marie Durand")) == ["42198765200011"]
    assert sirets(lookup.establishments_search("campus angers")) == ["81234567600025"]
    assert sirets(lookup.establishments_search("ajaccio")) == ["44455566800011"]
    assert sirets(lookup.establishments_search("49100")) == ["81234567600025"]
    assert sirets(lookup.establishments_search("812 345 676")) == ["81234567600017", "81234567600025"]
    assert sirets(lookup.establishments_search("81234567600025")) == ["81234567600025"]
    assert sirets(lookup.establishments_search("8123456")) == ["81234567600017", "81234567600025"]


def test_a_closed_establishment_is_not_searched(directories):
    assert "81234567600033" not in sirets(lookup.establishments_search("ateliers loire"))
    assert lookup.establishments_search("81234567600033") == []
    assert lookup.establishments_search("roche sur yon") == []


def test_a_non_diffusible_establishment_is_never_searched(directories):
    assert lookup.establishments_search("890123458") == []
    assert lookup.establishments_search("89012345800014") == []
    # Whatever its old rows held: a search filters on the flag, not only on the (empty) search text.
    DirectoryEstablishment.objects.filter(siret="89012345800014").update(search_text="JEANNE SECRET BORDEAUX")
    assert lookup.establishments_search("jeanne secret") == []


def test_its_exact_siret_finds_a_non_diffusible_establishment_with_name_and_address_hidden(directories):
    # Even if the row held them (an older import): the lookup hides them.
    DirectoryEstablishment.objects.filter(siret="89012345800014").update(name="JEANNE SECRET", address="1 RUE X")

    establishment = lookup.establishment_by_siret("89012345800014")

    assert establishment.is_diffusible is False
    assert (establishment.name, establishment.address, establishment.postal_code, establishment.commune) == (None,) * 4
    assert (establishment.siren, establishment.department_code, establishment.is_active) == ("890123458", "33", True)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the search index is PostgreSQL's")
def test_the_search_uses_its_index(directories):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    searched = DirectoryEstablishment.objects.filter(
        is_diffusible=True, is_active=True, search_text__words_start=["ATEL", "LOIR"]
    )

    assert "organisations_establishment_search" in searched.explain()
    assert searched.count() == 2
