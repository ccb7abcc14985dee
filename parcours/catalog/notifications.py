"""The catalog's notification categories; CatalogConfig.ready() calls register()."""

from parcours.notifications.inapp import notification_category_register

ACTION_UNPUBLISHED = "catalog.action_unpublished"
SESSION_CANCELLED = "catalog.session_cancelled"
TRAINER_ASSIGNED = "catalog.trainer_assigned"


def register() -> None:
    # Decisions taken on the provider's offer always reach it by email.
    notification_category_register(ACTION_UNPUBLISHED, "Retrait d'une action du catalogue", mutable=False)
    notification_category_register(SESSION_CANCELLED, "Annulation d'une session que vous animez", mutable=False)
    notification_category_register(TRAINER_ASSIGNED, "Sessions que vous animez")
