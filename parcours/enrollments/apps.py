from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "parcours.enrollments"
    label = "enrollments"
    verbose_name = "Inscriptions"

    def ready(self):
        # The notification categories, and the receivers of the catalog's session signals.
        from parcours.enrollments import notifications, receivers  # noqa: F401
