"""Email delivery: every message is a row written in the caller's transaction, then delivered by a worker.

The row is the source of truth (DECISIONS.md, "Email delivery"): a task only carries its id, claims it
with one conditional UPDATE and records the outcome; a periodic sweeper re-enqueues what is due, since
django-tasks' immediate backend cannot defer a retry.
"""

import json
import logging
from collections.abc import Sequence
from contextlib import nullcontext
from datetime import datetime, timedelta
from email import encoders
from email.mime.base import MIMEBase
from typing import Any
from uuid import UUID

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import transaction
from django.db.models import F, Q
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.utils import timezone

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import DevOutboxMessage, OutgoingEmail, OutgoingEmailAttachment

logger = logging.getLogger(__name__)

ERROR_MAX_LENGTH = 2000
# What a claim that outlived its worker's last attempt records: whether it left is unknown.
ABANDONED_CLAIM_ERROR = "Le dernier essai a été interrompu avant d'enregistrer son résultat."

# (filename, content, content type): "text/calendar; method=PUBLISH; charset=utf-8" keeps its parameters.
Attachment = tuple[str, bytes, str]


def _quote(value: Any) -> str:
    # key=value log lines stay parseable when a value holds spaces or quotes.
    return json.dumps(str(value), ensure_ascii=False)


def _domain(address: str) -> str:
    return address.rpartition("@")[2].rstrip(">").lower()


def _render_plain(template_name: str, context: dict) -> str:
    # Subjects and text bodies are not HTML: autoescaping would turn "l'attestation" into "l&#x27;attestation".
    template = get_template(template_name)
    return template.template.render(Context(context, autoescape=False))


