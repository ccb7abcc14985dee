from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from parcours.notifications.enums import OutgoingEmailStatus
from parcours.notifications.models import OutgoingEmail
from parcours.notifications.services import email_deliver, email_send


class Command(BaseCommand):
    help = "Envoie un courriel d'essai, pour vérifier la configuration du serveur de courriel (SMTP)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("address", help="Adresse du destinataire.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Tente l'envoi tout de suite dans cette commande, sans attendre un worker.",
        )

    def handle(self, *args, address: str, now: bool, **options) -> None:
        try:
            validate_email(address)
        except ValidationError as exc:
            raise CommandError(f"Adresse invalide : {address}") from exc

        with transaction.atomic():
            email = email_send(
                to=address,
                template="notifications/test_message",
                context={"requested_at": timezone.now()},
                category="test_message",
            )
        if now:
            # With a database task backend the worker finds the row already sent and does nothing.
            email_deliver(email_id=email.public_id)

        email = OutgoingEmail.objects.get(pk=email.pk)
        self.stdout.write(
            f"queued=1 email_id={email.public_id} status={email.status} attempts={email.attempts}"
            + (f" last_error={email.last_error!r}" if email.last_error else "")
        )
        if email.status == OutgoingEmailStatus.FAILED:
            raise CommandError("L'envoi a échoué définitivement.")
