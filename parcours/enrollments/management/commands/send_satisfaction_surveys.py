from django.core.management.base import BaseCommand

from parcours.enrollments.satisfaction import surveys_open_due, surveys_remind_due


class Command(BaseCommand):
    help = (
        "Ouvre les questionnaires de satisfaction des sessions terminées et invite leurs stagiaires, puis relance "
        "ceux qui n'ont pas répondu aux jours de PARCOURS_SURVEY_REMINDER_DAYS (à lancer chaque heure ; sans effet "
        "si rien n'est dû)."
    )

    def handle(self, *args, **options) -> None:
        opened = surveys_open_due()
        for survey in opened.opened:
            self.stdout.write(
                f"opened survey={survey.public_id} session={survey.session.public_id} invited={survey.invited_count}"
            )
        reminded = surveys_remind_due().reminded
        self.stdout.write(
            f"opened={len(opened.opened)} invited={opened.invited} skipped={opened.skipped} reminded={reminded}"
        )
