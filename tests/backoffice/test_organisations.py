"""The territory's organisations: search, and a read-only page with data, profiles, members and requests."""

import pytest
from django.urls import reverse

from parcours.organisations.models import OrganisationStatus, Role
from tests.backoffice.builders import change_request, creation_request
from tests.organisations.factories import EmployerFactory, ProviderFactory, SchoolFactory, member

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged_in(client, gestionnaire):
    client.force_login(gestionnaire)
    return client


def found(client, **params):
    response = client.get(reverse("backoffice:organisations"), params)
    assert response.status_code == 200
    return [organisation.name for organisation in response.context["page"].object_list]


def test_search_by_name_siret_siren_or_uai_within_the_territory(logged_in):
    bakery = EmployerFactory(name="Boulangerie Martin", department_code="75")
    EmployerFactory(name="Boulangerie de Lyon", department_code="69")
    school = SchoolFactory(name="Lycée Voltaire", department_code="93")

    assert found(logged_in, q="boulangerie") == ["Boulangerie Martin"]
    assert found(logged_in, q=bakery.siret) == ["Boulangerie Martin"]
    assert found(logged_in, q=bakery.siret[:9]) == ["Boulangerie Martin"]
    assert found(logged_in, q=f" {school.uai.lower()} ") == ["Lycée Voltaire"]
    assert found(logged_in, q="Lyon") == []


def test_filter_by_status(logged_in):
    EmployerFactory(name="Active")
    creation_request(name="En attente")

    assert found(logged_in, statut=OrganisationStatus.PENDING) == ["En attente"]


def test_the_list_is_paginated_with_bounded_queries(logged_in, django_assert_max_num_queries):
    for index in range(30):
        EmployerFactory(name=f"Structure {index:02d}")

    with django_assert_max_num_queries(8):
        response = logged_in.get(reverse("backoffice:organisations"), {"q": "structure"})

    assert response.context["page"].paginator.count == 30
    assert len(response.context["page"].object_list) == 25
    assert "?q=structure&amp;page=2" in response.content.decode()


def test_the_page_shows_data_profiles_members_and_requests(logged_in, django_assert_max_num_queries):
    organisation = ProviderFactory(name="Formations Durand", department_code="92", is_employer=True)
    referent = member(organisation, Role.REFERENT, first_name="Paul", last_name="Durand")
    for _ in range(30):
        member(organisation, Role.TRAINER)
    org_request = change_request(
        organisation=organisation, referent=referent.user, changes={"name": "Formations Durand et fils"}
    )

    with django_assert_max_num_queries(12):
        response = logged_in.get(reverse("backoffice:organisation", args=[organisation.public_id]))

    page = response.content.decode()
    assert organisation.siret in page
    assert "11755555575" in page  # the NDA
    assert "Paul Durand" in page
    assert referent.user.email in page
    assert response.context["members"].paginator.count == 31
    assert reverse("backoffice:request", args=[org_request.public_id]) in page
    assert "Modification des données" in page
    assert "<form" not in page.split("<main", 1)[1].split("</main>", 1)[0]  # read-only
