import hashlib
from collections.abc import Sequence
from email.mime.base import MIMEBase

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

from parcours.notifications.models import DevOutboxMessage


def _attachment_summary(attachment) -> dict:
    """Name, type, size and hash of an attachment (a MIME part or Django's (filename, content, mimetype))."""
    if isinstance(attachment, MIMEBase):
        filename = attachment.get_filename() or ""
        content = attachment.get_payload(decode=True) or b""
        content_type = attachment.get("Content-Type", attachment.get_content_type())
    else:
        filename, content, content_type = attachment
        if isinstance(content, str):
            content = content.encode("utf-8")
    return {
        "filename": filename,
        "content_type": " ".join(str(content_type).split()),
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


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
                attachments=[_attachment_summary(attachment) for attachment in message.attachments],
            )
        return len(email_messages)
