"""Every back-office view for every role: nobody sees or acts on another territory's data by changing an id."""

import uuid

import pytest
from django.urls import reverse

from parcours.accounts.enums import IdentityReview
from parcours.audit.models import AuditEvent
from parcours.organisations.models import MembershipStatus, RequestStatus, Role
from tests.accounts.factories import UserFactory
from tests.backoffice.builders import change_request, creation_request
from tests.backoffice.conftest import ROLES, assert_login_redirect, staff_of
from tests.organisations.factories import EmployerFactory, member

pytestmark = pytest.mark.django_db

# What each role gets on a page listing the territory's things, and on one object of the territory (Paris).
LIST_STATUS = {"ordinary": 403, "employer_referent": 403, "gestionnaire": 200, "other_gestionnaire": 200}
OBJECT_STATUS = {"ordinary": 403, "employer_referent": 403, "gestionnaire": 200, "other_gestionnaire": 404}


def check(response, role, expected):
    if role == "anonymous":
        assert_login_redirect(response)
    else:
        assert response.status_code == expected[role]


@pytest.mark.parametrize("role", ROLES)
def test_the_queue(client_as, role):
    creation_request(name="Boulangerie Neuve")

    response = client_as(role).get(reverse("backoffice:home"))

    check(response, role, LIST_STATUS)
    if role == "gestionnaire":
        assert "Boulangerie Neuve" in response.content.decode()
    if role == "other_gestionnaire":
        assert "Boulangerie Neuve" not in response.content.decode()
        assert "Aucune demande ne correspond" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_request_page(client_as, role, employer_referent):
    # The employer référent asks to change their own organisation's data: still not theirs to decide.
    org_request = change_request(organisation=employer_referent.memberships.get().organisation)

    response = client_as(role).get(reverse("backoffice:request", args=[org_request.public_id]))

    check(response, role, OBJECT_STATUS)


@pytest.mark.parametrize("role", ROLES)
def test_deciding_a_request(client_as, role, django_capture_on_commit_callbacks):
    org_request = creation_request()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(role).post(
            reverse("backoffice:request", args=[org_request.public_id]), {"decision": "accept", "reason": ""}
        )

    org_request.refresh_from_db()
    if role == "gestionnaire":
        assert response.status_code == 302
        assert org_request.status == RequestStatus.ACCEPTED
    else:
        check(response, role, OBJECT_STATUS)
        assert org_request.status == RequestStatus.PENDING
        assert not AuditEvent.objects.filter(event_type="organisations.request_accepted").exists()


@pytest.mark.parametrize("role", ["gestionnaire", "other_gestionnaire"])
def test_an_unknown_request_id_is_not_found(client_as, role):
    response = client_as(role).get(reverse("backoffice:request", args=[uuid.uuid4()]))

    assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_the_flagged_accounts(client_as, role):
    UserFactory(first_name="Camille", last_name="Petit", identity_review=IdentityReview.NIR_SEX_MISMATCH)

    response = client_as(role).get(reverse("backoffice:identity_reviews"))

    # Flagged accounts belong to no territory: every operator's staff sees them (docs/decisions/0010).
    check(response, role, LIST_STATUS)
    if role in ("gestionnaire", "other_gestionnaire"):
        assert "Camille Petit" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_a_flagged_account_page(client_as, role):
    person = UserFactory(identity_review=IdentityReview.NIR_SEX_MISMATCH)

    response = client_as(role).get(reverse("backoffice:identity_review", args=[person.public_id]))

    check(response, role, {**OBJECT_STATUS, "other_gestionnaire": 200})


@pytest.mark.parametrize("role", ["gestionnaire", "other_gestionnaire"])
def test_an_account_that_is_not_flagged_never_opens(client_as, role, people):
    """The page shows personal data: only accounts waiting for a check open, not any account by its id."""
    for user in [UserFactory(), people["employer_referent"], people["ordinary"]]:
        response = client_as(role).get(reverse("backoffice:identity_review", args=[user.public_id]))

        assert response.status_code == 404


@pytest.mark.parametrize("role", ROLES)
def test_deciding_a_flagged_account(client_as, role):
    person = UserFactory(identity_review=IdentityReview.NIR_SEX_MISMATCH)

    response = client_as(role).post(
        reverse("backoffice:identity_review", args=[person.public_id]), {"decision": "confirm", "reason": "Vérifié"}
    )

    person.refresh_from_db()
    if role in ("gestionnaire", "other_gestionnaire"):
        assert response.status_code == 302
        assert person.identity_review == ""
    else:
        check(response, role, OBJECT_STATUS)
        assert person.identity_review == IdentityReview.NIR_SEX_MISMATCH


@pytest.mark.parametrize("role", ROLES)
def test_the_organisations(client_as, role, employer):
    EmployerFactory(name="Garage de Lyon", department_code="69")

    response = client_as(role).get(reverse("backoffice:organisations"))

    check(response, role, LIST_STATUS)
    if role == "gestionnaire":
        assert "Boulangerie Martin" in response.content.decode()
        assert "Garage de Lyon" not in response.content.decode()
    if role == "other_gestionnaire":
        assert "Boulangerie Martin" not in response.content.decode()
        assert "Garage de Lyon" in response.content.decode()


@pytest.mark.parametrize("role", ROLES)
def test_an_organisation_page(client_as, role, employer):
    response = client_as(role).get(reverse("backoffice:organisation", args=[employer.public_id]))

    check(response, role, OBJECT_STATUS)


def test_a_revoked_operator_membership_gives_nothing(client, operator):
    former = staff_of(operator)
    former.memberships.update(status=MembershipStatus.REVOKED)
    client.force_login(former)

    assert client.get(reverse("backoffice:home")).status_code == 403


def test_an_operator_employee_role_is_not_staff(client, operator):
    """Only référents and managers of an operator are gestionnaires."""
    trainee = member(operator, Role.EMPLOYEE).user
    client.force_login(trainee)

    assert client.get(reverse("backoffice:home")).status_code == 403
