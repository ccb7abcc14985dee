"""One delivery through the production task backend: a database queue drained by db_worker --batch."""

import logging
import signal

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import DevOutboxMessage, OutgoingEmail
from parcours.notifications.services import email_send_rendered
from tests.helpers.outbox import last_email_to


@pytest.fixture
def restore_worker_side_effects():
    """db_worker installs signal handlers and sets its loggers' levels: give the test process its own back."""
    signals = {signum: signal.getsignal(signum) for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    loggers = {name: logging.getLogger(name).level for name in ("django_tasks", "django_tasks_db")}
    yield
    for signum, handler in signals.items():
        signal.signal(signum, handler)
    for name, level in loggers.items():
        logging.getLogger(name).setLevel(level)


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_delivers_a_queued_email(settings, restore_worker_side_effects):
    # Given the database task backend
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

    # When a caller's transaction queues an email and commits
    with transaction.atomic():
        row = email_send_rendered(
            to="sacha@example.org",
            subject="Votre session commence lundi",
            body_text="Bonjour,\nVotre session commence lundi.\n",
        )

    # Then the email waits for a worker
    assert DBTaskResult.objects.count() == 1
    assert not DevOutboxMessage.objects.exists()

    # When a worker drains the queue
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)

    # Then the email is delivered
    assert last_email_to("sacha@example.org").subject == "Votre session commence lundi"
    assert OutgoingEmail.objects.get(pk=row.pk).status == OutgoingEmailStatus.SENT
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
