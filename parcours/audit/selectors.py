from django.db.models import QuerySet

from parcours.audit.models import AuditEvent


def audit_events_for_actor(*, actor) -> QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(actor=actor).order_by("-occurred_at", "-id")
