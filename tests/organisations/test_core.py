import pytest

from parcours.accounts.mfa import mfa_required
from parcours.organisations import permissions
from parcours.organisations.models import MembershipStatus, Role
from tests.accounts.factories import UserFactory
from tests.organisations.factories import (
    EmployerFactory,
    MembershipFactory,
    OperatorFactory,
    ProviderFactory,
    SchoolFactory,
    member,
)

pytestmark = pytest.mark.django_db


def test_factories_make_each_kind_with_its_profile():
    assert EmployerFactory().employer_profile
    assert ProviderFactory().provider_profile.nda
    school = SchoolFactory()
    assert school.school_profile.official_email == f"ce.{school.uai.lower()}@ac-paris.fr"
    assert OperatorFactory().operator_profile.departments == ["75", "92", "93", "94"]


def test_operator_staff_must_use_two_factor_authentication():
    operator = OperatorFactory()
    gestionnaire = member(operator, Role.MANAGER).user
    employer_referent = member(EmployerFactory()).user

    assert mfa_required(gestionnaire)
    assert not mfa_required(employer_referent)


def test_a_pending_membership_grants_nothing():
    employer = EmployerFactory()
    pending = MembershipFactory(organisation=employer, status=MembershipStatus.PENDING).user

    assert not permissions.can_see_organisation(pending, employer)


def test_operators_see_only_their_territory():
    gestionnaire = member(OperatorFactory(), Role.MANAGER).user
    in_paris = EmployerFactory(department_code="75")
    in_lyon = EmployerFactory(department_code="69")

    assert permissions.can_see_organisation(gestionnaire, in_paris)
    assert not permissions.can_see_organisation(gestionnaire, in_lyon)
    assert not permissions.can_see_organisation(UserFactory(), in_paris)


def test_memberships_are_read_once_per_user_object(django_assert_num_queries):
    user = member(EmployerFactory()).user

    with django_assert_num_queries(1):
        for _ in range(3):
            permissions.active_memberships(user)
            permissions.is_operator_staff(user)


def test_organisations_are_found_by_name_words_whatever_the_accents():
    from parcours.organisations.directory.text import search_words
    from parcours.organisations.selectors import organisations_search

    bakery = EmployerFactory(name="Boulangerie du Marché", city="Rennes", postal_code="35000")
    EmployerFactory(name="Boucherie centrale")

    for typed in ("Boulangerie du Marché", "boulangerie marche", "MARCH", "boul renn", "35000"):
        assert organisations_search(search_words(typed)) == [bakery], typed
    bakery.name = "Fournil des Halles"
    bakery.save(update_fields=["name"])
    assert organisations_search(search_words("fournil")) == [bakery]
    assert organisations_search(search_words("marche")) == []
