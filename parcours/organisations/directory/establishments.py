"""Loading the SIRENE stock: establishments by SIRET, named after their legal unit.

The legal units are streamed first into a temporary name table (SIREN → name, search words, diffusible);
the establishments follow, batch by batch, and are joined to that table: in SQL on PostgreSQL (the batch is
copied to a staging table, joined and upserted in one statement), in Python elsewhere (the batch reads the
names of its SIRENs). Both apply the same rules and are tested on both databases. The files are parsed in
another process (directory/parallel.py) while this one loads; memory stays flat whatever the stock's size.
"""

from pathlib import Path

from django.db import connection
from django.utils import timezone

from parcours.organisations.directory import sirene
from parcours.organisations.directory.loading import StagedSource, batch_size_default, gc_paused, upserter
from parcours.organisations.directory.parallel import batches_from_process
from parcours.organisations.directory.report import ImportReport
from parcours.organisations.models import DirectoryEstablishment

FIELDS = (
    "siren",
    "name",
    "address",
    "postal_code",
    "commune",
    "department_code",
    "naf_code",
    "is_active",
    "is_diffusible",
    "is_head_office",
    "search_text",
)
NOTES = ("legal_units", "legal_units_invalid", "legal_units_missing", "non_diffusible")
LEGAL_NAMES = "organisations_legal_names"
# The staging table of a PostgreSQL batch: the SIRET, then what sirene.establishment_batches() gives.
OWN_COLUMNS = (
    ("siret", "text"),
    ("siren", "text"),
    ("sign", "text"),
    ("address", "text"),
    ("postal_code", "text"),
    ("commune", "text"),
    ("department_code", "text"),
    ("naf_code", "text"),
    ("is_active", "boolean"),
    ("own_diffusible", "boolean"),
    ("is_head_office", "boolean"),
    ("words", "text"),
)
# The join, on PostgreSQL: sirene.establishment_name() and the rules of _joined_rows(), in SQL.
STAGED = StagedSource(
    columns=OWN_COLUMNS,
    select=f"""
        SELECT staged.siret, staged.siren,
            CASE WHEN NOT joined.visible THEN ''
                WHEN staged.sign = '' OR upper(staged.sign) = upper(joined.legal_name) THEN joined.legal_name
                WHEN joined.legal_name = '' THEN staged.sign
                ELSE joined.legal_name || ' (' || staged.sign || ')' END AS name,
            CASE WHEN joined.visible THEN staged.address ELSE '' END AS address,
            CASE WHEN joined.visible THEN staged.postal_code ELSE '' END AS postal_code,
            CASE WHEN joined.visible THEN staged.commune ELSE '' END AS commune,
            staged.department_code, staged.naf_code, staged.is_active,
            joined.visible AS is_diffusible, staged.is_head_office,
            CASE WHEN joined.visible AND staged.is_active
                THEN concat_ws(' ', nullif(legal.words, ''), nullif(staged.words, '')) ELSE '' END AS search_text,
            legal.siren IS NULL AS legal_unit_missing
        FROM {{staging}} AS staged
        LEFT JOIN LATERAL (
            SELECT siren, name, words, diffusible FROM {LEGAL_NAMES}
            WHERE siren = staged.siren ORDER BY position DESC LIMIT 1
        ) AS legal ON TRUE
        CROSS JOIN LATERAL (
            SELECT staged.own_diffusible AND coalesce(legal.diffusible, TRUE) AS visible,
                coalesce(legal.name, '') AS legal_name
        ) AS joined
    """,  # noqa: S608 (table names of this module, no input)
    notes=(
        ("legal_units_missing", "count(*) FILTER (WHERE legal_unit_missing)"),
        ("non_diffusible", "count(*) FILTER (WHERE NOT is_diffusible)"),
    ),
)


