"""Take over the accounts of an older tool from a CSV file (seed 001). A dry run unless --wet-run."""

import csv
import io
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from parcours.accounts.services.legacy import LegacyImportReport, LegacyRow, legacy_accounts_import

DELIMITER = ";"
REQUIRED_COLUMNS = ("email", "nom", "prenom")
OPTIONAL_COLUMNS = ("telephone", "siret", "uai")
EXPECTED_HEADER = DELIMITER.join(REQUIRED_COLUMNS + OPTIONAL_COLUMNS)
# Column of the file → field of LegacyRow.
FIELDS = {
    "email": "email",
    "nom": "last_name",
    "prenom": "first_name",
    "telephone": "phone",
    "siret": "siret",
    "uai": "uai",
}


def legacy_rows_read(path: Path) -> tuple[list[LegacyRow], list[str]]:
    """The rows of the file and the columns it has that nobody reads; CommandError for an unreadable file.

    The whole file is read before anything is imported, so that a broken file imports nothing.
    """
    try:
        # utf-8-sig: spreadsheets save "CSV UTF-8" with a byte order mark.
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise CommandError(f"Fichier introuvable : {path}") from None
    except UnicodeDecodeError as error:
        raise CommandError(
            f"Le fichier n'est pas en UTF-8 (octet {error.start}) : enregistrez-le au format « CSV UTF-8 »."
        ) from None
    except OSError as error:
        raise CommandError(f"Lecture impossible de {path} : {error.strerror}") from None

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=DELIMITER)
    header: list[str] | None = None
    rows: list[LegacyRow] = []
    last_line = 0
    try:
        for cells in reader:
            # A quoted cell may hold line breaks: a row starts on the line after the previous one ended.
            line, last_line = last_line + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in cells]
                _header_check(header)
                continue
            if len(cells) > len(header):
                rows.append(LegacyRow(line=line, error="la ligne a plus de cellules que l'en-tête."))
                continue
            values = dict(zip(header, cells, strict=False))
            rows.append(LegacyRow(line=line, **{FIELDS[name]: values.get(name, "") for name in FIELDS}))
    except csv.Error as error:
        raise CommandError(f"Ligne {reader.line_num} illisible : {error}") from None
    if header is None:
        raise CommandError(f"Le fichier est vide. En-tête attendu : {EXPECTED_HEADER}")
    ignored = [name for name in header if name not in FIELDS]
    return rows, ignored


def _header_check(header: list[str]) -> None:
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CommandError(
            f"Colonne{'s' if len(missing) > 1 else ''} obligatoire{'s' if len(missing) > 1 else ''} "
            f"absente{'s' if len(missing) > 1 else ''} : {', '.join(missing)}. "
            f"En-tête attendu (séparateur « {DELIMITER} ») : {EXPECTED_HEADER}"
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CommandError(f"Colonne présente plusieurs fois dans l'en-tête : {', '.join(repeated)}.")


class Command(BaseCommand):
    help = (
        "Reprend les comptes d'un ancien outil depuis un fichier CSV UTF-8 (en-tête "
        f"{EXPECTED_HEADER}). Essai à blanc sauf avec --wet-run."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("file", type=Path, help="Le fichier CSV, séparé par des points-virgules.")
        parser.add_argument(
            "--wet-run", action="store_true", help="Crée les comptes ; sans cette option, rien n'est enregistré."
        )

    def handle(self, *args, file: Path, wet_run: bool, **options) -> None:
        rows, ignored = legacy_rows_read(file)
        if ignored:
            self.stdout.write(f"Colonnes ignorées : {', '.join(ignored)}")
        report = legacy_accounts_import(rows=rows, wet_run=wet_run)
        self._print(report)

    def _print(self, report: LegacyImportReport) -> None:
        if not report.wet_run:
            self.stdout.write(
                "Essai à blanc : rien n'a été enregistré. Relancez avec --wet-run pour créer les comptes."
            )
        self.stdout.write(
            f"legacy accounts created={report.created} skipped={len(report.skipped)} "
            f"invalid={len(report.invalid)} wet_run={str(report.wet_run).lower()}"
        )
        lines = [(line, "ignorée", reason) for line, reason in report.skipped]
        lines += [(line, "invalide", reason) for line, reason in report.invalid]
        for line, outcome, reason in sorted(lines):
            self.stdout.write(f"ligne {line} : {outcome} — {reason}")
