from datetime import UTC, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import DevOutboxMessage, OutgoingEmail
from parcours.notifications.services import (
    ABANDONED_CLAIM_ERROR,
    email_deliver,
    email_send,
    email_send_rendered,
    emails_requeue_due,
)
from tests.helpers.outbox import first_link, last_email_to, links_in
from tests.notifications.email_backends import HookBackend

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _queue(**overrides) -> OutgoingEmail:
    """A row as email_send_rendered leaves it, without delivering it (its on_commit never runs here)."""
    fields = {
        "to": "camille@example.org",
        "subject": "Votre demande",
        "body_text": "Bonjour,\nVoir http://testserver/demandes/1/\n",
        "body_html": "<p>Bonjour</p>",
        "category": "test",
    }
    return email_send_rendered(**{**fields, **overrides})


def _reload(email: OutgoingEmail) -> OutgoingEmail:
    return OutgoingEmail.objects.get(pk=email.pk)


@pytest.mark.django_db
def test_email_send_renders_the_three_templates_with_the_service_context(settings, django_capture_on_commit_callbacks):
    # Given a service name that needs escaping in HTML only
    settings.PARCOURS_SERVICE_NAME = "Parcours & Cie"

    # When the test message is sent
    with django_capture_on_commit_callbacks(execute=True):
        email = email_send(
            to="camille@example.org",
            template="notifications/test_message",
            context={"requested_at": datetime(2026, 3, 2, 8, 30, tzinfo=UTC)},
        )

    # Then subject and text are plain text, the HTML is escaped and uses the shared layout
    email = _reload(email)
    assert email.subject == "Courriel d'essai de Parcours & Cie"
    assert email.category == "test_message"
    assert "demandé le 2 mars 2026 à 09:30" in email.body_text
    assert "l'envoi des courriels de Parcours & Cie" in email.body_text
    assert "&amp;" not in email.body_text
    assert "&#x27;" not in email.body_text
    assert "Parcours &amp; Cie" in email.body_html
    assert "Ce message vous est envoyé automatiquement par Parcours &amp; Cie" in email.body_html
    assert '<html lang="fr">' in email.body_html
    # And links point to the configured base URL
    message = last_email_to("camille@example.org")
    assert links_in(message) == ["http://testserver/"]
    assert message.body_html == email.body_html


@pytest.mark.django_db
def test_email_send_rendered_delivers_to_the_outbox_once_after_commit(django_capture_on_commit_callbacks):
    # Given a caller's transaction that queues an email
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        email = _queue(subject="Votre  demande\n  est reçue")
        # Then nothing leaves before the commit
        assert not DevOutboxMessage.objects.exists()

    # When it commits, the email is delivered exactly once
    assert len(callbacks) == 1
    assert DevOutboxMessage.objects.count() == 1
    message = last_email_to("Camille@Example.org")
    assert message.subject == "Votre demande est reçue"
    assert message.from_email == "Parcours <ne-pas-repondre@parcours.example.org>"
    assert message.body_html == "<p>Bonjour</p>"
    assert first_link(message, contains="demandes") == "http://testserver/demandes/1/"
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.SENT
    assert email.attempts == 1
    assert email.sent_at is not None
    assert email.last_error == ""


