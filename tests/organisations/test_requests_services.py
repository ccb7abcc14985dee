"""Creation, join and change requests and their decisions: who decides, what changes, who is told."""

import datetime

import pytest

from parcours.audit.models import AuditEvent
from parcours.organisations.models import (
    Decider,
    Membership,
    MembershipStatus,
    Organisation,
    OrganisationStatus,
    RequestStatus,
    Role,
)
from parcours.organisations.services.requests import (
    NewOrganisation,
    RequestRefused,
    change_request_create,
    join_request_create,
    organisation_create_request,
    request_accept,
    request_cancel,
    request_refuse,
)
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import emails_to, last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db

SIRET = "73282932000074"


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


@pytest.fixture
def gestionnaire():
    """A manager of the operator whose territory holds Paris and the inner suburbs."""
    return member(OperatorFactory(), Role.MANAGER).user


def new(**overrides) -> NewOrganisation:
    fields = {
        "name": "Menuiserie Martin",
        "siret": SIRET,
        "postal_code": "93200",
        "city": "Saint-Denis",
        "department_code": "93",
        "is_employer": True,
    }
    fields.update(overrides)
    return NewOrganisation(**fields)


def test_a_creation_request_makes_a_pending_organisation_and_tells_the_operators(sent, gestionnaire):
    requester = UserFactory()

    org_request = sent(organisation_create_request, requester=requester, data=new(), job_title="Gérant")

    organisation = org_request.organisation
    assert (organisation.status, organisation.is_employer, organisation.siren) == ("pending", True, SIRET[:9])
    assert (org_request.decider, org_request.department_code) == (Decider.OPERATOR, "93")
    membership = org_request.membership
    assert (membership.user, membership.role, membership.status) == (requester, Role.REFERENT, "pending")
    assert "24 à 48 heures" in last_email_to(requester.email).body_text
    assert last_email_to(gestionnaire.email).subject == "Nouvelle demande à traiter : Création d'organisation"
    assert AuditEvent.objects.filter(event_type="organisations.creation_requested").count() == 1


def test_a_creation_needs_a_kind_and_a_free_siret():
    EmployerFactory(siret=SIRET)

    with pytest.raises(RequestRefused, match="employeur, un organisme de formation"):
        organisation_create_request(requester=UserFactory(), data=new(siret="55210055400013", is_employer=False))
    with pytest.raises(RequestRefused, match="demandez à la rejoindre"):
        organisation_create_request(requester=UserFactory(), data=new())


def test_an_accepted_creation_makes_its_requester_the_first_referent(sent, gestionnaire):
    requester = UserFactory()
    org_request = organisation_create_request(requester=requester, data=new())

    sent(request_accept, org_request=org_request, by=gestionnaire)

    organisation = Organisation.objects.get(siret=SIRET)
    assert organisation.status == OrganisationStatus.ACTIVE
    assert organisation.validated_at
    membership = Membership.objects.get(user=requester)
    assert (membership.role, membership.status) == (Role.REFERENT, MembershipStatus.ACTIVE)
    email = last_email_to(requester.email)
    assert "est acceptée" in email.subject
    assert "Référent" in email.body_text
    assert AuditEvent.objects.filter(event_type="organisations.request_accepted").count() == 1


def test_a_refused_creation_closes_the_organisation_and_the_siret_may_be_asked_again(sent, gestionnaire):
    requester = UserFactory()
    org_request = organisation_create_request(requester=requester, data=new())

    sent(request_refuse, org_request=org_request, by=gestionnaire, reason="SIRET d'une autre entreprise")

    organisation = Organisation.objects.get(siret=SIRET)
    assert organisation.status == OrganisationStatus.CLOSED
    assert org_request.membership.__class__.objects.get(pk=org_request.membership.pk).status == "revoked"
    assert "SIRET d'une autre entreprise" in last_email_to(requester.email).body_text

    again = organisation_create_request(requester=UserFactory(), data=new(name="Menuiserie Martin et fils"))

    assert again.organisation.pk == organisation.pk
    assert (again.organisation.status, again.organisation.name) == ("pending", "Menuiserie Martin et fils")


def test_only_an_operator_of_the_territory_decides_a_creation(gestionnaire):
    org_request = organisation_create_request(requester=UserFactory(), data=new(department_code="69"))
    lyon = member(OperatorFactory(profile__departments=["69"]), Role.MANAGER).user

    with pytest.raises(RequestRefused, match="ne pouvez pas décider"):
        request_accept(org_request=org_request, by=gestionnaire)
    with pytest.raises(RequestRefused, match="ne pouvez pas décider"):
        request_accept(org_request=org_request, by=org_request.requester)
    request_accept(org_request=org_request, by=lyon)


def test_a_refusal_needs_a_reason(gestionnaire):
    org_request = organisation_create_request(requester=UserFactory(), data=new())

    with pytest.raises(RequestRefused, match="motif"):
        request_refuse(org_request=org_request, by=gestionnaire, reason="  ")


def test_a_join_request_goes_to_the_referents_who_decide_it(sent, gestionnaire):
    employer = EmployerFactory()
    referent = member(employer).user
    manager = member(employer, Role.MANAGER).user
    person = UserFactory()

    org_request = sent(join_request_create, requester=person, organisation=employer, role=Role.EMPLOYEE)

    assert org_request.decider == Decider.ORGANISATION
    assert emails_to(referent.email)
    assert not emails_to(manager.email)
    assert not emails_to(gestionnaire.email)
    with pytest.raises(RequestRefused):
        request_accept(org_request=org_request, by=manager)
    sent(request_accept, org_request=org_request, by=referent, role=Role.MANAGER)
    membership = Membership.objects.get(user=person)
    assert (membership.status, membership.role) == ("active", Role.MANAGER)
    assert "Gestionnaire" in last_email_to(person.email).body_text


