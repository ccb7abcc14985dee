"""The catalog follows its providers: a renamed provider's actions are found by the new name.

Connected from CatalogConfig.ready(). Organisations knows nothing of the catalog (it sits below it), so the
catalog listens to its saves rather than being called by its services.
"""

from django.db.models.signals import post_save
from django.dispatch import receiver

from parcours.catalog.models import TrainingAction
from parcours.catalog.search import search_fields
from parcours.organisations.models import Organisation

BATCH_SIZE = 200


def provider_search_refresh(organisation: Organisation) -> int:
    """Rewrite the search data of the provider's actions whose text does not start with its current name (the
    name leads `search_text`); returns how many were rewritten. One UPDATE per 200 actions."""
    stale = (
        TrainingAction.objects.filter(provider=organisation)
        .exclude(search_text__startswith=f"{organisation.name} ")
        .only("pk", "title", "summary", "objectives", "audience", "certification_registry", "certification_code")
        .order_by("pk")
    )
    actions = []
    for action in stale.iterator(chunk_size=BATCH_SIZE):
        action.provider = organisation
        action.search_text, action.search_document = search_fields(action)
        actions.append(action)
    # bulk_update, not save(): the actions themselves did not change (updated_at stays), only what finds them.
    TrainingAction.objects.bulk_update(actions, ["search_text", "search_document"], batch_size=BATCH_SIZE)
    return len(actions)


@receiver(post_save, sender=Organisation, dispatch_uid="catalog.provider_renamed")
def on_organisation_saved(sender, instance: Organisation, created: bool, update_fields=None, raw=False, **kwargs):
    if raw or created or not instance.is_provider:
        return
    if update_fields is not None and "name" not in update_fields:
        return
    provider_search_refresh(instance)
