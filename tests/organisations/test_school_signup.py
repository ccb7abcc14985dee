"""School sign-up by UAI (seed 002): the forced login, the 5-minute link, shared addresses, replacements."""

import datetime

import pytest
from allauth.account.models import EmailAddress
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.email_lock import email_lock_reason, email_lock_register
from parcours.accounts.enums import RegistrationStatus
from parcours.accounts.models import Registration, TermsAcceptance, User
from parcours.accounts.services.account import EmailChangeLinkError, email_change_confirm, email_change_request
from parcours.accounts.services.registration import SignupRateLimited
from parcours.audit.models import AuditEvent
from parcours.organisations.directory.schools import schools_import
from parcours.organisations.models import (
    Decider,
    MembershipStatus,
    Organisation,
    OrganisationRequest,
    OrganisationStatus,
    RequestKind,
    Role,
    SchoolKind,
)
from parcours.organisations.services.requests import request_accept
from parcours.organisations.services.schools import (
    SchoolLinkError,
    SchoolSignupError,
    SchoolState,
    masked_login,
    school_login_lock_reason,
    school_registration_confirm,
    school_registration_create,
    school_registration_resend,
    school_situation,
)
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import emails_to, first_link, last_email_to
from tests.organisations.conftest import ANNUAIRE_SAMPLE
from tests.organisations.factories import MembershipFactory, OperatorFactory, SchoolFactory, member

pytestmark = pytest.mark.django_db

PASSWORD = "cheval-agrafe-pile-correcte-42"
IDENTITY = {"civility": "MME", "first_name": "Claire", "last_name": "Fontaine", "job_title": "Principale adjointe"}


@pytest.fixture(autouse=True)
def directory():
    schools_import(path=ANNUAIRE_SAMPLE)


@pytest.fixture
def signup(django_capture_on_commit_callbacks):
    def run(uai, *, password=PASSWORD, typed_email="", ip="192.0.2.10", **identity):
        with django_capture_on_commit_callbacks(execute=True):
            return school_registration_create(
                uai=uai, identity=IDENTITY | identity, raw_password=password, typed_email=typed_email, ip=ip
            )

    return run


@pytest.fixture
def confirm(django_capture_on_commit_callbacks):
    def run(token):
        with django_capture_on_commit_callbacks(execute=True):
            return school_registration_confirm(token=token)

    return run


def token_of(email: str) -> str:
    link = first_link(last_email_to(email), contains="/etablissement-scolaire/inscription/confirmer/")
    return link.rstrip("/").rsplit("/", 1)[-1]


def test_a_school_signs_up_with_its_directory_address_as_login(signup, confirm):
    registration = signup("0932030B")

    email = last_email_to("ce.0932030b@ac-creteil.fr")
    assert "5 minutes" in email.body_text
    assert "Lycée polyvalent Maurice Utrillo" in email.subject
    assert registration.email == "ce.0932030b@ac-creteil.fr"
    assert school_situation("0932030B").state == SchoolState.OPEN  # nothing exists before the link is used

    confirmed = confirm(token_of("ce.0932030b@ac-creteil.fr"))

    user = User.objects.get(email="ce.0932030b@ac-creteil.fr")
    assert confirmed.user == user
    assert not confirmed.attached
    assert not confirmed.pending_check
    assert user.check_password(PASSWORD)
    assert (user.first_name, user.last_name, user.civility) == ("Claire", "Fontaine", "MME")
    assert EmailAddress.objects.get(user=user).verified
    assert TermsAcceptance.objects.filter(user=user).exists()
    school = Organisation.objects.get(uai="0932030B")
    assert school.is_school
    assert school.status == OrganisationStatus.ACTIVE
    assert school.validated_at
    assert (school.name, school.city, school.postal_code, school.department_code) == (
        "Lycée polyvalent Maurice Utrillo",
        "Stains",
        "93240",
        "93",
    )
    profile = school.school_profile
    assert (profile.kind, profile.academy_code, profile.academy_name) == (SchoolKind.LYCEE, "24", "Créteil")
    assert profile.official_email == "ce.0932030b@ac-creteil.fr"
    assert profile.hosts_mini_internships is False
    membership = school.memberships.get()
    assert (membership.user, membership.role, membership.status) == (user, Role.REFERENT, MembershipStatus.ACTIVE)
    assert membership.job_title == "Principale adjointe"
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.password_hash == ""
    assert AuditEvent.objects.filter(
        event_type="organisations.school_registered", organisation_id=school.public_id, actor=user
    ).exists()
    assert school_situation("0932030B").state == SchoolState.REGISTERED


