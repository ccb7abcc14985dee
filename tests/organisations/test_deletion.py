import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.deletion import deletion_blockers
from parcours.accounts.models import User
from parcours.accounts.services.account import deletion_request, deletions_run_due
from parcours.organisations.models import MembershipStatus, Role
from parcours.organisations.services.requests import join_request_create
from tests.accounts.factories import DEFAULT_PASSWORD
from tests.helpers.outbox import emails_to, last_email_to
from tests.organisations.factories import EmployerFactory, OperatorFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def employer():
    return EmployerFactory(name="Atelier Martin", department_code="75")


@pytest.fixture
def gestionnaire():
    return member(OperatorFactory(), Role.MANAGER).user


def test_a_last_referent_is_told_before_asking(employer):
    referent = member(employer).user

    assert deletion_blockers(referent) == [
        "Vous êtes le seul référent de Atelier Martin : confiez ce rôle à un autre membre depuis la page "
        "de l'organisation avant de supprimer votre compte."
    ]
    member(employer, Role.REFERENT)
    referent = User.objects.get(pk=referent.pk)  # memberships are cached on the user object
    assert deletion_blockers(referent) == []


def test_the_deletion_page_asks_a_last_referent_to_hand_the_situation_to_the_operators(client, employer):
    referent = member(employer).user
    client.force_login(referent)
    client.post(reverse("account_reauthenticate"), {"password": DEFAULT_PASSWORD})

    refused = client.post(reverse("accounts:deletion"), {"confirm": "on"})

    assert refused.status_code == 400
    assert "seul référent de Atelier Martin" in refused.text
    assert "Confiez d&#x27;abord votre rôle à un autre membre" in refused.text
    assert User.objects.get(pk=referent.pk).deletion_due_at is None


def test_handing_over_to_the_operators_tells_them_and_the_deletion_goes_on(
    employer, gestionnaire, django_capture_on_commit_callbacks
):
    referent = member(employer).user
    with django_capture_on_commit_callbacks(execute=True):
        deletion_request(user=referent)

    message = last_email_to(gestionnaire.email)
    assert "Atelier Martin va perdre son dernier référent" in message.subject

    User.objects.filter(pk=referent.pk).update(deletion_due_at=timezone.now())
    assert deletions_run_due() == 1
    assert not referent.memberships.exclude(status=MembershipStatus.REVOKED).exists()

    # Without a référent, the next person asking to join is decided by the operators.
    newcomer = member(EmployerFactory(), Role.MANAGER).user
    with django_capture_on_commit_callbacks(execute=True):
        join = join_request_create(requester=newcomer, organisation=employer, role=Role.EMPLOYEE)
    assert join.decider == "operator"
    assert len(emails_to(gestionnaire.email)) == 2


def test_a_member_who_is_not_the_last_referent_leaves_without_ado(employer, gestionnaire):
    member(employer)
    employee = member(employer, Role.EMPLOYEE).user

    assert deletion_blockers(employee) == []
