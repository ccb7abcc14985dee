"""A référent's work on members: roles, removal, leaving, the hand-over; never without a référent."""

import pytest

from parcours.audit.models import AuditEvent
from parcours.organisations.models import MembershipStatus, Role
from parcours.organisations.services.members import (
    LAST_REFERENT_MESSAGE,
    last_referent_of,
    membership_remove,
    membership_role_change,
    referent_handover,
)
from parcours.organisations.services.requests import RequestRefused
from tests.helpers.outbox import last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, ProviderFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    def run(function, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return function(**kwargs)

    return run


def test_a_referent_changes_a_role_and_the_member_is_told(sent):
    employer = EmployerFactory()
    referent = member(employer).user
    employee = member(employer, Role.EMPLOYEE)

    sent(membership_role_change, membership=employee, role=Role.MANAGER, by=referent)

    employee.refresh_from_db()
    assert employee.role == Role.MANAGER
    assert "Gestionnaire" in last_email_to(employee.user.email).body_text
    assert AuditEvent.objects.get(event_type="organisations.member_role_changed").details == {
        "from": Role.EMPLOYEE,
        "to": Role.MANAGER,
    }


def test_only_referents_or_operators_change_roles_and_only_to_the_kinds_roles():
    employer = EmployerFactory()
    referent = member(employer).user
    manager = member(employer, Role.MANAGER)
    employee = member(employer, Role.EMPLOYEE)

    with pytest.raises(RequestRefused, match="Seuls les référents"):
        membership_role_change(membership=employee, role=Role.MANAGER, by=manager.user)
    with pytest.raises(RequestRefused, match="n'existe pas"):
        membership_role_change(membership=employee, role=Role.TRAINER, by=referent)
    gestionnaire = member(OperatorFactory(), Role.MANAGER).user
    membership_role_change(membership=employee, role=Role.MANAGER, by=gestionnaire)
    employee.refresh_from_db()
    assert employee.role == Role.MANAGER


def test_the_last_referent_is_never_demoted_removed_or_let_go():
    provider = ProviderFactory()
    referent = member(provider)
    member(provider, Role.TRAINER)

    with pytest.raises(RequestRefused, match="garde toujours au moins un référent"):
        membership_role_change(membership=referent, role=Role.MANAGER, by=referent.user)
    with pytest.raises(RequestRefused) as leaving:
        membership_remove(membership=referent, by=referent.user)
    assert str(leaving.value) == LAST_REFERENT_MESSAGE
    gestionnaire = member(OperatorFactory(), Role.MANAGER).user
    with pytest.raises(RequestRefused, match="garde toujours au moins un référent"):
        membership_remove(membership=referent, by=gestionnaire)
    referent.refresh_from_db()
    assert (referent.role, referent.status) == (Role.REFERENT, MembershipStatus.ACTIVE)


def test_with_two_referents_one_may_leave(sent):
    employer = EmployerFactory()
    first = member(employer)
    member(employer)

    sent(membership_remove, membership=first, by=first.user)

    first.refresh_from_db()
    assert first.status == MembershipStatus.REVOKED
    assert AuditEvent.objects.filter(event_type="organisations.member_left").count() == 1


def test_a_removed_member_is_told_and_a_member_cannot_remove_others(sent):
    employer = EmployerFactory()
    referent = member(employer).user
    employee = member(employer, Role.EMPLOYEE)
    colleague = member(employer, Role.EMPLOYEE)

    with pytest.raises(RequestRefused):
        membership_remove(membership=colleague, by=employee.user)
    sent(membership_remove, membership=employee, by=referent)

    employee.refresh_from_db()
    assert employee.status == MembershipStatus.REVOKED
    assert employee.revoked_at
    assert "Vous n'êtes plus membre" in last_email_to(employee.user.email).subject
    with pytest.raises(RequestRefused, match="n'est plus membre"):
        membership_remove(membership=employee, by=referent)


def test_a_handover_keeps_a_role_or_leaves(sent):
    employer = EmployerFactory()
    referent = member(employer)
    manager = member(employer, Role.MANAGER)

    sent(referent_handover, organisation=employer, to=manager, by=referent.user, keep_role=Role.EMPLOYEE)

    referent.refresh_from_db()
    manager.refresh_from_db()
    assert (manager.role, referent.role) == (Role.REFERENT, Role.EMPLOYEE)
    assert "Référent" in last_email_to(manager.user.email).body_text
    assert AuditEvent.objects.get(event_type="organisations.referent_handed_over").details == {"kept_role": "employee"}

    referent_handover(organisation=employer, to=referent, by=manager.user, keep_role="")
    manager.refresh_from_db()
    referent.refresh_from_db()
    assert manager.status == MembershipStatus.REVOKED
    assert referent.role == Role.REFERENT


def test_only_a_referent_hands_over_and_to_someone_else():
    employer = EmployerFactory()
    referent = member(employer)
    manager = member(employer, Role.MANAGER)

    with pytest.raises(RequestRefused, match="Seul un référent"):
        referent_handover(organisation=employer, to=manager, by=manager.user)
    with pytest.raises(RequestRefused, match="autre membre"):
        referent_handover(organisation=employer, to=referent, by=referent.user)
    outsider = member(EmployerFactory(), Role.MANAGER)
    with pytest.raises(RequestRefused, match="n'est plus membre"):
        referent_handover(organisation=employer, to=outsider, by=referent.user)


def test_last_referent_of_lists_where_an_account_deletion_must_wait():
    alone = EmployerFactory()
    shared = EmployerFactory()
    person = member(alone).user
    member(shared, Role.REFERENT, email="autre@example.org")
    from parcours.organisations.models import Membership

    Membership.objects.create(user=person, organisation=shared, role=Role.REFERENT, status=MembershipStatus.ACTIVE)

    assert last_referent_of(person) == [alone]
