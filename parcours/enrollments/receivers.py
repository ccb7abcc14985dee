"""The catalog's signals (parcours.catalog.signals): a cancelled session, or more places in one.

Connected from EnrollmentsConfig.ready(); each receiver calls a service, in the sender's transaction.
"""

from django.dispatch import receiver

from parcours.catalog.signals import session_cancelled, session_capacity_raised
from parcours.enrollments.services import session_enrollments_cancel, session_places_refresh


@receiver(session_cancelled, dispatch_uid="enrollments.session_cancelled")
def on_session_cancelled(sender, session, actor=None, reason="", **kwargs):
    session_enrollments_cancel(session=session, reason=reason, actor=actor)


@receiver(session_capacity_raised, dispatch_uid="enrollments.session_capacity_raised")
def on_session_capacity_raised(sender, session, actor=None, **kwargs):
    session_places_refresh(session=session)
