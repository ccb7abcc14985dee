from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from parcours.notifications.models import DevOutboxMessage


class DevOutboxBackend(BaseEmailBackend):
    """Development and test backend: each message becomes a DevOutboxMessage, read at /dev/outbox/."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        for message in email_messages:
            body_text, body_html = message.body, ""
            if message.content_subtype == "html":
                body_text, body_html = "", message.body
            for content, mimetype in getattr(message, "alternatives", []):
                if mimetype == "text/html":
                    body_html = content
            DevOutboxMessage.objects.create(
                from_email=message.from_email,
                to="\n".join(message.recipients()),
                subject=message.subject,
                body_text=body_text,
                body_html=body_html,
            )
        return len(email_messages)
