from django.db import models


class Funding(models.TextChoices):
    OPERATOR_FUNDS = "operator", "Le programme finance l'action"
    EMPLOYER_PAYS = "employer", "L'employeur paie l'action"


class WhoAsks(models.TextChoices):
    EMPLOYEE = "employee", "Le salarié bénéficiaire"
    EMPLOYER = "employer", "L'employeur pour ses salariés"


class ActionNature(models.TextChoices):
    """Code du travail, L6313-1."""

    TRAINING = "training", "Action de formation"
    SKILLS_ASSESSMENT = "skills_assessment", "Bilan de compétences"
    VAE = "vae", "Validation des acquis de l'expérience (VAE)"
    APPRENTICESHIP = "apprenticeship", "Action de formation par apprentissage"


class Modality(models.TextChoices):
    ON_SITE = "on_site", "En présentiel"
    REMOTE = "remote", "À distance"
    MIXED = "mixed", "Mixte (présentiel et distance)"


class Sanction(models.TextChoices):
    """What the action leads to."""

    ATTESTATION = "attestation", "Attestation de fin de formation"
    CERTIFICATE = "certificate", "Certification (diplôme, titre, certificat)"
    SKILLS_BLOCK = "skills_block", "Bloc de compétences"


class CertificationRegistry(models.TextChoices):
    NONE = "", "Aucune"
    RNCP = "RNCP", "Répertoire national des certifications professionnelles (RNCP)"
    RS = "RS", "Répertoire spécifique (RS)"


class ActionStatus(models.TextChoices):
    DRAFT = "draft", "Brouillon"
    PUBLISHED = "published", "Publiée"
    ARCHIVED = "archived", "Archivée"


class SessionStatus(models.TextChoices):
    OPEN = "open", "Inscriptions ouvertes"
    FULL = "full", "Complète"
    CLOSED = "closed", "Inscriptions closes"
    CANCELLED = "cancelled", "Annulée"


class HalfDay(models.TextChoices):
    MORNING = "morning", "Matin"
    AFTERNOON = "afternoon", "Après-midi"
