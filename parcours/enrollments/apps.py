from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "parcours.enrollments"
    label = "enrollments"
    verbose_name = "Inscriptions"
