from django_tasks import task

from parcours.notifications.services import email_deliver


@task()
def deliver_email(email_id: str) -> str | None:
    """Deliver one queued email; a duplicate or late run finds nothing to claim and does nothing."""
    status = email_deliver(email_id=email_id)
    return str(status) if status else None
