from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "parcours.catalog"
    label = "catalog"
    verbose_name = "Offre de formation"

    def ready(self):
        from parcours.catalog import notifications, receivers  # noqa: F401 (receivers connect on import)

        notifications.register()
