"""A school's account holders have their organisation page: its data, members and access requests."""

import pytest
from django.urls import reverse

from parcours.organisations.models import Role
from parcours.organisations.services.access import access_request_create
from tests.organisations.factories import SchoolFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def school():
    organisation = SchoolFactory(name="Lycée Suger", uai="0932121A", department_code="93")
    profile = organisation.school_profile
    profile.academy_code, profile.academy_name, profile.official_email = "24", "Créteil", "ce.0932121a@ac-creteil.fr"
    profile.save()
    return organisation


@pytest.fixture
def holder(school):
    return member(school, Role.REFERENT, email="ce.0932121a@ac-creteil.fr").user


def test_the_school_page_shows_its_uai_academy_and_login(client, school, holder):
    client.force_login(holder)

    page = client.get(reverse("organisations:detail", args=[school.public_id])).text

    assert "0932121A" in page
    assert "Lycée, académie de Créteil" in page
    assert "accueille des mini-stages" in page
    assert "ce.0932121a@ac-creteil.fr" in page


def test_pending_access_requests_are_listed_with_a_link_to_decide(
    client, school, holder, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        org_request = access_request_create(
            organisation=school,
            email="marie.durand@ac-creteil.fr",
            first_name="Marie",
            last_name="Durand",
            job_title="CPE",
        )
    client.force_login(holder)

    page = client.get(reverse("organisations:requests", args=[school.public_id])).text

    assert "Marie Durand" in page
    assert "marie.durand@ac-creteil.fr" in page
    assert "accès au compte de l’établissement" in page
    assert reverse("schools:access_request", args=[org_request.public_id]) in page


def test_another_school_cannot_open_this_one(client, school):
    other_holder = member(SchoolFactory(), Role.REFERENT).user
    client.force_login(other_holder)

    assert client.get(reverse("organisations:detail", args=[school.public_id])).status_code == 404
    assert client.get(reverse("organisations:requests", args=[school.public_id])).status_code == 404
