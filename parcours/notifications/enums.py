from django.db import models


class OutgoingEmailStatus(models.TextChoices):
    QUEUED = "queued", "En attente d'envoi"
    SENDING = "sending", "En cours d'envoi"
    SENT = "sent", "Envoyé"
    FAILED = "failed", "Échec définitif"
