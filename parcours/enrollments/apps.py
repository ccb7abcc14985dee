from django.apps import AppConfig


class EnrollmentsConfig(AppConfig):
    name = "parcours.enrollments"
    label = "enrollments"
    verbose_name = "Inscriptions"

    def ready(self):
        # The notification categories, the receivers of the catalog's session signals, and who may download
        # each kind of document (documents.registry).
        from parcours.enrollments import (  # noqa: F401
            assessments,
            attendance,
            conventions,
            convocations,
            notifications,
            receivers,
            reports,
            satisfaction,
        )

        convocations.register()
        attendance.register()
        assessments.register()
        conventions.register()
        satisfaction.register()
        reports.register()