def test_a_directory_address_in_mixed_case_is_lower_cased(signup):
    assert signup("0751901J").email == "ce.0751901j@ac-paris.fr"


def test_without_a_mail_the_login_is_derived_from_the_academie(signup, confirm):
    registration = signup("0941902G", typed_email="someone@example.org")

    assert registration.email == "ce.0941902g@ac-creteil.fr"  # a typed address does not override the rule
    confirm(token_of("ce.0941902g@ac-creteil.fr"))
    profile = Organisation.objects.get(uai="0941902G").school_profile
    assert (profile.kind, profile.official_email) == (SchoolKind.COLLEGE, "ce.0941902g@ac-creteil.fr")


def test_an_address_to_check_goes_to_the_operators_before_the_school_is_active(signup, confirm):
    operator_staff = member(OperatorFactory(profile__departments=["13"]), Role.MANAGER).user
    with pytest.raises(SchoolSignupError, match="adresse électronique officielle"):
        signup("0131906B")

    signup("0131906B", typed_email="Secretariat.Ferry@example.org")
    confirmed = confirm(token_of("secretariat.ferry@example.org"))

    assert confirmed.pending_check
    school = confirmed.organisation
    assert school.status == OrganisationStatus.PENDING
    membership = school.memberships.get()
    assert membership.status == MembershipStatus.PENDING
    assert membership.role == Role.REFERENT
    creation = OrganisationRequest.objects.get(organisation=school)
    assert (creation.kind, creation.decider, creation.requester) == (
        RequestKind.CREATION,
        Decider.OPERATOR,
        confirmed.user,
    )
    assert creation.payload["official_email_to_check"] is True
    assert "Nouvelle demande" in last_email_to(operator_staff.email).subject
    assert school_situation("0131906B").state == SchoolState.PENDING_CHECK

    request_accept(org_request=creation, by=operator_staff)

    school.refresh_from_db()
    membership.refresh_from_db()
    assert school.status == OrganisationStatus.ACTIVE
    assert membership.status == MembershipStatus.ACTIVE


def test_a_shared_address_attaches_the_second_school_to_its_account(signup, confirm):
    signup("0290070U")
    first = confirm(token_of("ce.0290070u@ac-rennes.fr"))

    signup("0290072W", password="un-tout-autre-mot-de-passe-99", first_name="Autre")
    second = confirm(token_of("ce.0290070u@ac-rennes.fr"))

    assert second.attached
    assert second.user == first.user
    user = User.objects.get(email="ce.0290070u@ac-rennes.fr")
    assert user.check_password(PASSWORD)  # the existing password is kept
    assert user.first_name == "Claire"
    assert sorted(user.memberships.filter(status="active").values_list("organisation__uai", flat=True)) == [
        "0290070U",
        "0290072W",
    ]


def test_an_unconfirmed_registration_is_replaced_by_a_new_one(signup, confirm):
    first = signup("0932030B")
    first_token = token_of("ce.0932030b@ac-creteil.fr")
    second = signup("0932030B", first_name="Paul")
    second_token = token_of("ce.0932030b@ac-creteil.fr")

    first.refresh_from_db()
    assert first.status == RegistrationStatus.SUPERSEDED
    with pytest.raises(SchoolLinkError) as error:
        confirm(first_token)
    assert error.value.reason == "unavailable"
    assert confirm(second_token).user.first_name == "Paul"
    second.refresh_from_db()
    assert second.status == RegistrationStatus.CONFIRMED


def test_a_confirmed_account_blocks_a_new_sign_up(signup, confirm):
    signup("0932030B")
    confirm(token_of("ce.0932030b@ac-creteil.fr"))

    with pytest.raises(SchoolSignupError, match="déjà un compte"):
        signup("0932030B")


def test_a_school_registered_meanwhile_makes_the_link_say_so(signup, confirm):
    signup("0932030B")
    SchoolFactory(uai="0932030B")

    with pytest.raises(SchoolLinkError) as error:
        confirm(token_of("ce.0932030b@ac-creteil.fr"))
    assert error.value.reason == "registered"
    assert not User.objects.filter(email="ce.0932030b@ac-creteil.fr").exists()


