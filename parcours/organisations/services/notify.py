"""Emails about organisations, sent inside the transaction of the change that causes them."""

from django.urls import reverse

from parcours.notifications.services import email_send


def _url(name: str, *args) -> str:
    return reverse(name, args=args or None)


def notify_users(users, *, template: str, context: dict) -> None:
    for user in users:
        email_send(to=user.email, template=template, context={"name": user.first_name, **context}, user=user)


def notify_url(name: str, *args) -> str:
    """A path the email templates prefix with base_url."""
    return _url(name, *args)
