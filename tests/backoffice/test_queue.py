"""The operators' queue: counts, filters in the URL, waiting times, pagination, bounded queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from parcours.accounts.enums import IdentityReview
from parcours.organisations.models import OrganisationRequest, RequestKind, RequestStatus, Role
from parcours.organisations.services.requests import request_refuse
from tests.accounts.factories import UserFactory
from tests.backoffice.builders import access_request, change_request, creation_request, first_member_request
from tests.organisations.factories import EmployerFactory, member

pytestmark = pytest.mark.django_db


def queue(client, **params):
    response = client.get(reverse("backoffice:home"), params)
    assert response.status_code == 200
    return response


def names(response) -> list[str]:
    return [row.organisation.name for row in response.context["rows"]]


def aged(org_request, **delta):
    created_at = timezone.now() - datetime.timedelta(**delta)
    OrganisationRequest.objects.filter(pk=org_request.pk).update(created_at=created_at)


@pytest.fixture
def logged_in(client, gestionnaire):
    client.force_login(gestionnaire)
    return client


def test_counts_every_kind_in_the_territory_and_the_flagged_accounts(logged_in):
    creation_request(department="75")
    creation_request(department="93")
    creation_request(department="69")  # another operator's
    first_member_request(department="92")
    change_request(department="94")
    access_request(department="75")
    UserFactory(identity_review=IdentityReview.NIR_SEX_MISMATCH)

    response = queue(logged_in)

    tiles = {tile["label"]: tile["description"] for tile in response.context["tiles"]}
    assert tiles == {
        "Création d'organisation": "2 en attente",
        "Premier membre": "1 en attente",
        "Modification des données": "1 en attente",
        "Accès à un établissement scolaire": "1 en attente",
        "Comptes à vérifier": "1 à vérifier",
    }
    assert response.context["page"].paginator.count == 5


def test_joins_decided_by_the_organisations_referents_stay_out_of_the_queue(logged_in):
    with_referent = EmployerFactory(name="Avec référent")
    member(with_referent, Role.REFERENT)
    first_member_request(organisation=with_referent)
    first_member_request(organisation=EmployerFactory(name="Sans référent"))

    assert names(queue(logged_in)) == ["Sans référent"]


def test_rows_show_kind_organisation_identifier_requester_department_and_waiting_time(logged_in):
    org_request = creation_request(name="Boulangerie Neuve", department="93")
    aged(org_request, days=2, hours=3)

    page = queue(logged_in).content.decode()

    assert "Création d&#x27;organisation" in page
    assert "Boulangerie Neuve" in page
    assert org_request.organisation.siret in page
    assert "Inès Durand" in page
    assert "<td>93</td>" in page
    assert "2\xa0jours" in page
    assert "En retard" in page
    assert reverse("backoffice:request", args=[org_request.public_id]) in page


def test_a_change_row_names_the_fields_asked(logged_in):
    change_request(changes={"siret": "73282932000074", "nda": "11755555576"})

    page = queue(logged_in).content.decode()

    assert "SIRET, Numéro de déclaration d&#x27;activité" in page


def test_an_access_request_shows_the_person_who_has_no_account_yet(logged_in):
    access_request()

    page = queue(logged_in).content.decode()

    assert "Jeanne Roux" in page
    assert "Lycée Voltaire" in page


def test_oldest_first_by_default_and_newest_first_on_request(logged_in):
    for name, days in [("Moyenne", 3), ("Ancienne", 9), ("Récente", 1)]:
        aged(creation_request(name=name), days=days)

    assert names(queue(logged_in)) == ["Ancienne", "Moyenne", "Récente"]
    assert names(queue(logged_in, tri="recentes")) == ["Récente", "Moyenne", "Ancienne"]


def test_filters_by_kind_and_department(logged_in):
    creation_request(name="Création 75", department="75")
    creation_request(name="Création 93", department="93")
    first_member_request(organisation=EmployerFactory(name="Rattachement 93", department_code="93"))

    assert sorted(names(queue(logged_in, type="creation"))) == ["Création 75", "Création 93"]
    assert names(queue(logged_in, departement="93", type="join")) == ["Rattachement 93"]
    assert sorted(names(queue(logged_in, departement="93"))) == ["Création 93", "Rattachement 93"]


def test_a_department_outside_the_territory_widens_nothing(logged_in):
    creation_request(name="Création 75", department="75")
    creation_request(name="Création 69", department="69")

    response = queue(logged_in, departement="69", type="inconnu")

    assert names(response) == ["Création 75"]


def test_decided_requests_show_who_decided(logged_in, gestionnaire):
    refused = creation_request(name="Refusée")
    request_refuse(org_request=refused, by=gestionnaire, reason="SIRET fermé")
    creation_request(name="En attente")

    response = queue(logged_in, statut="decided")

    assert names(response) == ["Refusée"]
    page = response.content.decode()
    assert "Refusée" in page
    assert "par Claire Martin" in page
    assert names(queue(logged_in)) == ["En attente"]


def test_the_filters_are_in_the_url_and_survive_paging(logged_in):
    for _ in range(27):
        creation_request(department="93")
    creation_request(department="75")

    first = queue(logged_in, departement="93", type="creation")
    second = queue(logged_in, departement="93", type="creation", page=2)

    assert len(first.context["rows"]) == 25
    assert len(second.context["rows"]) == 2
    assert "?departement=93&amp;type=creation&amp;page=2" in first.content.decode()
    assert first.context["form"]["departement"].value() == "93"


def test_the_queue_runs_a_bounded_number_of_queries(logged_in, django_assert_max_num_queries):
    for index in range(12):
        if index < 4:
            access_request()
        creation_request(department=["75", "92", "93"][index % 3])
        first_member_request()
        change_request(changes={"name": f"Nouveau nom {index}", "siret": "73282932000074"})
    assert OrganisationRequest.objects.filter(status=RequestStatus.PENDING, decider="operator").count() == 40

    with django_assert_max_num_queries(10):
        response = queue(logged_in)
    with django_assert_max_num_queries(10):
        queue(logged_in, statut="decided")

    assert len(response.context["rows"]) == 25
    assert {row.kind for row in response.context["rows"]} == set(RequestKind.values)