def establishments_import(
    *, establishments_path: Path, legal_units_path: Path, batch_size: int | None = None
) -> ImportReport:
    """Loads the SIRENE stock into DirectoryEstablishment: idempotent, one transaction per batch.

    Counts are per establishment line; invalid SIRENs of the legal units file are listed too. A
    non-diffusible establishment (or one of a non-diffusible legal unit) is stored without its name and
    address: what is not stored cannot leak.
    """
    report = ImportReport(notes=dict.fromkeys(NOTES, 0))
    batch_size = batch_size or batch_size_default()
    postgres = connection.vendor == "postgresql"
    names = _LegalNames(postgres=postgres)
    with gc_paused():
        names.open()
        try:
            for batch in batches_from_process(sirene.legal_unit_batches, legal_units_path, batch_size, report=report):
                names.add(batch)
            names.loaded()
            with upserter(
                DirectoryEstablishment, fields=FIELDS, now=timezone.now(), staged=STAGED if postgres else None
            ) as writer:
                for batch in batches_from_process(
                    sirene.establishment_batches, establishments_path, batch_size, report=report
                ):
                    writer.write(batch if postgres else _joined_rows(batch, names, report), report)
            if postgres:
                with connection.cursor() as cursor:
                    # Fresh statistics, so that the searches pick the index right after a first load.
                    cursor.execute(f"ANALYZE {DirectoryEstablishment._meta.db_table}")
        finally:
            names.close()
    return report.finish()


class _LegalNames:
    """SIREN → (name, search words, diffusible) in a temporary table of the import's connection."""

    def __init__(self, *, postgres: bool) -> None:
        self.postgres = postgres

    def open(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {LEGAL_NAMES}")
            if self.postgres:
                # Indexed from the start: the server maintains the index while the parser reads on.
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {LEGAL_NAMES}"
                    " (siren text, position bigint, name text, words text, diffusible boolean)"
                )
                cursor.execute(f"CREATE INDEX ON {LEGAL_NAMES} (siren, position)")
            else:
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {LEGAL_NAMES}"
                    " (siren TEXT PRIMARY KEY, name TEXT, words TEXT, diffusible INTEGER)"
                )

    def add(self, rows: list[tuple]) -> None:
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.copy(f"COPY {LEGAL_NAMES} (siren, position, name, words, diffusible) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                # Rows come in file order: REPLACE keeps the last one of a SIREN.
                cursor.executemany(
                    f"INSERT OR REPLACE INTO {LEGAL_NAMES} (siren, name, words, diffusible) VALUES (%s, %s, %s, %s)",  # noqa: S608
                    [(siren, name, words, diffusible) for siren, _position, name, words, diffusible in rows],
                )

    def loaded(self) -> None:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute(f"ANALYZE {LEGAL_NAMES}")

    def get(self, sirens: set[str]) -> dict[str, tuple[str, str, bool]]:
        """For the join in Python (SQLite); PostgreSQL joins in SQL."""
        keys = list(sirens)
        names = {}
        with connection.cursor() as cursor:
            for start in range(0, len(keys), 900):
                chunk = keys[start : start + 900]
                placeholders = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"SELECT siren, name, words, diffusible FROM {LEGAL_NAMES} WHERE siren IN ({placeholders})",  # noqa: S608
                    chunk,
                )
                for siren, name, words, diffusible in cursor.fetchall():
                    names[siren] = (name, words, bool(diffusible))
        return names

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {LEGAL_NAMES}")


def _joined_rows(batch: dict[str, tuple], names: _LegalNames, report: ImportReport) -> dict[str, tuple]:
    """The join in Python (SQLite): the batch's rows in FIELDS order, named after their legal units."""
    legal_units = names.get({own[0] for own in batch.values()})
    rows = {}
    missing = hidden = 0
    for siret, own in batch.items():
        siren, sign, address, postal_code, commune, department, naf, active, diffusible, head_office, words = own
        legal_unit = legal_units.get(siren)
        if legal_unit is None:
            missing += 1
            legal_unit = ("", "", True)
        legal_name, legal_words, legal_diffusible = legal_unit
        if diffusible and legal_diffusible:
            name = sirene.establishment_name(legal_name, sign)
            text = " ".join(filter(None, (legal_words, words))) if active else ""
            rows[siret] = (
                siren,
                name,
                address,
                postal_code,
                commune,
                department,
                naf,
                active,
                True,
                head_office,
                text,
            )
        else:
            hidden += 1
            rows[siret] = (siren, "", "", "", "", department, naf, active, False, head_office, "")
    report.note("legal_units_missing", missing)
    report.note("non_diffusible", hidden)
    return rows
