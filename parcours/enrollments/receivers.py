"""The catalog's signals (parcours.catalog.signals): a cancelled session, or more places in one.

Connected from EnrollmentsConfig.ready(); each receiver calls a service, in the sender's transaction.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from parcours.catalog.models import Session, Slot
from parcours.catalog.signals import session_cancelled, session_capacity_raised
from parcours.enrollments.services import session_enrollments_cancel, session_places_refresh


@receiver(session_cancelled, dispatch_uid="enrollments.session_cancelled")
def on_session_cancelled(sender, session, actor=None, reason="", **kwargs):
    session_enrollments_cancel(session=session, reason=reason, actor=actor)


@receiver(session_capacity_raised, dispatch_uid="enrollments.session_capacity_raised")
def on_session_capacity_raised(sender, session, actor=None, **kwargs):
    session_places_refresh(session=session)


# A session's dates, place or timetable changed: those already convoked get the new convocation (after commit,
# one PDF per person). Saves that only move counters or the status change nothing a convocation shows.
_COUNTERS_ONLY = {"enrolled_count", "status", "updated_at", "next_session_on"}


def _resend_after_commit(session) -> None:
    from django.db import transaction

    from parcours.enrollments.convocations import convocations_resend_for_session

    transaction.on_commit(lambda: convocations_resend_for_session(session))


@receiver(post_save, sender=Session, dispatch_uid="enrollments.session_saved")
def on_session_saved(sender, instance, created=False, update_fields=None, **kwargs):
    if created or (update_fields is not None and set(update_fields) <= _COUNTERS_ONLY):
        return
    if instance.enrollments.filter(convocations__isnull=False).exists():
        _resend_after_commit(instance)


@receiver([post_save, post_delete], sender=Slot, dispatch_uid="enrollments.slot_changed")
def on_slot_changed(sender, instance, **kwargs):
    session = Session.objects.filter(pk=instance.session_id).first()
    if session is not None and session.enrollments.filter(convocations__isnull=False).exists():
        _resend_after_commit(session)
