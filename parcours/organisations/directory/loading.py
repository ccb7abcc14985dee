"""Bulk upserts of directory rows, batch by batch, counting what each batch created, changed or left alone.

PostgreSQL: COPY into a temporary table, then one INSERT ... ON CONFLICT DO UPDATE that only touches rows
whose values differ; a first load into an empty table runs in one transaction, without the secondary
indexes, which are built once at the end (much faster than growing them row by row). SQLite: read the
batch's existing rows, then bulk_create(update_conflicts=True) the new and changed ones. Both count the
same way, so the report does not depend on the database.
"""

import datetime
import gc
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from django.db import connection, models, transaction

from parcours.organisations.directory.report import ImportReport

# Rows per batch: SQLite holds its write lock for a batch, so small ones let the site write in between;
# on PostgreSQL the round trips of a batch cost more than its size.
BATCH_SIZE = 5000
POSTGRES_BATCH_SIZE = 20_000
# For the index builds at the end of a first load (PostgreSQL's default, 64 MB, makes GIN builds spill).
INDEX_BUILD_MEMORY = "256MB"
# Under SQLite's smallest limit of bound variables.
_SQLITE_IN_CHUNK = 900


def batch_size_default() -> int:
    return POSTGRES_BATCH_SIZE if connection.vendor == "postgresql" else BATCH_SIZE


@contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cycle collector off during a load: it would scan the millions of short-lived lists of cells
    (a quarter of the time) and find no cycle among them.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


@dataclass(frozen=True)
class StagedSource:
    """On PostgreSQL, batches that become rows through SQL (a join) rather than as they are.

    `columns`: the staging table, (name, SQL type) in the order of the batches' values, the key first.
    `select`: a SELECT over "{staging}" giving the table's key and fields under their column names, and
    any column the `notes` aggregate (note name, aggregate SQL over those rows).
    """

    columns: Sequence[tuple[str, str]]
    select: str
    notes: Sequence[tuple[str, str]] = ()


class _Upserter:
    def __init__(self, model: type[models.Model], fields: Sequence[str], now: datetime.datetime) -> None:
        self.model = model
        self.key = model._meta.pk.name
        self.fields = list(fields)
        self.now = now

    def write(self, rows: dict[str, tuple], report: ImportReport) -> None:
        raise NotImplementedError


