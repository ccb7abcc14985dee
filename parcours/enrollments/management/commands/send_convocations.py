from django.core.management.base import BaseCommand

from parcours.enrollments.convocations import convocations_send_due


class Command(BaseCommand):
    help = (
        "Envoie les convocations des sessions qui commencent dans PARCOURS_CONVOCATION_DAYS_BEFORE jours, "
        "et les renvoie quand la session a changé (à lancer chaque heure ; sans effet si rien n'a changé)."
    )

    def handle(self, *args, **options) -> None:
        run = convocations_send_due()
        for label, convocations in (("sent", run.sent), ("resent", run.resent)):
            for convocation in convocations:
                self.stdout.write(f"{label} enrollment={convocation.enrollment.public_id}")
        self.stdout.write(f"sent={len(run.sent)} resent={len(run.resent)} unchanged={run.unchanged}")