def email_send(
    *,
    to: str,
    template: str,
    context: dict[str, Any],
    user: Any = None,
    category: str = "",
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail:
    """Render emails/<template>/{subject.txt,body.txt,body.html} and queue the message.

    Call it inside the transaction of the change that causes the email.
    """
    full_context = {
        "service_name": settings.PARCOURS_SERVICE_NAME,
        "base_url": settings.PARCOURS_BASE_URL.rstrip("/"),
        **context,
    }
    subject = _render_plain(f"emails/{template}/subject.txt", full_context)
    body_text = _render_plain(f"emails/{template}/body.txt", full_context).strip() + "\n"
    body_html = render_to_string(f"emails/{template}/body.html", full_context)
    return email_send_rendered(
        to=to,
        subject=subject,
        body_text=body_text,
        body_html=body_html,
        category=category or template.rsplit("/", 1)[-1],
        user=user,
        attachments=attachments,
    )


def email_send_rendered(
    *,
    to: str,
    subject: str,
    body_text: str,
    body_html: str = "",
    category: str = "",
    user: Any = None,
    attachments: Sequence[Attachment] = (),
) -> OutgoingEmail:
    """Write the message (and its attachments) to the queue and deliver it once the caller's transaction commits.

    A rolled-back transaction leaves neither a row nor an email behind.
    """
    # Atomic with its attachments: the sweeper must never find the message without them.
    with transaction.atomic() if attachments else nullcontext():
        email = _email_create(
            to=to,
            subject=subject,
            body_text=body_text,
            body_html=body_html,
            category=category,
            user=user,
            attachments=attachments,
        )
    email_id = str(email.public_id)
    transaction.on_commit(lambda: _enqueue_delivery(email_id))
    logger.info(
        "event=email_queued email_id=%s category=%s to_domain=%s attachments=%s",
        email_id,
        email.category,
        _domain(email.recipient),
        len(attachments),
    )
    return email


def _email_create(
    *, to: str, subject: str, body_text: str, body_html: str, category: str, user: Any, attachments
) -> OutgoingEmail:
    email = OutgoingEmail.objects.create(
        recipient=to.strip(),
        # A header holds one line: a stray newline would make every delivery attempt fail.
        subject=" ".join(subject.split()),
        body_text=body_text,
        body_html=body_html,
        category=category[:100],
        user=user,
        status=OutgoingEmailStatus.QUEUED,
        next_attempt_at=timezone.now(),
    )
    OutgoingEmailAttachment.objects.bulk_create(
        OutgoingEmailAttachment(
            email=email,
            position=position,
            # A header value: no line break may reach it.
            filename=" ".join(filename.split())[:200],
            content_type=content_type[:150],
            content=bytes(content),
            size=len(content),
        )
        for position, (filename, content, content_type) in enumerate(attachments)
    )
    return email


def _mime_attachment(attachment: OutgoingEmailAttachment) -> MIMEBase:
    """The attachment as a base64 MIME part: its bytes (a calendar's CRLF lines too) arrive unchanged."""
    main_type, _, rest = attachment.content_type.partition("/")
    sub_type, *parameters = [part.strip() for part in rest.split(";")]
    part = MIMEBase(main_type.strip() or "application", sub_type or "octet-stream")
    for parameter in parameters:
        key, _, value = parameter.partition("=")
        if key.strip():
            part.set_param(key.strip(), value.strip().strip('"'))
    part.set_payload(bytes(attachment.content))
    encoders.encode_base64(part)
    filename = attachment.filename
    # A non-ASCII name is encoded as RFC 2231 asks ("convocation-léa.pdf").
    part.add_header(
        "Content-Disposition", "attachment", filename=filename if filename.isascii() else ("utf-8", "", filename)
    )
    return part


def _enqueue_delivery(email_id: str) -> bool:
    # Imported here: the task module imports this one.
    from parcours.notifications.tasks import deliver_email

    try:
        deliver_email.enqueue(email_id)
    except Exception:
        # The row is committed: the sweeper (deliver_due_emails) enqueues it again on its next run.
        logger.exception("event=email_enqueue_failed email_id=%s", email_id)
        return False
    return True


def _due(now: datetime) -> Q:
    claim_expired_before = now - timedelta(seconds=settings.PARCOURS_EMAIL_CLAIM_TIMEOUT_SECONDS)
    return Q(status=OutgoingEmailStatus.QUEUED, next_attempt_at__lte=now) | Q(
        status=OutgoingEmailStatus.SENDING, claimed_at__lt=claim_expired_before
    )


def _retry_delay(attempts: int) -> timedelta:
    seconds = settings.PARCOURS_EMAIL_RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.PARCOURS_EMAIL_RETRY_MAX_SECONDS))


def email_deliver(*, email_id: str | UUID) -> OutgoingEmailStatus | None:
    """Claim the message, send it and record the outcome; None when it is not due or another worker has it.

    Safe to call any number of times: only the worker whose conditional UPDATE matched sends.
    """
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(_due(now), public_id=email_id).update(
        status=OutgoingEmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1
    )
    if not claimed:
        logger.info("event=email_not_claimed email_id=%s", email_id)
        return None

    email = OutgoingEmail.objects.get(public_id=email_id)
    if email.attempts > settings.PARCOURS_EMAIL_MAX_ATTEMPTS:
        # A worker died during the last attempt: sending again would go beyond the limit.
        return _record_failure(email, claimed_at=now, error=ABANDONED_CLAIM_ERROR)

    try:
        message = EmailMultiAlternatives(
            subject=email.subject,
            body=email.body_text,
            from_email=settings.DEFAULT_FROM_EMAIL,
            to=[email.recipient],
            connection=get_connection(),
        )
        if email.body_html:
            message.attach_alternative(email.body_html, "text/html")
        for attachment in email.attachments.order_by("position", "id"):
            message.attach(_mime_attachment(attachment))
        sent = message.send()
    except Exception as exc:
        return _record_failure(email, claimed_at=now, error=f"{type(exc).__name__}: {exc}")
    if not sent:
        return _record_failure(email, claimed_at=now, error="Le serveur de courriel n'a accepté aucun message.")

    _record_outcome(
        email,
        claimed_at=now,
        status=OutgoingEmailStatus.SENT,
        sent_at=timezone.now(),
        last_error="",
    )
    logger.info(
        "event=email_sent email_id=%s category=%s attempts=%s to_domain=%s",
        email.public_id,
        email.category,
        email.attempts,
        _domain(email.recipient),
    )
    return OutgoingEmailStatus.SENT