@pytest.mark.django_db(transaction=True)
def test_rolled_back_caller_leaves_no_row_and_sends_nothing():
    # Given a caller whose change fails after queueing its email
    def failing_caller():
        with transaction.atomic():
            _queue()
            raise RuntimeError("the caller's change fails")

    # When it runs
    with pytest.raises(RuntimeError):
        failing_caller()

    # Then there is neither a row nor an email
    assert not OutgoingEmail.objects.exists()
    assert not DevOutboxMessage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_committed_caller_sends_its_email():
    # Given a caller's transaction that commits
    with transaction.atomic():
        email = _queue()

    # Then the email leaves once
    assert _reload(email).status == OutgoingEmailStatus.SENT
    assert DevOutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_failures_are_retried_with_a_capped_exponential_backoff(
    settings, time_machine, django_capture_on_commit_callbacks
):
    # Given a mail server that is down
    settings.EMAIL_BACKEND = "tests.notifications.email_backends.RefusingBackend"
    settings.PARCOURS_EMAIL_RETRY_BASE_SECONDS = 60
    settings.PARCOURS_EMAIL_RETRY_MAX_SECONDS = 300
    time_machine.move_to(T0, tick=False)

    # When an email is sent
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()

    # Then it waits for its next attempt with the reason
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.QUEUED
    assert email.attempts == 1
    assert email.next_attempt_at == T0 + timedelta(seconds=60)
    assert email.last_error == "ConnectionRefusedError: [Errno 111] Connexion refusée par le serveur de test"
    # And it is not tried again before it is due
    assert email_deliver(email_id=email.public_id) is None
    assert emails_requeue_due() == 0
    assert _reload(email).attempts == 1

    # When the sweeper runs at each due time, the delay doubles up to its cap
    delays = []
    for _ in range(3):
        time_machine.move_to(email.next_attempt_at, tick=False)
        assert emails_requeue_due() == 1
        retried = _reload(email)
        delays.append((retried.next_attempt_at - email.next_attempt_at).total_seconds())
        email = retried
    assert delays == [120, 240, 300]
    assert email.attempts == 4
    assert email.status == OutgoingEmailStatus.QUEUED
    assert not DevOutboxMessage.objects.exists()


@pytest.mark.django_db
def test_email_fails_for_good_after_the_last_attempt(settings, time_machine, django_capture_on_commit_callbacks):
    # Given a mail server that stays down and three attempts allowed
    settings.EMAIL_BACKEND = "tests.notifications.email_backends.RefusingBackend"
    settings.PARCOURS_EMAIL_MAX_ATTEMPTS = 3
    time_machine.move_to(T0, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()

    # When every attempt fails
    for _ in range(2):
        time_machine.move_to(_reload(email).next_attempt_at, tick=False)
        emails_requeue_due()

    # Then the email is failed with the reason, and nothing takes it again
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.FAILED
    assert email.attempts == 3
    assert email.last_error.startswith("ConnectionRefusedError: ")
    time_machine.move_to(T0 + timedelta(days=1), tick=False)
    assert emails_requeue_due() == 0
    assert email_deliver(email_id=email.public_id) is None


@pytest.mark.django_db
def test_a_backend_that_accepts_nothing_is_a_failure(settings, django_capture_on_commit_callbacks):
    # Given a backend that reports no message sent without raising
    settings.EMAIL_BACKEND = "tests.notifications.email_backends.AcceptsNothingBackend"

    # When an email is sent
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()

    # Then it is retried, not counted as sent
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.QUEUED
    assert email.last_error == "Le serveur de courriel n'a accepté aucun message."


@pytest.mark.django_db
def test_the_claim_is_exclusive(settings, monkeypatch):
    # Given a queued email and a second worker that tries it while the first one is sending
    settings.EMAIL_BACKEND = "tests.notifications.email_backends.HookBackend"
    email = _queue()
    second_worker = []
    monkeypatch.setattr(HookBackend, "sent", [])
    monkeypatch.setattr(
        HookBackend, "during_send", lambda: second_worker.append(email_deliver(email_id=email.public_id))
    )

    # When the first worker delivers it
    status = email_deliver(email_id=email.public_id)

    # Then the second worker did nothing and the email left once
    assert status == OutgoingEmailStatus.SENT
    assert second_worker == [None]
    assert len(HookBackend.sent) == 1
    # And a late duplicate task does nothing either
    assert email_deliver(email_id=str(email.public_id)) is None
    assert len(HookBackend.sent) == 1
    assert _reload(email).attempts == 1


@pytest.mark.django_db
def test_an_expired_claim_is_taken_again(settings, time_machine):
    # Given an email claimed by a worker that died
    settings.PARCOURS_EMAIL_CLAIM_TIMEOUT_SECONDS = 300
    time_machine.move_to(T0, tick=False)
    email = _queue()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmailStatus.SENDING, claimed_at=T0, attempts=1)

    # When the claim is still fresh, nobody takes it
    time_machine.move_to(T0 + timedelta(seconds=299), tick=False)
    assert emails_requeue_due() == 0
    assert email_deliver(email_id=email.public_id) is None

    # When it has expired, the sweeper hands it to a worker that delivers it
    time_machine.move_to(T0 + timedelta(seconds=301), tick=False)
    assert emails_requeue_due() == 1
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.SENT
    assert email.attempts == 2
    assert DevOutboxMessage.objects.count() == 1