def test_a_join_request_goes_to_an_operator_when_the_organisation_has_no_referent(sent, gestionnaire):
    employer = EmployerFactory()
    outsider_referent = member(EmployerFactory()).user
    person = UserFactory()

    org_request = sent(join_request_create, requester=person, organisation=employer, role=Role.MANAGER)

    assert org_request.decider == Decider.OPERATOR
    assert emails_to(gestionnaire.email)
    with pytest.raises(RequestRefused):
        request_accept(org_request=org_request, by=outsider_referent)
    sent(request_refuse, org_request=org_request, by=gestionnaire, reason="Personne inconnue")
    assert Membership.objects.get(user=person).status == "revoked"
    # Refused, the person may ask again.
    assert join_request_create(requester=person, organisation=employer, role=Role.MANAGER).is_pending


def test_a_join_request_is_refused_twice_or_for_an_unknown_role():
    employer = EmployerFactory()
    person = UserFactory()
    join_request_create(requester=person, organisation=employer, role=Role.EMPLOYEE)

    with pytest.raises(RequestRefused, match="déjà membre"):
        join_request_create(requester=person, organisation=employer, role=Role.MANAGER)
    with pytest.raises(RequestRefused, match="rôle proposé"):
        join_request_create(requester=UserFactory(), organisation=employer, role=Role.TRAINER)
    with pytest.raises(RequestRefused, match="rôle proposé"):
        join_request_create(requester=UserFactory(), organisation=employer, role=Role.REFERENT)
    with pytest.raises(RequestRefused, match="fermée"):
        join_request_create(requester=UserFactory(), organisation=EmployerFactory(status="closed"), role=Role.MANAGER)


def test_a_decided_request_cannot_be_decided_again():
    employer = EmployerFactory()
    referent = member(employer).user
    org_request = join_request_create(requester=UserFactory(), organisation=employer, role=Role.EMPLOYEE)
    request_accept(org_request=org_request, by=referent)

    with pytest.raises(RequestRefused, match="déjà été traitée"):
        request_refuse(org_request=org_request, by=referent, reason="Non")


def test_a_change_request_applies_only_once_accepted(sent, gestionnaire):
    provider = ProviderFactory(name="Formations Nord", department_code="75")
    referent = member(provider).user
    changes = {
        "name": "Formations Nord-Est",
        "postal_code": "93200",
        "nda": "11751234575",
        "qualiopi_valid_until": "2027-12-31",
        "qualiopi_scope": ["training"],
    }

    org_request = sent(change_request_create, requester=referent, organisation=provider, changes=changes)

    provider.refresh_from_db()
    assert provider.name == "Formations Nord"
    assert emails_to(gestionnaire.email)
    sent(request_accept, org_request=org_request, by=gestionnaire)
    provider.refresh_from_db()
    profile = provider.provider_profile
    profile.refresh_from_db()
    assert (provider.name, provider.postal_code, provider.department_code) == ("Formations Nord-Est", "93200", "93")
    assert (profile.nda, profile.qualiopi_valid_until, profile.qualiopi_scope) == (
        "11751234575",
        datetime.date(2027, 12, 31),
        ["training"],
    )
    assert AuditEvent.objects.filter(event_type="organisations.change_requested").get().details == {
        "fields": sorted(changes)
    }


def test_a_refused_change_changes_nothing_and_only_referents_ask(gestionnaire):
    employer = EmployerFactory(name="Avant")
    manager = member(employer, Role.MANAGER).user
    referent = member(employer).user

    with pytest.raises(RequestRefused, match="Seuls les référents"):
        change_request_create(requester=manager, organisation=employer, changes={"name": "Après"})
    # An employer has no provider fields: they are dropped, and nothing is left to ask.
    with pytest.raises(RequestRefused, match="Aucune modification"):
        change_request_create(requester=referent, organisation=employer, changes={"nda": "11751234575"})
    org_request = change_request_create(requester=referent, organisation=employer, changes={"name": "Après"})
    request_refuse(org_request=org_request, by=gestionnaire, reason="Justificatif manquant")

    employer.refresh_from_db()
    assert employer.name == "Avant"


def test_a_change_to_a_siret_taken_meanwhile_is_not_applied(gestionnaire):
    employer = EmployerFactory()
    org_request = change_request_create(
        requester=member(employer).user, organisation=employer, changes={"siret": SIRET}
    )
    EmployerFactory(siret=SIRET)

    with pytest.raises(RequestRefused, match="porte déjà ce SIRET"):
        request_accept(org_request=org_request, by=gestionnaire)


def test_the_requester_cancels_a_creation_or_a_join_request():
    employer = EmployerFactory()
    person = UserFactory()
    join = join_request_create(requester=person, organisation=employer, role=Role.EMPLOYEE)
    creation = organisation_create_request(requester=person, data=new())

    with pytest.raises(RequestRefused, match="vos propres demandes"):
        request_cancel(org_request=join, by=member(employer).user)
    request_cancel(org_request=join, by=person)
    request_cancel(org_request=creation, by=person)

    join.refresh_from_db()
    assert join.status == RequestStatus.CANCELLED
    assert join.membership.status == "revoked"
    assert Organisation.objects.get(siret=SIRET).status == OrganisationStatus.CLOSED
    assert AuditEvent.objects.filter(event_type="organisations.request_cancelled").count() == 2
    with pytest.raises(RequestRefused, match="déjà été traitée"):
        request_cancel(org_request=join, by=person)
