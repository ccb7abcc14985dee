from django.db.models import QuerySet

from parcours.notifications.models import DevOutboxMessage


def dev_outbox_message_list() -> QuerySet[DevOutboxMessage]:
    # The list shows headers only: leave the bodies in the database.
    return DevOutboxMessage.objects.only("public_id", "from_email", "to", "subject", "created_at").order_by(
        "-created_at", "-id"
    )


def dev_outbox_message_get(*, public_id) -> DevOutboxMessage:
    return DevOutboxMessage.objects.get(public_id=public_id)