def test_a_closed_or_unknown_school_cannot_sign_up(signup):
    assert school_situation("0591905A").state == SchoolState.CLOSED
    assert school_situation("0000001B").state == SchoolState.UNKNOWN
    with pytest.raises(SchoolSignupError, match="fermé"):
        signup("0591905A")
    with pytest.raises(SchoolSignupError, match="Aucun établissement"):
        signup("0000001B")


def test_the_link_expires_after_five_minutes_and_a_new_one_can_be_sent(
    signup, confirm, time_machine, django_capture_on_commit_callbacks
):
    time_machine.move_to(timezone.now(), tick=False)
    registration = signup("0932030B")
    old_token = token_of("ce.0932030b@ac-creteil.fr")

    time_machine.shift(datetime.timedelta(minutes=5, seconds=1))
    with pytest.raises(SchoolLinkError) as error:
        confirm(old_token)
    assert error.value.reason == "expired"
    assert error.value.registration == registration

    with django_capture_on_commit_callbacks(execute=True):
        assert school_registration_resend(registration=registration, ip="192.0.2.10") == 0
    new_token = token_of("ce.0932030b@ac-creteil.fr")
    assert new_token != old_token
    with pytest.raises(SchoolLinkError):
        confirm(old_token)  # an old link stays expired after a new one is sent
    assert confirm(new_token).organisation.uai == "0932030B"


def test_a_used_link_says_so(signup, confirm):
    signup("0932030B")
    token = token_of("ce.0932030b@ac-creteil.fr")
    confirm(token)

    with pytest.raises(SchoolLinkError) as error:
        confirm(token)
    assert error.value.reason == "used"


def test_a_forged_link_is_invalid(confirm):
    with pytest.raises(SchoolLinkError) as error:
        confirm("not-a-token")
    assert error.value.reason == "invalid"


def test_resending_waits_for_a_cool_down(signup, time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(timezone.now(), tick=False)
    registration = signup("0932030B")

    with django_capture_on_commit_callbacks(execute=True):
        wait = school_registration_resend(registration=registration, ip="192.0.2.10")
    assert 0 < wait <= 60
    assert len(emails_to("ce.0932030b@ac-creteil.fr")) == 1

    time_machine.shift(datetime.timedelta(seconds=61))
    with django_capture_on_commit_callbacks(execute=True):
        assert school_registration_resend(registration=registration, ip="192.0.2.10") == 0
    assert len(emails_to("ce.0932030b@ac-creteil.fr")) == 2


def test_sign_ups_are_rate_limited_per_address(settings, signup):
    settings.PARCOURS_SIGNUP_LIMIT_PER_EMAIL = 2
    signup("0932030B", ip="192.0.2.1")
    signup("0932030B", ip="192.0.2.2")

    with pytest.raises(SignupRateLimited):
        signup("0932030B", ip="192.0.2.3")
    assert Registration.objects.filter(kind="school").count() == 2


def test_recovery_shows_only_the_start_of_the_login():
    assert masked_login("ce.0932030b@ac-creteil.fr") == "ce....."


@pytest.fixture
def lock_registered():
    # OrganisationsConfig.ready() registers it once the lead wires it; registering twice is harmless.
    email_lock_register(school_login_lock_reason)


def test_the_founding_account_cannot_change_its_login(
    signup, confirm, lock_registered, client, django_capture_on_commit_callbacks
):
    signup("0932030B")
    user = confirm(token_of("ce.0932030b@ac-creteil.fr")).user
    assert email_lock_reason(user)
    assert email_lock_reason(UserFactory()) is None

    client.force_login(user)
    response = client.get(reverse("accounts:email_change"))
    assert response.status_code == 302  # reauthentication first
    client.post(response.url, {"password": PASSWORD})
    response = client.get(reverse("accounts:email_change"))
    assert "ne peut pas être changée" in response.text
    assert 'name="new_email"' not in response.text


def test_a_change_asked_before_the_address_became_a_school_login_cannot_be_confirmed(
    lock_registered, django_capture_on_commit_callbacks
):
    person = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        email_change_request(user=person, new_email="new@example.net")
    school = SchoolFactory()
    school.school_profile.official_email = person.email
    school.school_profile.save()
    MembershipFactory(user=person, organisation=school)
    token = first_link(last_email_to("new@example.net")).rstrip("/").rsplit("/", 1)[-1]

    with pytest.raises(EmailChangeLinkError):
        email_change_confirm(token=token)
    person.refresh_from_db()
    assert person.email != "new@example.net"
