"""Read what the application "sent": the development outbox (DevOutboxMessage) that tests see as a mailbox."""

import re
from email.utils import getaddresses

from parcours.notifications.links import text_links
from parcours.notifications.models import DevOutboxMessage


def _addresses(message: DevOutboxMessage) -> set[str]:
    return {address.lower() for _name, address in getaddresses(message.recipients)}


def last_email_to(address: str) -> DevOutboxMessage:
    """The most recent message sent to this address; AssertionError, listing what is there, if none."""
    address = address.strip().lower()
    for message in DevOutboxMessage.objects.filter(to__icontains=address).order_by("-created_at", "-id"):
        if address in _addresses(message):
            return message
    recent = [
        f"{', '.join(message.recipients)}: {message.subject!r}"
        for message in DevOutboxMessage.objects.order_by("-created_at", "-id")[:10]
    ]
    raise AssertionError(
        f"No email to {address!r} in the dev outbox. "
        + (f"Most recent ones: {'; '.join(recent)}" if recent else "The outbox is empty.")
    )


def links_in(message: DevOutboxMessage) -> list[str]:
    """The http(s) URLs of the message's text body, in order."""
    return text_links(message.body_text)


def first_link(message: DevOutboxMessage, contains: str = "") -> str:
    """The first URL of the text body that contains `contains`; AssertionError if none does."""
    links = links_in(message)
    for link in links:
        if contains in link:
            return link
    raise AssertionError(f"No link containing {contains!r} in the email {message.subject!r}. Links: {links!r}")


def code_in(message: DevOutboxMessage) -> str:
    """The 6-digit code of a confirmation email."""
    match = re.search(r"\b(\d{6})\b", message.body_text)
    assert match, f"No 6-digit code in the email {message.subject!r}"
    return match.group(1)


def emails_to(address: str) -> list[DevOutboxMessage]:
    address = address.strip().lower()
    return [m for m in DevOutboxMessage.objects.filter(to__icontains=address) if address in _addresses(m)]
