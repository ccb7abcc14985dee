import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class TransitionLog(models.Model):
    """One row per transition of any workflow: who moved which object from which state to which, and why.

    Objects are named by their model label and public id, so the log needs no foreign key into business apps.
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    workflow = models.CharField("workflow", max_length=50)
    object_type = models.CharField("type d'objet", max_length=100)
    object_id = models.UUIDField("objet")
    action = models.CharField("action", max_length=50)
    from_state = models.CharField("état de départ", max_length=30)
    to_state = models.CharField("état d'arrivée", max_length=30)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.TextField("motif", blank=True)
    occurred_at = models.DateTimeField("le", default=timezone.now)

    class Meta:
        verbose_name = "transition"
        indexes = [models.Index(fields=["object_type", "object_id", "occurred_at"], name="transition_object")]

    def __str__(self) -> str:
        return f"{self.workflow} {self.object_id}: {self.from_state} → {self.to_state}"