class _PostgresUpserter(_Upserter):
    def __init__(self, *args, source: StagedSource | None = None) -> None:
        super().__init__(*args)
        self.source = source
        self.first_load = False

    def open(self) -> None:
        quote = connection.ops.quote_name
        meta = self.model._meta
        self.table = quote(meta.db_table)
        self.staging = quote(f"{meta.db_table}_staging")
        key = quote(meta.pk.column)
        columns = [quote(meta.get_field(name).column) for name in self.fields]
        updated_at = quote(meta.get_field("updated_at").column)
        listed = ", ".join([key, *columns])
        if self.source:
            staged = ", ".join(quote(name) for name, _type in self.source.columns)
            definitions = ", ".join(f"{quote(name)} {kind}" for name, kind in self.source.columns)
            create = f"CREATE TEMPORARY TABLE {self.staging} ({definitions})"
            select = self.source.select.format(staging=self.staging)
            notes = self.source.notes
        else:
            staged = listed
            create = f"CREATE TEMPORARY TABLE {self.staging} AS SELECT {listed} FROM {self.table} WITH NO DATA"  # noqa: S608
            select = f"SELECT {listed} FROM {self.staging}"  # noqa: S608
            notes = ()
        self.notes = [name for name, _aggregate in notes]
        self.copy_sql = f"COPY {self.staging} ({staged}) FROM STDIN"
        # Identifiers of the model and SQL of this package only: no input reaches these strings.
        # xmax = 0 on a returned row: it was inserted, not updated. Rows whose values did not change are
        # not updated at all (the WHERE), so they keep their updated_at and are counted as skipped.
        aggregates = "".join(f", (SELECT {aggregate} FROM prepared)" for _name, aggregate in notes)  # noqa: S608
        self.upsert_sql = f"""
            WITH prepared AS MATERIALIZED ({select}),
            written AS (
                INSERT INTO {self.table} AS target ({listed}, {updated_at})
                SELECT {listed}, %s FROM prepared
                ON CONFLICT ({key}) DO UPDATE
                SET {", ".join(f"{column} = EXCLUDED.{column}" for column in columns)},
                    {updated_at} = EXCLUDED.{updated_at}
                WHERE ({", ".join(f"target.{column}" for column in columns)})
                    IS DISTINCT FROM ({", ".join(f"EXCLUDED.{column}" for column in columns)})
                RETURNING target.xmax = 0 AS created
            )
            SELECT
                (SELECT count(*) FILTER (WHERE created) FROM written),
                (SELECT count(*) FILTER (WHERE NOT created) FROM written)
                {aggregates}
        """  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")
            cursor.execute(create)

    def close(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {self.staging}")

    def secondary_indexes_drop(self) -> list[str]:
        """Drops the table's indexes but its primary key (ON CONFLICT needs it); returns how to build them again."""
        with connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT index_class.relname, pg_get_indexdef(index.indexrelid)
                FROM pg_index AS index JOIN pg_class AS index_class ON index_class.oid = index.indexrelid
                WHERE index.indrelid = %s::regclass AND NOT index.indisprimary AND NOT index.indisunique
                """,
                [self.model._meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        return [definition for _name, definition in indexes]

    def indexes_create(self, definitions: list[str]) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_BUILD_MEMORY}'")
            for definition in definitions:
                cursor.execute(definition)

    def write(self, rows: dict[str, tuple], report: ImportReport) -> None:
        # A first load is one transaction already: no savepoint per batch (each costs round trips).
        with transaction.atomic(savepoint=not self.first_load), connection.cursor() as cursor:
            if not self.first_load:
                # A batch lost in a crash is harmless: the import is run again. No need to wait for the disk.
                cursor.execute("SET LOCAL synchronous_commit = off")
            with cursor.copy(self.copy_sql) as copy:
                for key, values in rows.items():
                    copy.write_row((key, *values))
            cursor.execute(self.upsert_sql, [self.now])
            created, updated, *notes = cursor.fetchone()
            cursor.execute(f"TRUNCATE {self.staging}")
        for name, count in zip(self.notes, notes, strict=True):
            report.note(name, count or 0)
        report.created += created
        report.updated += updated
        report.skipped += len(rows) - created - updated


class _DjangoUpserter(_Upserter):
    def write(self, rows: dict[str, tuple], report: ImportReport) -> None:
        with transaction.atomic():
            keys = list(rows)
            existing: dict[str, tuple] = {}
            for start in range(0, len(keys), _SQLITE_IN_CHUNK):
                chunk = keys[start : start + _SQLITE_IN_CHUNK]
                for key, *values in self.model.objects.filter(pk__in=chunk).values_list(self.key, *self.fields):
                    existing[key] = tuple(values)
            changed = []
            for key, values in rows.items():
                before = existing.get(key)
                if before is None:
                    report.created += 1
                elif before != values:
                    report.updated += 1
                else:
                    report.skipped += 1
                    continue
                changed.append(self.model(**{self.key: key}, **dict(zip(self.fields, values, strict=True))))
            for instance in changed:
                instance.updated_at = self.now
            self.model.objects.bulk_create(
                changed,
                update_conflicts=True,
                unique_fields=[self.key],
                update_fields=[*self.fields, "updated_at"],
            )


@contextmanager
def upserter(
    model: type[models.Model],
    *,
    fields: Sequence[str],
    now: datetime.datetime,
    staged: StagedSource | None = None,
) -> Iterator[_Upserter]:
    """Writes batches of {primary key: values} into `model`, one transaction per batch.

    The values are those of `fields`, or on PostgreSQL with `staged` those of its staging columns. A batch
    never holds a key twice (the importers keep the file's last row), so ON CONFLICT meets each row once.
    """
    if connection.vendor != "postgresql":
        yield _DjangoUpserter(model, fields, now)
        return
    writer = _PostgresUpserter(model, fields, now, source=staged)
    with ExitStack() as first_load:
        indexes = None
        if not model.objects.exists():
            # All or nothing: should the load fail, the rollback brings the indexes back too.
            first_load.enter_context(transaction.atomic())
            indexes = writer.secondary_indexes_drop()
            writer.first_load = True
        writer.open()
        try:
            yield writer
        finally:
            writer.close()
        if indexes is not None:
            writer.indexes_create(indexes)
