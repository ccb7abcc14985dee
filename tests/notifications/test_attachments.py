"""Emails with attachments: stored with the message, attached at each delivery attempt, redacted with it."""

import hashlib
import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import DevOutboxMessage, OutgoingEmail, OutgoingEmailAttachment
from parcours.notifications.services import REDACTED, email_send_rendered, emails_redact_for
from tests.accounts.factories import UserFactory
from tests.helpers.outbox import last_email_to

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n" + bytes(range(256)) * 4 + b"\n%%EOF\n"
ICS = "BEGIN:VCALENDAR\r\nSUMMARY:Réunion\\, salle 3\r\nEND:VCALENDAR\r\n".encode()
ICS_TYPE = "text/calendar; method=PUBLISH; charset=utf-8"


def send(to="camille@example.org", user=None):
    return email_send_rendered(
        to=to,
        subject="Votre convocation",
        body_text="Bonjour,\nVotre convocation est jointe.\n",
        body_html="<p>Bonjour, votre convocation est jointe.</p>",
        category="convocation",
        user=user,
        attachments=[("convocation-léa.pdf", PDF, "application/pdf"), ("convocation.ics", ICS, ICS_TYPE)],
    )


def test_attachments_are_stored_with_the_message_and_reach_the_outbox(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email = send()

    rows = list(email.attachments.order_by("position"))
    assert [(row.filename, row.content_type, row.size) for row in rows] == [
        ("convocation-léa.pdf", "application/pdf", len(PDF)),
        ("convocation.ics", ICS_TYPE, len(ICS)),
    ]
    assert bytes(rows[0].content) == PDF
    assert OutgoingEmail.objects.get(pk=email.pk).status == OutgoingEmailStatus.SENT
    message = last_email_to("camille@example.org")
    assert [(a["filename"], a["content_type"], a["size"], a["sha256"]) for a in message.attachments] == [
        ("convocation-léa.pdf", "application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        # The header as it left: parameters quoted.
        (
            "convocation.ics",
            'text/calendar; method="PUBLISH"; charset="utf-8"',
            len(ICS),
            hashlib.sha256(ICS).hexdigest(),
        ),
    ]


def test_a_rolled_back_transaction_leaves_no_attachment():
    def send_then_fail():
        with transaction.atomic():
            send()
            raise RuntimeError("rollback")

    with pytest.raises(RuntimeError):
        send_then_fail()

    assert not OutgoingEmail.objects.exists()
    assert not OutgoingEmailAttachment.objects.exists()


def test_an_email_without_attachments_has_none(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        email_send_rendered(to="camille@example.org", subject="Bonjour", body_text="Bonjour.\n")

    assert last_email_to("camille@example.org").attachments == []
    assert not OutgoingEmailAttachment.objects.exists()


def test_redaction_deletes_the_attachments(django_capture_on_commit_callbacks):
    person = UserFactory(email="lea@example.org")
    other = UserFactory(email="paul@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        mine = send(to=person.email, user=person)
        theirs = send(to=other.email, user=other)

    assert emails_redact_for(user=person, addresses=[person.email]) == 1

    assert not OutgoingEmailAttachment.objects.filter(email=mine).exists()
    assert OutgoingEmailAttachment.objects.filter(email=theirs).count() == 2
    redacted = OutgoingEmail.objects.get(pk=mine.pk)
    assert redacted.subject == REDACTED
    outbox = DevOutboxMessage.objects.get(subject=REDACTED)
    assert outbox.attachments == []
    assert last_email_to(other.email).attachments != []


# Through a real SMTP server (as tests/notifications/test_smtp_delivery.py) ----------------------------------------


class CollectingHandler:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_settings(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = _free_port()
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    return settings


def _start_server(port: int) -> tuple[Controller, CollectingHandler]:
    handler = CollectingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, handler


def test_attachments_leave_through_smtp_unchanged_after_a_retry(
    smtp_settings, time_machine, django_capture_on_commit_callbacks
):
    # Given a mail server that is down when the email is queued
    controller, handler = _start_server(smtp_settings.EMAIL_PORT)
    controller.stop()
    with django_capture_on_commit_callbacks(execute=True):
        email = send()
    email.refresh_from_db()
    assert email.status == OutgoingEmailStatus.QUEUED

    # When it is back and the retry is due
    controller, handler = _start_server(smtp_settings.EMAIL_PORT)
    try:
        time_machine.move_to(email.next_attempt_at + timedelta(seconds=1))
        call_command("deliver_due_emails")
    finally:
        controller.stop()

    # Then the one message carries both bodies and both files, byte for byte
    [envelope] = handler.envelopes
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert [part.get_content_type() for part in message.walk()] == [
        "multipart/mixed",
        "multipart/alternative",
        "text/plain",
        "text/html",
        "application/pdf",
        "text/calendar",
    ]
    attachments = list(message.iter_attachments())
    assert [part.get_filename() for part in attachments] == ["convocation-léa.pdf", "convocation.ics"]
    assert attachments[0].get_content() == PDF
    calendar = attachments[1]
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_content_charset() == "utf-8"
    assert calendar.get_payload(decode=True) == ICS  # CRLF lines kept: the part is base64
    assert message.get_body(preferencelist=("plain",)).get_content().startswith("Bonjour,")
    email.refresh_from_db()
    assert email.status == OutgoingEmailStatus.SENT
    assert email.attempts == 2


def test_the_dev_outbox_page_lists_the_attachments(client, settings, django_capture_on_commit_callbacks):
    settings.PARCOURS_DEV_OUTBOX = True
    with django_capture_on_commit_callbacks(execute=True):
        send()
    message = last_email_to("camille@example.org")

    response = client.get(reverse("notifications:outbox_detail", args=[message.public_id]))

    assert response.status_code == 200
    page = response.content.decode()
    assert "Pièces jointes" in page
    assert "convocation-léa.pdf (application/pdf" in page
    assert "convocation.ics (text/calendar" in page
