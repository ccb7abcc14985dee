"""Delivery through a real SMTP server (aiosmtpd on 127.0.0.1) that goes down and comes back."""

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from django.core.management import call_command
from django.utils import timezone

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import OutgoingEmail
from parcours.notifications.services import email_send_rendered


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
    port = _free_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
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


@pytest.mark.django_db
def test_an_email_survives_a_mail_server_outage(smtp_settings, time_machine, django_capture_on_commit_callbacks):
    # Given a mail server that was up and is now stopped
    controller, handler = _start_server(smtp_settings.EMAIL_PORT)
    controller.stop()

    # When an email is sent
    with django_capture_on_commit_callbacks(execute=True):
        row = email_send_rendered(
            to="camille@example.org",
            subject="Votre attestation est prête",
            body_text="Bonjour,\nVotre attestation : http://testserver/attestations/1/\n",
            body_html="<p>Bonjour, votre attestation est prête.</p>",
            category="attestation_ready",
        )

    # Then it waits in the queue with the reason
    row = OutgoingEmail.objects.get(pk=row.pk)
    assert row.status == OutgoingEmailStatus.QUEUED
    assert row.attempts == 1
    assert row.last_error.startswith("ConnectionRefusedError")
    assert handler.envelopes == []

    # When the server is back and the sweeper runs once the retry is due
    controller, handler = _start_server(smtp_settings.EMAIL_PORT)
    try:
        time_machine.move_to(row.next_attempt_at + timedelta(seconds=1))
        call_command("deliver_due_emails")
        # And again later
        time_machine.move_to(timezone.now() + timedelta(hours=1))
        call_command("deliver_due_emails")
    finally:
        controller.stop()

    # Then the email was delivered exactly once, with both bodies
    assert len(handler.envelopes) == 1
    envelope = handler.envelopes[0]
    assert envelope.rcpt_tos == ["camille@example.org"]
    assert envelope.mail_from == "ne-pas-repondre@parcours.example.org"
    message = message_from_bytes(envelope.original_content, policy=policy.default)
    assert message["Subject"] == "Votre attestation est prête"
    assert message["To"] == "camille@example.org"
    assert [part.get_content_type() for part in message.walk()] == ["multipart/alternative", "text/plain", "text/html"]
    row = OutgoingEmail.objects.get(pk=row.pk)
    assert row.status == OutgoingEmailStatus.SENT
    assert row.attempts == 2
    assert row.last_error == ""
