"""In-app notifications and the emails that go with them, honouring each person's email choices.

Apps register their categories (a label and whether the person may mute its emails) with
`notification_category_register`, and call `notify(...)` inside the transaction of the change.
"""

from dataclasses import dataclass
from typing import Any

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
