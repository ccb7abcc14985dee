from django.core.management.base import BaseCommand

from parcours.accounts.services.account import deletions_run_due


class Command(BaseCommand):
    help = "Anonymise les comptes dont la suppression demandée arrive à échéance."

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"accounts anonymised={deletions_run_due()}")
