"""What the catalog tells the schemes above it (enrollments, ...), which it never imports.

Both are sent inside the transaction of the change; receivers act in it (cancel enrollments, promote the
waiting list) and queue their notifications.
"""

from django.dispatch import Signal

# session_cancelled.send(sender=Session, session=session, actor=user, reason=str)
session_cancelled = Signal()
# session_capacity_raised.send(sender=Session, session=session, actor=user): places may have freed up.
session_capacity_raised = Signal()
