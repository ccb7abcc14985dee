"""Load the Annuaire de l'éducation CSV (schools by UAI). Idempotent: a reference load, it just runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.organisations.directory.csvfiles import DirectoryFileError
from parcours.organisations.directory.reporting import report_write
from parcours.organisations.directory.schools import schools_import


class Command(BaseCommand):
    help = (
        "Charge l'annuaire de l'éducation (fichier CSV fr-en-annuaire-education de data.education.gouv.fr) : "
        "crée ou met à jour un établissement par UAI."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="le fichier CSV de l'annuaire (séparateur ; ou ,)")

    def handle(self, *args, file: Path, **options) -> None:
        try:
            report = schools_import(path=file)
        except DirectoryFileError as error:
            raise CommandError(str(error)) from None
        report_write(report, self.stdout)
