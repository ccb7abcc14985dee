from django.db import models


class Civility(models.TextChoices):
    MADAME = "MME", "Madame"
    MONSIEUR = "M", "Monsieur"


class RegistrationKind(models.TextChoices):
    TITULAIRE = "titulaire", "Titulaire d'un compte formation"
    STAGIAIRE = "stagiaire", "Stagiaire de la formation professionnelle"
    PROFESSIONNEL = "professionnel", "Professionnel (employeur, organisme, établissement)"
    # The founding account of a school (seed 002): its login is the school's official address.
    SCHOOL = "school", "Établissement scolaire (compte de l'établissement)"


class RegistrationStatus(models.TextChoices):
    PENDING = "pending", "En attente de confirmation"
    CONFIRMED = "confirmed", "Confirmée"
    SUPERSEDED = "superseded", "Remplacée par une inscription plus récente"


class IdentityReview(models.TextChoices):
    NONE = "", "Aucune"
    NIR_SEX_MISMATCH = "nir_sex_mismatch", "Civilité différente du sexe indiqué par le NIR"
