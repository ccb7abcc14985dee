import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class AppendOnlyError(Exception):
    pass


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne se modifie pas.")

    def delete(self):
        raise AppendOnlyError("Le journal d'audit ne se supprime pas.")


class AuditEvent(models.Model):
    """One sensitive action. Rows are only ever added (parcours.audit.services.audit_record)."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    occurred_at = models.DateTimeField("date", default=timezone.now, db_index=True)
    # A user reference, not an import of the accounts app; accounts are anonymised, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="auteur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Organisations are kept as their public UUID so that audit imports no business app.
    organisation_id = models.UUIDField("organisation", null=True, blank=True, db_index=True)
    event_type = models.CharField("événement", max_length=64, db_index=True)
    target_type = models.CharField("type d'objet", max_length=100, blank=True)
    target_id = models.CharField("objet", max_length=64, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)
    details = models.JSONField("détails", default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = "événement d'audit"
        verbose_name_plural = "événements d'audit"
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["actor", "-occurred_at"], name="audit_actor_time_idx"),
            models.Index(fields=["target_type", "target_id"], name="audit_target_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} {self.occurred_at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Le journal d'audit ne se modifie pas.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Le journal d'audit ne se supprime pas.")
