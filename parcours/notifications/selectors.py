from django.db.models import QuerySet

from parcours.notifications.models import DevOutboxMessage, EmailPreference, Notification


def dev_outbox_message_list() -> QuerySet[DevOutboxMessage]:
    # The list shows headers only: leave the bodies in the database.
    return DevOutboxMessage.objects.only("public_id", "from_email", "to", "subject", "created_at").order_by(
        "-created_at", "-id"
    )


def dev_outbox_message_get(*, public_id) -> DevOutboxMessage:
    return DevOutboxMessage.objects.get(public_id=public_id)


def notifications_for_user(*, user) -> QuerySet[Notification]:
    """The person's notifications, newest first (the index on user, read_at, -created_at serves it)."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-id")


def notification_get_for_user(*, user, public_id) -> Notification:
    """One of the person's notifications; Notification.DoesNotExist for anyone else's (the view gives a 404)."""
    return Notification.objects.get(user=user, public_id=public_id)


def notifications_unread_count(*, user) -> int:
    """The header badge: one COUNT on the (user, read_at) index, no query for anonymous visitors."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def email_preferences_for_user(*, user) -> dict[str, bool]:
    """The categories the person set, category → wanted; an absent category means "wanted"."""
    return dict(EmailPreference.objects.filter(user=user).values_list("category", "enabled"))