def _record_failure(email: OutgoingEmail, *, claimed_at: datetime, error: str) -> OutgoingEmailStatus:
    error = error[:ERROR_MAX_LENGTH]
    if email.attempts < settings.PARCOURS_EMAIL_MAX_ATTEMPTS:
        next_attempt_at = timezone.now() + _retry_delay(email.attempts)
        _record_outcome(
            email,
            claimed_at=claimed_at,
            status=OutgoingEmailStatus.QUEUED,
            next_attempt_at=next_attempt_at,
            last_error=error,
        )
        logger.warning(
            "event=email_retry email_id=%s category=%s attempts=%s next_attempt_at=%s error=%s",
            email.public_id,
            email.category,
            email.attempts,
            next_attempt_at.isoformat(),
            _quote(error),
        )
        return OutgoingEmailStatus.QUEUED

    _record_outcome(email, claimed_at=claimed_at, status=OutgoingEmailStatus.FAILED, last_error=error)
    logger.error(
        "event=email_failed email_id=%s category=%s attempts=%s error=%s",
        email.public_id,
        email.category,
        email.attempts,
        _quote(error),
    )
    return OutgoingEmailStatus.FAILED


def _record_outcome(email: OutgoingEmail, *, claimed_at: datetime, **fields: Any) -> None:
    # Conditional on our own claim: if it expired and another worker took the row, its outcome wins.
    updated = OutgoingEmail.objects.filter(
        pk=email.pk, status=OutgoingEmailStatus.SENDING, claimed_at=claimed_at
    ).update(**fields)
    if not updated:
        logger.warning("event=email_claim_lost email_id=%s status=%s", email.public_id, fields.get("status"))


def emails_requeue_due() -> int:
    """Enqueue a delivery for every message that is due (a retry, or a claim whose worker died)."""
    email_ids = list(
        OutgoingEmail.objects.filter(_due(timezone.now()))
        .order_by("next_attempt_at")
        .values_list("public_id", flat=True)
    )
    requeued = sum(_enqueue_delivery(str(email_id)) for email_id in email_ids)
    logger.info("event=emails_requeued due=%s requeued=%s", len(email_ids), requeued)
    return requeued


REDACTED = "[supprimé à la demande de la personne]"


@transaction.atomic
def emails_redact_for(*, user, addresses: list[str]) -> int:
    """RGPD deletion: the person's emails keep their date and status, lose recipient, subject and body.

    An address matches only rows sent to nobody's account or to this one: an address the person once
    typed may belong to someone else. What was still waiting is not sent any more.
    """
    addresses = [address.lower() for address in addresses if address]
    emails = OutgoingEmail.objects.filter(Q(user=user) | (Q(recipient__in=addresses) & Q(user__isnull=True)))
    emails.filter(status__in=[OutgoingEmailStatus.QUEUED, OutgoingEmailStatus.SENDING]).update(
        status=OutgoingEmailStatus.FAILED
    )
    # Attachments (a convocation's PDF and calendar) hold the person's name and whereabouts: they go.
    OutgoingEmailAttachment.objects.filter(email__in=emails).delete()
    count = emails.update(
        recipient="supprime@anonyme.invalid", subject=REDACTED, body_text=REDACTED, body_html="", last_error=""
    )
    for address in addresses:
        candidates = DevOutboxMessage.objects.filter(to__icontains=address).only("id", "to")
        ids = [message.id for message in candidates if address in (r.lower() for r in message.recipients)]
        DevOutboxMessage.objects.filter(id__in=ids).update(
            to="supprime@anonyme.invalid", subject=REDACTED, body_text=REDACTED, body_html="", attachments=[]
        )
    return count
