import pytest
from django.core.management import CommandError, call_command

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import OutgoingEmail
from tests.helpers.outbox import last_email_to


@pytest.mark.django_db(transaction=True)
def test_send_test_email_delivers_the_test_message(capsys):
    # When an operator sends a test email
    call_command("send_test_email", "exploitation@example.org")

    # Then it is delivered and the command says so
    row = OutgoingEmail.objects.get()
    assert capsys.readouterr().out.strip() == f"queued=1 email_id={row.public_id} status=sent attempts=1"
    message = last_email_to("exploitation@example.org")
    assert message.subject == "Courriel d'essai de Parcours"
    assert "la configuration du serveur de courriel fonctionne" in message.body_text
    assert "la configuration du serveur de courriel fonctionne" in message.body_html


@pytest.mark.django_db(transaction=True)
def test_send_test_email_now_reports_the_error(settings, capsys):
    # Given a mail server that is down and a queue that waits for a worker
    settings.EMAIL_BACKEND = "tests.notifications.email_backends.RefusingBackend"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # When an operator sends a test email right now
    call_command("send_test_email", "exploitation@example.org", "--now")

    # Then the command shows the server's error and the email stays queued for a retry
    output = capsys.readouterr().out
    assert "status=queued attempts=1" in output
    assert "ConnectionRefusedError" in output
    assert OutgoingEmail.objects.get().status == OutgoingEmailStatus.QUEUED


@pytest.mark.django_db
def test_send_test_email_refuses_an_invalid_address():
    with pytest.raises(CommandError, match="Adresse invalide"):
        call_command("send_test_email", "pas-une-adresse")
    assert not OutgoingEmail.objects.exists()
