"""People and objects for the back office's tests: operator staff of Paris and its inner suburbs (75, 92, 93, 94),
staff of another operator (69), and people who are no operator staff at all."""

import pytest
from django.urls import reverse

from parcours.accounts.services.mfa import totp_activate
from parcours.organisations.models import Role
from tests.accounts.factories import UserFactory
from tests.organisations.factories import EmployerFactory, OperatorFactory, member

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
ROLES = ("anonymous", "ordinary", "employer_referent", "gestionnaire", "other_gestionnaire")


@pytest.fixture(autouse=True)
def _no_public_api(settings):
    """The directory answers from the local tables; no test reaches the public APIs."""
    settings.PARCOURS_DIRECTORY_BACKEND = "local"
    settings.PARCOURS_ENTREPRISES_API_URL = "http://127.0.0.1:9"
    settings.PARCOURS_EDUCATION_API_URL = "http://127.0.0.1:9"


def staff_of(operator, role=Role.MANAGER, **user_fields):
    """Operator staff with TOTP set up, as MfaRequiredMiddleware demands."""
    user = member(operator, role, **user_fields).user
    totp_activate(user=user, secret=TOTP_SECRET)
    return user


@pytest.fixture
def operator():
    return OperatorFactory(name="Région Île-de-France")


@pytest.fixture
def gestionnaire(operator):
    return staff_of(operator, first_name="Claire", last_name="Martin")


@pytest.fixture
def other_gestionnaire():
    return staff_of(OperatorFactory(name="Région Rhône", profile__departments=["69"]))


@pytest.fixture
def employer():
    return EmployerFactory(name="Boulangerie Martin", department_code="75")


@pytest.fixture
def employer_referent(employer):
    return member(employer, Role.REFERENT).user


@pytest.fixture
def people(gestionnaire, other_gestionnaire, employer_referent):
    return {
        "anonymous": None,
        "ordinary": UserFactory(),
        "employer_referent": employer_referent,
        "gestionnaire": gestionnaire,
        "other_gestionnaire": other_gestionnaire,
    }


@pytest.fixture
def client_as(client, people):
    """The test client logged in as one of ROLES."""

    def log_in(role):
        client.logout()
        if people[role] is not None:
            client.force_login(people[role])
        return client

    return log_in


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
