"""Access requests to a school's account (seed 002): domain check, holders' decision, escalation after 24 h."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from parcours.accounts.models import User
from parcours.audit.models import AuditEvent
from parcours.organisations.models import (
    Decider,
    MembershipStatus,
    OrganisationRequest,
    RequestKind,
    RequestStatus,
    Role,
)
from parcours.organisations.services.access import (
    AccessRateLimited,
    access_allowed_domains,
    access_email_error,
    access_request_create,
    access_request_grant,
    access_request_refuse,
    access_requests_escalate,
)
from parcours.organisations.services.requests import RequestRefused, request_accept, request_refuse
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import emails_to, first_link, last_email_to
from tests.organisations.factories import MembershipFactory, OperatorFactory, SchoolFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    """A lycée of Créteil (département 93) whose official address is the directory's ce. one."""
    organisation = SchoolFactory(name="Lycée Suger", uai="0932121A", department_code="93")
    profile = organisation.school_profile
    profile.academy_code, profile.academy_name, profile.official_email = "24", "Créteil", "ce.0932121a@ac-creteil.fr"
    profile.save()
    return organisation


@pytest.fixture
def holder(school):
    return member(school, Role.REFERENT, email="ce.0932121a@ac-creteil.fr").user


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    def run(organisation, *, email="marie.durand@ac-creteil.fr", ip="192.0.2.20", **fields):
        with django_capture_on_commit_callbacks(execute=True):
            return access_request_create(
                organisation=organisation,
                email=email,
                first_name=fields.get("first_name", "Marie"),
                last_name=fields.get("last_name", "Durand"),
                job_title=fields.get("job_title", "Proviseure adjointe"),
                ip=ip,
            )

    return run


