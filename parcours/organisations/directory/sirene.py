"""Reading the SIRENE stock files (INSEE) into batches: columns and rules of ../shared/data/sirene-headers.md.

No Django here: these generators run in a parsing process (directory/parallel.py). They are the hot loops
of the import, once per row of stocks of tens of millions of rows: hence the plain code and the names
bound to locals.
"""

from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path

from parcours.organisations.directory.csvfiles import csv_table
from parcours.organisations.directory.identifiers import siren_checksum_ok, siret_checksum_ok
from parcours.organisations.directory.report import ImportReport
from parcours.organisations.directory.text import department_from_commune, search_words

LEGAL_UNIT_REQUIRED = (
    "siren",
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "nomUniteLegale",
    "prenomUsuelUniteLegale",
)
LEGAL_UNIT_OPTIONAL = ("prenom1UniteLegale",)
ESTABLISHMENT_REQUIRED = (
    "siret",
    "statutDiffusionEtablissement",
    "etatAdministratifEtablissement",
    "etablissementSiege",
    "numeroVoieEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "codeCommuneEtablissement",
    "activitePrincipaleEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
)
ESTABLISHMENT_OPTIONAL = (
    "complementAdresseEtablissement",
    "indiceRepetitionEtablissement",
    "distributionSpecialeEtablissement",
    "libelleCommuneEtrangerEtablissement",
)
# O: public. P (or N in older files): the person asked not to be shown; anything but O is treated so.
DIFFUSIBLE = "O"


def legal_unit_name(*, denomination: str, first_name: str, last_name: str) -> str:
    """A company's denomination; a sole trader's usual first name and name."""
    return denomination.strip() or " ".join(part for part in (first_name.strip(), last_name.strip()) if part)


def establishment_name(legal_name: str, sign: str) -> str:
    """The legal unit's name, then the establishment's sign (enseigne) when it has one of its own."""
    if not sign or sign.upper() == legal_name.upper():
        return legal_name
    return f"{legal_name} ({sign})" if legal_name else sign


def legal_unit_batches(path: Path, batch_size: int, report: ImportReport) -> Iterator[list[tuple]]:
    """Batches of (siren, position, name, search words, diffusible); `position` orders the rows, so that
    the last row of a SIREN wins. A non-diffusible unit has neither name nor words.
    """
    with csv_table(path, required=LEGAL_UNIT_REQUIRED, optional=LEGAL_UNIT_OPTIONAL) as (columns, rows):
        width = columns.width
        i_siren, i_status = columns["siren"], columns["statutDiffusionUniteLegale"]
        i_denomination, i_last_name = columns["denominationUniteLegale"], columns["nomUniteLegale"]
        i_first_name, i_first_name_1 = columns["prenomUsuelUniteLegale"], columns["prenom1UniteLegale"]
        checksum_ok, words_of, diffusible_mark = siren_checksum_ok, search_words, DIFFUSIBLE
        batch: list[tuple] = []
        count = 0
        for cells in rows:
            siren = cells[i_siren] if len(cells) == width else ""
            if not checksum_ok(siren):
                if cells:
                    report.note("legal_units_invalid")
                    report.add_invalid(
                        rows.line, f"unités légales : SIREN invalide « {siren or ','.join(cells)[:40]} »"
                    )
                continue
            count += 1
            if cells[i_status] == diffusible_mark:
                name = cells[i_denomination].strip()
                if not name:
                    first_name = cells[i_first_name] or (cells[i_first_name_1] if i_first_name_1 is not None else "")
                    name = legal_unit_name(denomination="", first_name=first_name, last_name=cells[i_last_name])
                batch.append((siren, count, name, " ".join(words_of(name)), True))
            else:
                batch.append((siren, count, "", "", False))
            if len(batch) >= batch_size:
                yield batch
                batch = []
        if batch:
            yield batch
    report.note("legal_units", count)


def establishment_batches(path: Path, batch_size: int, report: ImportReport) -> Iterator[dict[str, tuple]]:
    """Batches of {SIRET: (siren, sign, address, postal code, commune, department, NAF, active, diffusible,
    head office, search words)}: the establishment's own values, before the join with its legal unit.

    A non-diffusible establishment keeps neither sign nor address; the search words (sign, commune, postal
    code: the legal unit's come with the join) are only for the rows a search may return, active ones.
    """
    with csv_table(path, required=ESTABLISHMENT_REQUIRED, optional=ESTABLISHMENT_OPTIONAL) as (columns, rows):
        width = columns.width
        i_siret, i_status = columns["siret"], columns["statutDiffusionEtablissement"]
        i_state, i_head_office = columns["etatAdministratifEtablissement"], columns["etablissementSiege"]
        i_naf, i_commune_code = columns["activitePrincipaleEtablissement"], columns["codeCommuneEtablissement"]
        i_postal_code, i_commune = columns["codePostalEtablissement"], columns["libelleCommuneEtablissement"]
        i_sign, i_usual_name = columns["enseigne1Etablissement"], columns["denominationUsuelleEtablissement"]
        foreign_commune_of = _cells_getter(columns["libelleCommuneEtrangerEtablissement"])
        street_of = _cells_getter(
            columns["numeroVoieEtablissement"],
            columns["indiceRepetitionEtablissement"],
            columns["typeVoieEtablissement"],
            columns["libelleVoieEtablissement"],
        )
        complement_of = _cells_getter(columns["complementAdresseEtablissement"])
        special_of = _cells_getter(columns["distributionSpecialeEtablissement"])
        departments: dict[str, str] = {}
        checksum_ok, words_of, diffusible_mark = siret_checksum_ok, search_words, DIFFUSIBLE

        batch: dict[str, tuple] = {}
        for cells in rows:
            if len(cells) != width:
                if cells:
                    report.add_invalid(rows.line, f"{len(cells)} cellules au lieu de {width}")
                continue
            siret = cells[i_siret]
            if not checksum_ok(siret):
                report.add_invalid(rows.line, f"SIRET invalide « {siret} »")
                continue
            if siret in batch:
                # The stock holds one row per SIRET; should a file repeat one, its last row wins.
                report.skipped += 1
            commune_code = cells[i_commune_code]
            department = departments.get(commune_code)
            if department is None:
                department = departments[commune_code] = department_from_commune(commune_code)
            active = cells[i_state] == "A"
            diffusible = cells[i_status] == diffusible_mark
            if diffusible:
                sign = (cells[i_sign] or cells[i_usual_name]).strip()
                street = " ".join(filter(None, street_of(cells)))
                address = ", ".join(filter(None, (*complement_of(cells), street, *special_of(cells))))
                postal_code = cells[i_postal_code][:10]
                commune = cells[i_commune] or "".join(foreign_commune_of(cells))
                words = " ".join(words_of(f"{sign} {commune} {postal_code}")) if active else ""
            else:
                sign = address = postal_code = commune = words = ""
            batch[siret] = (
                siret[:9],
                sign,
                address,
                postal_code,
                commune,
                department,
                cells[i_naf][:6],
                active,
                diffusible,
                cells[i_head_office] == "true",
                words,
            )
            if len(batch) >= batch_size:
                yield batch
                batch = {}
        if batch:
            yield batch


def _cells_getter(*positions: int | None):
    """cells → the values at these positions (absent optional columns left out), as a tuple."""
    present = [position for position in positions if position is not None]
    if not present:
        return lambda cells: ()
    if len(present) == 1:
        (position,) = present
        return lambda cells: (cells[position],)
    return itemgetter(*present)
