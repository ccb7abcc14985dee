"""In-app notifications and the emails that go with them, honouring each person's email choices.

Apps register their categories (a label and whether the person may mute its emails) with
`notification_category_register`, and call `notify(...)` inside the transaction of the change.
"""

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from parcours.notifications.models import EmailPreference, Notification
from parcours.notifications.services import email_send


@dataclass(frozen=True)
class Category:
    key: str
    label: str
    # Decisions (accepted, refused, cancelled) always reach the person by email.
    mutable: bool = True


_categories: dict[str, Category] = {}


def notification_category_register(key: str, label: str, *, mutable: bool = True) -> None:
    _categories[key] = Category(key, label, mutable)


def notification_categories() -> list[Category]:
    return sorted(_categories.values(), key=lambda category: category.label)


def notification_category(key: str) -> Category | None:
    return _categories.get(key)


def email_wanted(user, category: str) -> bool:
    known = _categories.get(category)
    if known is not None and not known.mutable:
        return True
    preference = EmailPreference.objects.filter(user=user, category=category).first()
    return preference is None or preference.enabled


def notify(
    user,
    *,
    category: str,
    title: str,
    body: str = "",
    url: str = "",
    email_template: str = "",
    context: dict[str, Any] | None = None,
) -> Notification:
    """Write the in-app notification; send the email too unless the person muted that category."""
    notification = Notification.objects.create(user=user, category=category, title=title, body=body, url=url)
    if email_template and user.is_active and email_wanted(user, category):
        email_send(
            to=user.email,
            template=email_template,
            context={"name": user.first_name, "title": title, "body": body, "url": url, **(context or {})},
            user=user,
            category=category,
        )
    return notification


def notify_each(people, *, actor=None, **notification) -> int:
    """notify() each person once, never the one who acted (their own page told them); returns how many."""
    seen = {actor.pk} if getattr(actor, "pk", None) is not None else set()
    told = 0
    for person in people:
        if person is None or person.pk in seen:
            continue
        seen.add(person.pk)
        notify(person, **notification)
        told += 1
    return told


def notification_mark_read(*, notification: Notification) -> bool:
    """Mark it read once: a conditional UPDATE, so a second click or another tab keeps the first time."""
    if notification.read_at is not None:
        return False
    now = timezone.now()
    updated = Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
    if updated:
        notification.read_at = now
    return bool(updated)


def notifications_mark_all_read(*, user) -> int:
    """One UPDATE over the person's unread notifications; returns how many were unread."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(read_at=timezone.now())


@transaction.atomic
def email_preferences_set(*, user, choices: dict[str, bool]) -> dict[str, bool]:
    """Record which emails the person wants, category → wanted; returns what changed.

    Unknown categories and those always sent (decisions) are ignored: nobody can mute a decision.
    """
    wanted = {
        key: bool(value)
        for key, value in choices.items()
        if (category := _categories.get(key)) is not None and category.mutable
    }
    current = dict(EmailPreference.objects.filter(user=user, category__in=wanted).values_list("category", "enabled"))
    changed = {key: value for key, value in wanted.items() if current.get(key, True) != value}
    for key, value in changed.items():
        EmailPreference.objects.update_or_create(user=user, category=key, defaults={"enabled": value})
    return changed
