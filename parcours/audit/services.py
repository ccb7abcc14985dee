from typing import Any
from uuid import UUID

from django.db import models
from django.http import HttpRequest

from parcours.audit.models import AuditEvent
from parcours.utils.http import client_ip, user_agent


def audit_record(
    *,
    event_type: str,
    actor=None,
    organisation_id: UUID | None = None,
    target: models.Model | None = None,
    request: HttpRequest | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record a sensitive action. Details never hold contact data or a NIR (they outlive anonymisation)."""
    if actor is not None and not getattr(actor, "is_authenticated", False):
        actor = None
    target_type = target_id = ""
    if target is not None:
        target_type = target._meta.label_lower
        target_id = str(getattr(target, "public_id", None) or target.pk)
    return AuditEvent.objects.create(
        event_type=event_type,
        actor=actor,
        organisation_id=organisation_id,
        target_type=target_type,
        target_id=target_id,
        ip=client_ip(request) if request is not None else None,
        user_agent=user_agent(request) if request is not None else "",
        details=details or {},
    )


def audit_pseudonymise(*, actor) -> int:
    """The one permitted change to the log (RGPD deletion): the person's rows lose IP and device.

    The rows stay, with the actor now an anonymised account; details never held contact data.
    """
    rows = AuditEvent.objects.filter(actor=actor)
    # AuditEventQuerySet refuses update(): this is the single, deliberate exception.
    return models.QuerySet.update(rows, ip=None, user_agent="")