@pytest.mark.django_db
def test_an_expired_claim_on_the_last_attempt_fails_without_sending(settings, time_machine):
    # Given an email whose last allowed attempt was claimed by a worker that died
    settings.PARCOURS_EMAIL_MAX_ATTEMPTS = 2
    time_machine.move_to(T0, tick=False)
    email = _queue()
    OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingEmailStatus.SENDING, claimed_at=T0, attempts=2)

    # When its claim expires and the sweeper runs
    time_machine.move_to(T0 + timedelta(hours=1), tick=False)
    emails_requeue_due()

    # Then it is failed with the reason, rather than sent beyond the limit or dropped
    email = _reload(email)
    assert email.status == OutgoingEmailStatus.FAILED
    assert email.last_error == ABANDONED_CLAIM_ERROR
    assert not DevOutboxMessage.objects.exists()


@pytest.mark.django_db
def test_the_sweeper_command_requeues_only_what_is_due(time_machine, capsys):
    # Given emails in every state
    time_machine.move_to(T0, tick=False)
    due = _queue(to="due@example.org")
    later = _queue(to="later@example.org")
    OutgoingEmail.objects.filter(pk=later.pk).update(next_attempt_at=T0 + timedelta(minutes=5))
    for status in (OutgoingEmailStatus.SENT, OutgoingEmailStatus.FAILED):
        OutgoingEmail.objects.filter(pk=_queue(to=f"{status}@example.org").pk).update(status=status)
    fresh_claim = _queue(to="fresh@example.org")
    OutgoingEmail.objects.filter(pk=fresh_claim.pk).update(status=OutgoingEmailStatus.SENDING, claimed_at=T0)
    dead_claim = _queue(to="dead@example.org")
    OutgoingEmail.objects.filter(pk=dead_claim.pk).update(
        status=OutgoingEmailStatus.SENDING, claimed_at=T0 - timedelta(hours=1), attempts=1
    )

    # When the sweeper runs twice
    call_command("deliver_due_emails")
    call_command("deliver_due_emails")

    # Then the due emails were delivered once and the second run found nothing
    assert capsys.readouterr().out.splitlines() == ["requeued=2", "requeued=0"]
    assert sorted(message.recipients[0] for message in DevOutboxMessage.objects.all()) == [
        "dead@example.org",
        "due@example.org",
    ]
    assert _reload(due).status == OutgoingEmailStatus.SENT
    assert _reload(later).status == OutgoingEmailStatus.QUEUED
    assert _reload(fresh_claim).status == OutgoingEmailStatus.SENDING


@pytest.mark.django_db
def test_a_failed_enqueue_is_left_to_the_sweeper(monkeypatch, django_capture_on_commit_callbacks, caplog):
    # Given a task queue that cannot be reached when the caller commits
    from parcours.notifications import tasks

    def broken_enqueue(*args, **kwargs):
        raise ConnectionError("queue down")

    monkeypatch.setattr(type(tasks.deliver_email), "enqueue", broken_enqueue)
    with django_capture_on_commit_callbacks(execute=True):
        email = _queue()

    # Then the caller is not disturbed, the failure is logged and the row waits for the sweeper
    assert "event=email_enqueue_failed" in caplog.text
    assert _reload(email).status == OutgoingEmailStatus.QUEUED
    monkeypatch.undo()
    assert emails_requeue_due() == 1
    assert _reload(email).status == OutgoingEmailStatus.SENT


@pytest.mark.django_db
def test_the_queue_keeps_the_user_and_forgets_them_when_deleted(django_user_model):
    # Given an email about an account
    user = django_user_model.objects.create_user(email="dominique@example.org")
    email = _queue(to=user.email, user=user)

    # When the account is deleted
    user.delete()

    # Then the delivery history stays
    assert _reload(email).user is None
