from django.db import models


class EnrollmentState(models.TextChoices):
    PENDING_EMPLOYER = "pending_employer", "En attente de l'accord de l'employeur"
    PENDING_PROVIDER = "pending_provider", "En attente de validation par l'organisme"
    WAITLISTED = "waitlisted", "Sur liste d'attente"
    ENROLLED = "enrolled", "Inscrit"
    REFUSED_BY_EMPLOYER = "refused_employer", "Refusée par l'employeur"
    REFUSED_BY_PROVIDER = "refused_provider", "Refusée par l'organisme"
    CANCELLED = "cancelled", "Annulée"


# Where a request still lives: it holds (or waits for) a place and can be cancelled.
OPEN_STATES = (
    EnrollmentState.PENDING_EMPLOYER,
    EnrollmentState.PENDING_PROVIDER,
    EnrollmentState.WAITLISTED,
    EnrollmentState.ENROLLED,
)
