from django.core.management.base import BaseCommand

from parcours.notifications.services import emails_requeue_due


class Command(BaseCommand):
    help = "Remet en file d'envoi les courriels dont l'essai est dû (à lancer chaque minute)."

    def handle(self, *args, **options) -> None:
        requeued = emails_requeue_due()
        self.stdout.write(f"requeued={requeued}")
