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


class ConventionStatus(models.TextChoices):
    ISSUED = "issued", "À signer"
    SIGNED = "signed", "Signée"
    SIGNED_OFFLINE = "signed_offline", "Signée hors de la plateforme"
    CANCELLED = "cancelled", "Annulée"


class ConventionParty(models.TextChoices):
    PROVIDER = "provider", "Organisme de formation"
    BUYER = "buyer", "Acheteur (employeur ou financeur)"


class AttendanceStatus(models.TextChoices):
    UNKNOWN = "", "Non renseigné"
    PRESENT = "present", "Présent"
    ABSENT = "absent", "Absent"
    EXCUSED = "excused", "Absent excusé"


class SignatureMethod(models.TextChoices):
    TRAINER_DEVICE = "trainer_device", "Sur l'appareil du formateur"
    OWN_DEVICE = "own_device", "Sur son propre appareil (code à usage unique)"


class ObjectiveResultValue(models.TextChoices):
    REACHED = "reached", "Atteint"
    PARTLY = "partly", "Partiellement atteint"
    NOT_REACHED = "not_reached", "Non atteint"


class QuestionKind(models.TextChoices):
    SCALE = "scale", "Note de 1 à 5"
    CHOICE = "choice", "Choix dans une liste"
    TEXT = "text", "Réponse libre"


# The scale's bounds and the words at each end (shown beside the buttons).
SCALE_MIN = 1
SCALE_MAX = 5


class SessionReportStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    SUBMITTED = "submitted", "Transmis à l'opérateur"
    CHANGES_REQUESTED = "changes_requested", "Modifications demandées"
    ACCEPTED = "accepted", "Accepté"
