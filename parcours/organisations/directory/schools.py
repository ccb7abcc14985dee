"""The Annuaire de l'éducation (data.education.gouv.fr, "fr-en-annuaire-education"): one school per UAI.

The file's quirks (../shared/data/README.md): duplicated UAIs (the last row wins), mixed-case Mail
(lower-cased), missing Mail (ce.<uai>@<the académie's domain>, or an operator's check when the académie is
unknown). An address of the form ce.<uai>@ that names another UAI is the school's official address all
the same: it is kept as the directory gives it.
"""

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import NamedTuple

from django.utils import timezone

from parcours.organisations.directory.academies import academies, school_email
from parcours.organisations.directory.csvfiles import csv_table
from parcours.organisations.directory.identifiers import compact, siret_checksum_ok, uai_is_valid
from parcours.organisations.directory.loading import batch_size_default, upserter
from parcours.organisations.directory.report import ImportReport
from parcours.organisations.directory.text import (
    department_from_code,
    department_from_postal_code,
    search_text,
    search_words,
)
from parcours.organisations.models import DirectorySchool, SchoolEmailOrigin, SchoolKind

# The official column names (the API's field names are the same in lower case).
UAI = "Identifiant_de_l_etablissement"
NAME = "Nom_etablissement"
TYPE = "Type_etablissement"
STATUS = "Statut_public_prive"
ADDRESS_1 = "Adresse_1"
ADDRESS_2 = "Adresse_2"
POSTAL_CODE = "Code_postal"
COMMUNE = "Nom_commune"
DEPARTMENT = "Code_departement"
ACADEMY_CODE = "Code_academie"
ACADEMY_NAME = "Libelle_academie"
MAIL = "Mail"
SIRET = "SIREN_SIRET"
STATE = "etat"
REQUIRED_COLUMNS = (UAI, NAME, TYPE, STATUS, POSTAL_CODE, COMMUNE, ACADEMY_CODE, MAIL)
OPTIONAL_COLUMNS = (ADDRESS_1, ADDRESS_2, DEPARTMENT, ACADEMY_NAME, SIRET, STATE)


class InvalidRow(Exception):
    """A row that cannot be imported; the message says why, in French."""


class SchoolRecord(NamedTuple):
    uai: str
    name: str
    kind: str
    is_public: bool
    address: str
    postal_code: str
    commune: str
    department_code: str
    academy_code: str
    academy_name: str
    email: str
    email_origin: str
    siret: str
    is_open: bool
    search_text: str


FIELDS = SchoolRecord._fields[1:]


def school_record(values: Mapping[str, object]) -> SchoolRecord:
    """A school from one row of the annuaire, its columns keyed by their lower-case names (CSV or API)."""

    def get(column: str) -> str:
        value = values.get(column.lower())
        return "" if value is None else str(value).strip()

    uai = compact(get(UAI))
    if not uai_is_valid(uai):
        raise InvalidRow(f"UAI invalide « {get(UAI)} »")
    name = get(NAME)
    if not name:
        raise InvalidRow(f"nom vide pour l'UAI {uai}")
    kind = {"COLLEGE": SchoolKind.COLLEGE, "LYCEE": SchoolKind.LYCEE}.get(" ".join(search_words(get(TYPE))))
    academy_code = get(ACADEMY_CODE)
    if academy_code.isdigit() and len(academy_code) == 1:
        academy_code = academy_code.zfill(2)
    academy = academies().get(academy_code)
    email, email_origin = school_email(uai=uai, mail=get(MAIL), academy_code=academy_code)
    siret = compact(get(SIRET))
    postal_code = get(POSTAL_CODE)
    commune = get(COMMUNE)
    return SchoolRecord(
        uai=uai,
        name=name,
        kind=kind or SchoolKind.OTHER,
        is_public=search_words(get(STATUS)) == ["PUBLIC"],
        address=", ".join(part for part in (get(ADDRESS_1), get(ADDRESS_2)) if part),
        postal_code=postal_code,
        commune=commune,
        department_code=department_from_code(get(DEPARTMENT)) or department_from_postal_code(postal_code),
        academy_code=academy_code,
        academy_name=get(ACADEMY_NAME) or (academy.name if academy else ""),
        email=email,
        email_origin=email_origin,
        siret=siret if siret_checksum_ok(siret) else "",
        # "A FERMER" is still open; only a closed school ("FERME") is.
        is_open=not " ".join(search_words(get(STATE))).startswith("FERME"),
        search_text=search_text(uai, name, commune, postal_code),
    )


def _rows(path: Path) -> Iterator[tuple[int, SchoolRecord | InvalidRow, dict[str, str] | None]]:
    """(line, the school or why the row is invalid, the row's cells by column) for each row of the file."""
    with csv_table(path, required=REQUIRED_COLUMNS, optional=OPTIONAL_COLUMNS) as (columns, rows):
        wanted = [(name.lower(), position) for name, position in columns.positions.items() if position is not None]
        for cells in rows:
            line = rows.line
            if not cells:
                continue
            if len(cells) != columns.width:
                yield line, InvalidRow(f"{len(cells)} cellules au lieu de {columns.width}"), None
                continue
            values = {name: cells[position] for name, position in wanted}
            try:
                yield line, school_record(values), values
            except InvalidRow as error:
                yield line, error, values


def schools_import(*, path: Path, batch_size: int | None = None) -> ImportReport:
    """Loads the annuaire file into DirectorySchool: idempotent, the last row of a UAI wins.

    The file is read twice, never held in memory: a first pass notes the last valid line of each UAI
    (a few tens of thousands of keys for the whole country), so that an earlier duplicate is skipped and a
    second run changes nothing.
    """
    report = ImportReport(
        notes=dict.fromkeys(("duplicates", "emails_derived", "emails_to_check", "sirets_dropped"), 0)
    )
    batch_size = batch_size or batch_size_default()
    last_line: dict[str, int] = {}
    for line, record, _values in _rows(path):
        if isinstance(record, SchoolRecord):
            last_line[record.uai] = line

    with upserter(DirectorySchool, fields=FIELDS, now=timezone.now()) as writer:
        batch: dict[str, tuple] = {}
        for line, record, values in _rows(path):
            if isinstance(record, InvalidRow):
                report.add_invalid(line, str(record))
                continue
            if last_line.get(record.uai, line) != line:
                report.note("duplicates")
                report.skipped += 1
                continue
            if values and values.get(SIRET.lower(), "").strip() and not record.siret:
                report.note("sirets_dropped")
            if record.email_origin == SchoolEmailOrigin.DERIVED:
                report.note("emails_derived")
            elif record.email_origin == SchoolEmailOrigin.TO_CHECK:
                report.note("emails_to_check")
            batch[record.uai] = record[1:]
            if len(batch) >= batch_size:
                writer.write(batch, report)
                batch = {}
        if batch:
            writer.write(batch, report)
    return report.finish()
