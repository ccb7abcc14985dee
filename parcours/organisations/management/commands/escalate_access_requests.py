from django.core.management.base import BaseCommand

from parcours.organisations.services.access import access_requests_escalate


class Command(BaseCommand):
    help = (
        "Transmet aux opérateurs les demandes d'accès aux comptes des établissements scolaires restées sans "
        "réponse des gestionnaires depuis PARCOURS_ACCESS_REQUEST_ESCALATION_HOURS heures."
    )

    def handle(self, *args, **options) -> None:
        self.stdout.write(f"access requests escalated={access_requests_escalate()}")
