from django.apps import AppConfig


class CatalogConfig(AppConfig):
    name = "parcours.catalog"
    label = "catalog"
    verbose_name = "Offre de formation"

    def ready(self):
        from parcours.catalog import notifications

        notifications.register()
