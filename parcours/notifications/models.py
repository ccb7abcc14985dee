import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from parcours.notifications.enums import OutgoingEmailStatus


class OutgoingEmail(models.Model):
    """One email to deliver: the row, not the task queue, is the source of truth (DECISIONS.md)."""

    Status = OutgoingEmailStatus

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    recipient = models.EmailField("destinataire", max_length=254)
    subject = models.CharField("objet", max_length=998)
    body_text = models.TextField("texte")
    body_html = models.TextField("HTML", blank=True)
    category = models.CharField("catégorie", max_length=100, blank=True, db_index=True)
    # Kept when the account goes: the delivery history outlives it.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="utilisateur",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField("statut", max_length=16, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveIntegerField("tentatives", default=0)
    next_attempt_at = models.DateTimeField("prochain essai", default=timezone.now)
    claimed_at = models.DateTimeField("pris en charge le", null=True, blank=True)
    last_error = models.TextField("dernière erreur", blank=True)
    sent_at = models.DateTimeField("envoyé le", null=True, blank=True)
    created_at = models.DateTimeField("créé le", default=timezone.now)

    class Meta:
        verbose_name = "courriel sortant"
        verbose_name_plural = "courriels sortants"
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="notif_outgoing_due_idx")]

    def __str__(self) -> str:
        return f"{self.subject} → {self.recipient} ({self.get_status_display()})"


class OutgoingEmailAttachment(models.Model):
    """A file sent with an email, written in the same transaction: every delivery attempt reads it again."""

    email = models.ForeignKey(OutgoingEmail, on_delete=models.CASCADE, related_name="attachments")
    position = models.PositiveSmallIntegerField("rang", default=0)
    filename = models.CharField("nom du fichier", max_length=200)
    # May carry parameters: "text/calendar; method=PUBLISH; charset=utf-8".
    content_type = models.CharField("type de contenu", max_length=150)
    content = models.BinaryField("contenu")
    size = models.PositiveIntegerField("taille (octets)", default=0)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["email", "position", "id"]

    def __str__(self) -> str:
        return self.filename


class DevOutboxMessage(models.Model):
    """What the development email backend "sent": read by /dev/outbox/ and by the test helpers."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    from_email = models.CharField("expéditeur", max_length=998)
    # Every recipient (to, cc, bcc), one per line: SQLite cannot search inside a JSON list, and a
    # display name may hold a comma.
    to = models.TextField("destinataires")
    subject = models.CharField("objet", max_length=998, blank=True)
    body_text = models.TextField("texte", blank=True)
    body_html = models.TextField("HTML", blank=True)
    # What was attached, without the bytes: [{"filename", "content_type", "size", "sha256"}].
    attachments = models.JSONField("pièces jointes", default=list, blank=True)
    created_at = models.DateTimeField("reçu le", default=timezone.now, db_index=True)

    class Meta:
        verbose_name = "message de la boîte de développement"
        verbose_name_plural = "messages de la boîte de développement"
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.subject} → {', '.join(self.recipients)}"

    @property
    def recipients(self) -> list[str]:
        return [address.strip() for address in self.to.splitlines() if address.strip()]


class Notification(models.Model):
    """An in-app notification (the bell in the header), written in the transaction of what causes it."""

    public_id = models.UUIDField("identifiant public", default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    # A category the person may mute for emails (EmailPreference); "decision" emails are always sent.
    category = models.CharField("catégorie", max_length=50)
    title = models.CharField("titre", max_length=200)
    body = models.TextField("message", blank=True)
    url = models.CharField("lien", max_length=500, blank=True)
    created_at = models.DateTimeField("le", default=timezone.now)
    read_at = models.DateTimeField("lue le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread")]

    def __str__(self) -> str:
        return self.title


class EmailPreference(models.Model):
    """A category of emails the person chose not to receive (decisions are never muted)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_preferences")
    category = models.CharField("catégorie", max_length=50)
    enabled = models.BooleanField("recevoir ces courriels", default=True)

    class Meta:
        verbose_name = "préférence de courriel"
        constraints = [models.UniqueConstraint(fields=["user", "category"], name="one_preference_per_category")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.category}: {self.enabled}"
