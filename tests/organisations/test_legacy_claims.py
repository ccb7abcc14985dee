"""Imported accounts' SIRET and UAI claims become join requests once the organisation is in Parcours."""

import pytest
from django.urls import reverse

from parcours.organisations.models import MembershipStatus, OrganisationRequest, RequestKind, Role
from parcours.organisations.services.legacy_claims import legacy_claims_to_requests
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.organisations.factories import EmployerFactory, MembershipFactory, SchoolFactory, member

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"


def test_a_siret_claim_of_an_organisation_in_parcours_becomes_a_join_request():
    employer = EmployerFactory(siret=SIRET)
    referent = member(employer).user
    person = UserFactory(legacy_siret_claim=SIRET)

    created = legacy_claims_to_requests(person)

    assert len(created) == 1
    org_request = created[0]
    assert (org_request.kind, org_request.organisation, org_request.role) == (RequestKind.JOIN, employer, Role.MANAGER)
    assert org_request.decider == "organisation"
    person.refresh_from_db()
    assert person.legacy_siret_claim == ""
    assert referent  # its référent decides (test_requests_services covers the decision)


def test_it_is_idempotent():
    EmployerFactory(siret=SIRET)
    person = UserFactory(legacy_siret_claim=SIRET)
    legacy_claims_to_requests(person)
    person.legacy_siret_claim = SIRET  # as if the clearing had been lost

    assert legacy_claims_to_requests(person) == []
    assert OrganisationRequest.objects.filter(requester=person).count() == 1
    person.refresh_from_db()
    assert person.legacy_siret_claim == ""


def test_an_existing_member_gets_no_request_and_the_claim_is_cleared():
    employer = EmployerFactory(siret=SIRET)
    person = UserFactory(legacy_siret_claim=SIRET)
    MembershipFactory(user=person, organisation=employer, role=Role.MANAGER)

    assert legacy_claims_to_requests(person) == []
    person.refresh_from_db()
    assert person.legacy_siret_claim == ""


def test_a_claim_of_an_organisation_not_in_parcours_stays_and_home_offers_its_creation(client):
    person = UserFactory(legacy_siret_claim=SIRET)

    assert legacy_claims_to_requests(person) == []
    person.refresh_from_db()
    assert person.legacy_siret_claim == SIRET
    client.force_login(person)
    text = client.get(reverse("organisations:home")).content.decode()
    assert f"{reverse('organisations:create')}?siret={SIRET}" in text


def test_a_uai_claim_becomes_a_join_request_of_the_school():
    school = SchoolFactory()
    person = UserFactory(legacy_uai_claim=school.uai)

    (org_request,) = legacy_claims_to_requests(person)

    assert (org_request.organisation, org_request.role) == (school, Role.MANAGER)
    person.refresh_from_db()
    assert person.legacy_uai_claim == ""


def test_logging_in_turns_the_claims_into_requests(client):
    employer = EmployerFactory(siret=SIRET)
    person = UserFactory(legacy_siret_claim=SIRET)

    response = client.post(reverse("account_login"), {"login": person.email, "password": DEFAULT_PASSWORD})

    assert response.status_code == 302
    membership = person.memberships.get(organisation=employer)
    assert membership.status == MembershipStatus.PENDING
    person.refresh_from_db()
    assert person.legacy_siret_claim == ""
