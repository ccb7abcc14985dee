import pytest
from django.urls import reverse

from parcours.organisations.current import SESSION_KEY
from parcours.organisations.models import Role
from tests.accounts.factories import UserFactory
from tests.organisations.factories import EmployerFactory, MembershipFactory, ProviderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_hats():
    """A person who is référent of an employer and trainer at a provider."""
    user = UserFactory()
    employer = EmployerFactory(name="Atelier Martin")
    provider = ProviderFactory(name="Formations Durand")
    MembershipFactory(user=user, organisation=employer, role=Role.REFERENT)
    MembershipFactory(user=user, organisation=provider, role=Role.TRAINER)
    return user, employer, provider


def test_the_switcher_lists_the_organisations_and_marks_the_one_shown(client, two_hats):
    user, _employer, _provider = two_hats
    client.force_login(user)

    page = client.get("/").text

    assert "Organisation affichée" in page
    assert "Atelier Martin — Référent" in page
    assert "Formations Durand — Formateur" in page


def test_switching_keeps_the_choice_and_returns_to_the_page(client, two_hats):
    user, _employer, provider = two_hats
    client.force_login(user)

    response = client.post(
        reverse("web:switch_organisation"), {"organisation": str(provider.public_id), "next": "/mentions-legales/"}
    )

    assert response.status_code == 302
    assert response.url == "/mentions-legales/"
    assert client.session[SESSION_KEY] == str(provider.public_id)
    assert "Vous consultez maintenant l&#x27;espace de Formations Durand." in client.get("/").text


def test_nobody_switches_to_an_organisation_they_do_not_belong_to(client, two_hats):
    user, *_ = two_hats
    other = EmployerFactory()
    client.force_login(user)

    for value in (str(other.public_id), "not-a-uuid", ""):
        assert client.post(reverse("web:switch_organisation"), {"organisation": value}).status_code == 404
    assert SESSION_KEY not in client.session


def test_an_outside_next_url_is_ignored(client, two_hats):
    user, employer, _ = two_hats
    client.force_login(user)

    response = client.post(
        reverse("web:switch_organisation"), {"organisation": str(employer.public_id), "next": "https://evil.test/"}
    )

    assert response.url == reverse("organisations:home")


def test_one_organisation_shows_no_switcher(client):
    membership = MembershipFactory()
    client.force_login(membership.user)

    assert "Organisation affichée" not in client.get("/").text


def test_switching_needs_a_post(client, two_hats):
    client.force_login(two_hats[0])

    assert client.get(reverse("web:switch_organisation")).status_code == 405


def test_opening_another_organisation_from_a_link_switches_to_it_with_a_notice(client, two_hats):
    user, employer, provider = two_hats
    client.force_login(user)
    client.post(reverse("web:switch_organisation"), {"organisation": str(employer.public_id)})
    client.get("/")  # the switch's own notice is shown and gone

    page = client.get(reverse("organisations:detail", args=[provider.public_id])).text

    assert client.session[SESSION_KEY] == str(provider.public_id)
    assert "Vous consultez maintenant l&#x27;espace de Formations Durand." in page
    again = client.get(reverse("organisations:detail", args=[provider.public_id])).text
    assert "Vous consultez maintenant" not in again
