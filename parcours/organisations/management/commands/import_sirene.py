"""Load the SIRENE stock (establishments named after their legal units). Idempotent; a reference load: it just runs."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.organisations.directory.csvfiles import DirectoryFileError
from parcours.organisations.directory.establishments import establishments_import
from parcours.organisations.directory.reporting import report_write


class Command(BaseCommand):
    help = (
        "Charge la base SIRENE de l'INSEE : les établissements (StockEtablissement), nommés d'après leur unité "
        "légale (StockUniteLegale). Crée ou met à jour un établissement par SIRET."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--establishments", type=Path, required=True, help="le fichier StockEtablissement (CSV, séparateur ,)"
        )
        parser.add_argument(
            "--legal-units", type=Path, required=True, help="le fichier StockUniteLegale (CSV, séparateur ,)"
        )

    def handle(self, *args, establishments: Path, legal_units: Path, **options) -> None:
        try:
            report = establishments_import(establishments_path=establishments, legal_units_path=legal_units)
        except DirectoryFileError as error:
            raise CommandError(str(error)) from None
        report_write(report, self.stdout)