@pytest.fixture
def decide(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_the_academie_domain_and_the_official_address_domain_are_accepted(school):
    school.school_profile.official_email = "secretariat@lycee-suger.fr"
    school.school_profile.save()

    assert access_allowed_domains(school) == ["ac-creteil.fr", "lycee-suger.fr"]
    assert access_email_error(school, "Marie.Durand@AC-CRETEIL.fr") is None
    assert access_email_error(school, "marie@lycee-suger.fr") is None
    error = access_email_error(school, "marie.durand@gmail.com")
    assert "@ac-creteil.fr ou @lycee-suger.fr" in error


def test_an_address_off_the_domains_is_refused_with_the_reason(school, holder, ask):
    with pytest.raises(RequestRefused, match=r"@ac-creteil\.fr"):
        ask(school, email="marie.durand@gmail.com")
    with pytest.raises(RequestRefused):
        ask(school, email="marie.durand@ac-versailles.fr")
    assert not OrganisationRequest.objects.exists()
    assert emails_to(holder.email) == []


def test_a_request_emails_the_holders_a_link_to_decide(school, holder, ask):
    manager = member(school, Role.MANAGER).user
    org_request = ask(school, email="Marie.Durand@ac-creteil.fr")

    assert (org_request.kind, org_request.decider, org_request.status) == (
        RequestKind.ACCESS,
        Decider.ORGANISATION,
        RequestStatus.PENDING,
    )
    assert (org_request.requester, org_request.requester_email) == (None, "marie.durand@ac-creteil.fr")
    assert (org_request.requester_name, org_request.job_title) == ("Marie Durand", "Proviseure adjointe")
    assert (org_request.role, org_request.department_code) == (Role.MANAGER, "93")
    email = last_email_to(holder.email)
    assert "Marie Durand" in email.body_text
    assert first_link(email).endswith(f"/etablissement-scolaire/demandes-d-acces/{org_request.public_id}/")
    assert emails_to(manager.email) == []  # managers do not decide
    assert AuditEvent.objects.filter(event_type="organisations.access_requested").exists()


def test_the_same_pending_request_is_not_filed_twice(school, holder, ask):
    first = ask(school)
    again = ask(school)

    assert again == first
    assert OrganisationRequest.objects.count() == 1
    assert len(emails_to(holder.email)) == 1


def test_requests_are_rate_limited_per_address_and_per_ip(settings, school, holder, ask):
    settings.PARCOURS_ORGANISATION_REQUEST_LIMIT_PER_HOUR = 2
    ask(school, email="a@ac-creteil.fr", ip="192.0.2.1")
    ask(school, email="b@ac-creteil.fr", ip="192.0.2.1")
    with pytest.raises(AccessRateLimited):
        ask(school, email="c@ac-creteil.fr", ip="192.0.2.1")
    ask(school, email="c@ac-creteil.fr", ip="192.0.2.2")
    ask(school, email="c@ac-creteil.fr", ip="192.0.2.3")
    with pytest.raises(AccessRateLimited):
        ask(school, email="c@ac-creteil.fr", ip="192.0.2.4")


def test_a_school_without_holders_sends_the_request_to_the_operators(school, ask):
    operator_staff = member(OperatorFactory(), Role.MANAGER).user

    org_request = ask(school)

    assert org_request.decider == Decider.OPERATOR
    assert "Nouvelle demande" in last_email_to(operator_staff.email).subject


def test_granting_creates_the_account_and_emails_a_link_to_choose_the_password(school, holder, ask, decide, client):
    org_request = ask(school)

    decide(access_request_grant, org_request=org_request, by=holder)

    user = User.objects.get(email="marie.durand@ac-creteil.fr")
    assert not user.has_usable_password()
    assert (user.first_name, user.last_name) == ("Marie", "Durand")
    membership = user.memberships.get()
    assert (membership.organisation, membership.role, membership.status) == (
        school,
        Role.MANAGER,
        MembershipStatus.ACTIVE,
    )
    assert membership.job_title == "Proviseure adjointe"
    org_request.refresh_from_db()
    assert (org_request.status, org_request.requester, org_request.decided_by) == (
        RequestStatus.ACCEPTED,
        user,
        holder,
    )
    assert AuditEvent.objects.filter(event_type="organisations.request_accepted", actor=holder).exists()
    email = last_email_to(user.email)
    assert "mot de passe" in email.subject
    link = first_link(email, contains="/password/reset/key/")

    # The link proves the address: choosing the password opens the account.
    response = client.get(link, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else link
    client.post(
        form_url, {"password1": "cheval-agrafe-pile-correcte-42", "password2": "cheval-agrafe-pile-correcte-42"}
    )
    user.refresh_from_db()
    assert user.check_password("cheval-agrafe-pile-correcte-42")


def test_granting_attaches_an_existing_account(school, holder, ask, decide):
    existing = UserFactory(email="marie.durand@ac-creteil.fr", first_name="Marie")
    password = existing.password
    org_request = ask(school)

    decide(access_request_grant, org_request=org_request, by=holder)

    existing.refresh_from_db()
    assert existing.password == password
    assert existing.memberships.get(organisation=school).role == Role.MANAGER
    email = last_email_to(existing.email)
    assert "Accès accordé" in email.subject
    assert "/password/reset/" not in email.body_text


def test_refusing_emails_the_requester_the_reason(school, holder, ask, decide):
    org_request = ask(school)
    with pytest.raises(RequestRefused, match="motif"):
        decide(access_request_refuse, org_request=org_request, by=holder, reason="  ")

    decide(access_request_refuse, org_request=org_request, by=holder, reason="Inconnue au secrétariat.")

    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.REFUSED
    assert org_request.decision_reason == "Inconnue au secrétariat."
    email = last_email_to("marie.durand@ac-creteil.fr")
    assert "refusée" in email.subject
    assert "Inconnue au secrétariat." in email.body_text
    assert not User.objects.filter(email="marie.durand@ac-creteil.fr").exists()
    with pytest.raises(RequestRefused, match="déjà été traitée"):
        decide(access_request_grant, org_request=org_request, by=holder)


def test_only_the_school_holders_decide(school, holder, ask):
    org_request = ask(school)
    other_school_holder = member(SchoolFactory()).user
    manager = member(school, Role.MANAGER).user
    pending = MembershipFactory(organisation=school, status=MembershipStatus.PENDING).user

    for person in (other_school_holder, manager, pending, UserFactory()):
        with pytest.raises(RequestRefused, match="ne pouvez pas"):
            access_request_grant(org_request=org_request, by=person)
        with pytest.raises(RequestRefused, match="ne pouvez pas"):
            access_request_refuse(org_request=org_request, by=person, reason="Non.")
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.PENDING


def test_unanswered_requests_go_to_the_operators_after_24_hours(school, holder, ask, time_machine, decide):
    operator_staff = member(OperatorFactory(), Role.MANAGER).user
    lyon_staff = member(OperatorFactory(profile__departments=["69"]), Role.MANAGER).user
    time_machine.move_to(timezone.now(), tick=False)
    org_request = ask(school)

    time_machine.shift(datetime.timedelta(hours=23, minutes=59))
    assert decide(access_requests_escalate) == 0
    org_request.refresh_from_db()
    assert org_request.decider == Decider.ORGANISATION
    assert org_request.escalated_at is None

    time_machine.shift(datetime.timedelta(minutes=2))
    decide(call_command, command_name="escalate_access_requests")

    org_request.refresh_from_db()
    assert org_request.decider == Decider.OPERATOR
    assert org_request.escalated_at == timezone.now()
    assert org_request.status == RequestStatus.PENDING
    assert f"/operateur/demandes/{org_request.public_id}/" in last_email_to(operator_staff.email).body_text
    assert emails_to(lyon_staff.email) == []
    assert "transmise à nos services" in last_email_to("marie.durand@ac-creteil.fr").subject
    assert decide(access_requests_escalate) == 0  # once only
    assert len(emails_to("marie.durand@ac-creteil.fr")) == 1

    # The holders no longer decide; the operators do, through the common request services.
    with pytest.raises(RequestRefused):
        access_request_grant(org_request=org_request, by=holder)
    with pytest.raises(RequestRefused):
        request_accept(org_request=org_request, by=lyon_staff)
    decide(request_accept, org_request=org_request, by=operator_staff)
    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.ACCEPTED
    assert User.objects.get(email="marie.durand@ac-creteil.fr").memberships.get().organisation == school


def test_operators_refuse_through_the_common_request_services(school, ask, decide):
    operator_staff = member(OperatorFactory(), Role.MANAGER).user
    org_request = ask(school)  # no holders: straight to the operators

    decide(request_refuse, org_request=org_request, by=operator_staff, reason="Adresse inconnue de l'académie.")

    org_request.refresh_from_db()
    assert org_request.status == RequestStatus.REFUSED
    assert "Adresse inconnue" in last_email_to("marie.durand@ac-creteil.fr").body_text
