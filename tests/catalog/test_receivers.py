"""The search follows its providers: a renamed one is found by its new name (catalog.receivers), a validated
one's actions appear (on PostgreSQL, through the triggers of the narrow search table)."""

import pytest

from parcours.catalog.enums import ActionStatus
from parcours.catalog.models import TrainingAction
from parcours.catalog.selectors import CatalogQuery, catalog_search
from parcours.organisations.models import OrganisationStatus
from tests.catalog.factories import TrainingActionFactory
from tests.organisations.factories import EmployerFactory, ProviderFactory

pytestmark = pytest.mark.django_db


def _found(text: str) -> list[str]:
    return [action.title for action in catalog_search(CatalogQuery(text=text)).actions]


def test_a_renamed_provider_is_found_by_its_new_name():
    provider = ProviderFactory(name="Forges Formation")
    TrainingActionFactory(provider=provider, title="Soudure à l'arc")
    TrainingActionFactory(provider=provider, title="Soudage TIG")
    assert sorted(_found("forges")) == ["Soudage TIG", "Soudure à l'arc"]

    provider.name = "Atelier Métallerie Martin"
    provider.save()

    assert sorted(_found("métallerie martin")) == ["Soudage TIG", "Soudure à l'arc"]
    assert _found("forges") == []
    texts = TrainingAction.objects.values_list("search_text", flat=True)
    assert all(text.startswith("Atelier Métallerie Martin ") for text in texts)


def test_saving_other_fields_leaves_the_actions_alone(django_assert_max_num_queries):
    provider = ProviderFactory(name="Forges Formation")
    TrainingActionFactory(provider=provider)
    provider.city = "Lyon"

    with django_assert_max_num_queries(1):
        provider.save(update_fields=["city"])
    with django_assert_max_num_queries(2):  # the save, one check that no action is stale
        provider.save()


def test_an_employer_is_not_looked_at(django_assert_max_num_queries):
    employer = EmployerFactory(name="Boulangerie Martin")
    employer.name = "Boulangerie Petit"

    with django_assert_max_num_queries(1):
        employer.save()


def test_the_search_follows_the_provider_status_and_the_action_status():
    # On PostgreSQL the search reads catalog_action_search, which triggers keep in step: check they do.
    provider = ProviderFactory(name="Forges Formation", status=OrganisationStatus.PENDING)
    action = TrainingActionFactory(provider=provider, title="Soudure à l'arc")
    assert _found("soudure") == []

    provider.status = OrganisationStatus.ACTIVE
    provider.save()
    assert _found("soudure") == ["Soudure à l'arc"]

    action.title = "Soudage TIG"
    action.save()
    assert _found("soudure") == []
    assert _found("soudage") == ["Soudage TIG"]

    TrainingAction.objects.filter(pk=action.pk).update(status=ActionStatus.ARCHIVED)
    assert _found("soudage") == []
