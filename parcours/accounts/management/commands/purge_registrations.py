from django.core.management.base import BaseCommand

from parcours.accounts.services.registration import registrations_purge


class Command(BaseCommand):
    help = "Supprime les inscriptions expirées depuis plus de PARCOURS_REGISTRATION_KEEP_EXPIRED_DAYS jours."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"registrations purged={registrations_purge()}")
