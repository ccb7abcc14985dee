"""PostgreSQL: the catalog's filters as conditions on the narrow search row (docs/decisions/0014-french-search.md).

`catalog_action_search` gains what the programme, department and date filters need, so that none of them
joins another table:

- `programme_ids`: the action's programmes (GIN index);
- `session_starts`, `session_departments`: the start dates (a multirange) and departments (GIN index) of its
  sessions open to registration on the day the row was written, `catalog_action_search_day()` (UTC's date);
- `sessions_until`: the earliest registration deadline among those sessions (null without any), so the last
  day they all still take registrations. Until then the row's session columns are exact; after it (deadlines
  pass with time, and triggers only see writes) the search checks that row's sessions again, and the periodic
  `next_sessions_refresh()` rewrites it.

Plus an index on `upper(certification_code)`, which a certification code alone looks up.

Triggers keep them current on every write: sessions (insert, delete, and an update of the columns read),
programme membership, and as before actions and their provider's status (through the source view), plus
TRUNCATE of those tables. SQLite searches the actions themselves: nothing is created there (the model is
unmanaged).
"""

import django.contrib.postgres.fields
from django.db import migrations, models

import parcours.catalog.models

# The open sessions of an action one may still ask for on the row's day, aggregated for its search row.
SESSIONS_OF = """
    SELECT COALESCE(range_agg(daterange(session.starts_on, session.starts_on, '[]')), '{}'::datemultirange),
           COALESCE(array_agg(DISTINCT session.department_code) FILTER (WHERE session.department_code <> ''),
                    '{}'::varchar[]),
           MIN(session.registration_deadline)
    FROM catalog_session session
    WHERE session.action_id = target AND session.status = 'open'
      AND session.registration_deadline >= catalog_action_search_day()
"""
PROGRAMMES_OF = """
    COALESCE((SELECT array_agg(link.programme_id ORDER BY link.programme_id)
              FROM catalog_trainingaction_programmes link WHERE link.trainingaction_id = {target}), '{{}}'::bigint[])
"""
SOURCE_COLUMNS = """
    SELECT action.id, action.provider_id, action.modality, action.certification_registry,
           action.certification_code, action.next_session_on, action.title, action.search_vector
"""
SOURCE_FROM = """
    FROM catalog_trainingaction action
    JOIN organisations_organisation provider ON provider.id = action.provider_id
"""
SOURCE_WHERE = "WHERE action.status = 'published' AND provider.status = 'active' AND provider.is_provider"

POSTGRES_SETUP = [
    """
    ALTER TABLE catalog_action_search
        ADD COLUMN programme_ids bigint[] NOT NULL DEFAULT '{}',
        ADD COLUMN session_starts datemultirange NOT NULL DEFAULT '{}',
        ADD COLUMN session_departments varchar(3)[] NOT NULL DEFAULT '{}',
        ADD COLUMN sessions_until date
    """,
    # The search compares it with its own day (selectors._rows_answer_sessions): never later than the
    # French day, whatever the connection's time zone.
    """
    CREATE FUNCTION catalog_action_search_day() RETURNS date LANGUAGE sql STABLE AS $$
        SELECT (now() AT TIME ZONE 'UTC')::date
    $$
    """,
    f"""
    CREATE FUNCTION catalog_action_search_sessions(target bigint)
    RETURNS TABLE (session_starts datemultirange, session_departments varchar[], sessions_until date)
    LANGUAGE sql STABLE AS $$ {SESSIONS_OF} $$
    """,
    # New columns at the end, in the table's order: the functions of 0004 insert `SELECT *` from it.
    f"""
    CREATE OR REPLACE VIEW catalog_action_search_source AS
    {SOURCE_COLUMNS},
           {PROGRAMMES_OF.format(target="action.id")} AS programme_ids,
           sessions.session_starts, sessions.session_departments, sessions.sessions_until
    {SOURCE_FROM}
    CROSS JOIN LATERAL catalog_action_search_sessions(action.id) sessions
    {SOURCE_WHERE}
    """,
    # The exact check of a row whose `sessions_until` has passed (selectors._sessions_on_rows): a function, so
    # that the planner costs it per row like any other, where a subquery under OR was costed as if it ran for
    # every row (and compiled by JIT); it runs only for such rows, an index lookup each.
    """
    CREATE FUNCTION catalog_action_search_has_session(
        target bigint, day date, department text, starts_from date, starts_until date
    ) RETURNS boolean LANGUAGE plpgsql STABLE AS $$
    BEGIN
        RETURN EXISTS (
            SELECT FROM catalog_session session
            WHERE session.action_id = target AND session.status = 'open' AND session.registration_deadline >= day
              AND (department IS NULL OR session.department_code = department)
              AND (starts_from IS NULL OR session.starts_on >= starts_from)
              AND (starts_until IS NULL OR session.starts_on <= starts_until)
        );
    END $$
    """,
    """
    CREATE FUNCTION catalog_action_search_sessions_set(target bigint) RETURNS void LANGUAGE sql AS $$
        UPDATE catalog_action_search
        SET (session_starts, session_departments, sessions_until) = (
            SELECT * FROM catalog_action_search_sessions(target)
        )
        WHERE id = target
    $$
    """,
    f"""
    CREATE FUNCTION catalog_action_search_programmes_set(target bigint) RETURNS void LANGUAGE sql AS $$
        UPDATE catalog_action_search SET programme_ids = {PROGRAMMES_OF.format(target="target")}
        WHERE id = target
    $$
    """,
    """
    CREATE FUNCTION catalog_action_search_session() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM catalog_action_search_sessions_set(OLD.action_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.action_id <> OLD.action_id) THEN
            PERFORM catalog_action_search_sessions_set(NEW.action_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER catalog_session_action_search_write
    AFTER INSERT OR DELETE ON catalog_session
    FOR EACH ROW EXECUTE FUNCTION catalog_action_search_session()
    """,
    # Django's save() writes every column, and enrollments rewrite a session's count often: only a change of
    # what the row holds syncs it.
    """
    CREATE TRIGGER catalog_session_action_search_update
    AFTER UPDATE ON catalog_session
    FOR EACH ROW WHEN (
        OLD.action_id IS DISTINCT FROM NEW.action_id OR OLD.status IS DISTINCT FROM NEW.status
        OR OLD.starts_on IS DISTINCT FROM NEW.starts_on OR OLD.department_code IS DISTINCT FROM NEW.department_code
        OR OLD.registration_deadline IS DISTINCT FROM NEW.registration_deadline
    ) EXECUTE FUNCTION catalog_action_search_session()
    """,
    """
    CREATE FUNCTION catalog_action_search_programme() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            PERFORM catalog_action_search_programmes_set(OLD.trainingaction_id);
        END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.trainingaction_id <> OLD.trainingaction_id) THEN
            PERFORM catalog_action_search_programmes_set(NEW.trainingaction_id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER catalog_trainingaction_programmes_action_search
    AFTER INSERT OR DELETE OR UPDATE ON catalog_trainingaction_programmes
    FOR EACH ROW EXECUTE FUNCTION catalog_action_search_programme()
    """,
    # TRUNCATE fires no row trigger (a test database's flush truncates every managed table, not this one).
    """
    CREATE FUNCTION catalog_action_search_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_TABLE_NAME = 'catalog_session' THEN
            UPDATE catalog_action_search SET session_starts = '{}', session_departments = '{}', sessions_until = NULL
            WHERE sessions_until IS NOT NULL;
        ELSIF TG_TABLE_NAME = 'catalog_trainingaction_programmes' THEN
            UPDATE catalog_action_search SET programme_ids = '{}' WHERE programme_ids <> '{}';
        ELSE
            DELETE FROM catalog_action_search;
        END IF;
        RETURN NULL;
    END $$
    """,
    *(
        f"""
        CREATE TRIGGER {table}_action_search_truncate AFTER TRUNCATE ON {table}
        FOR EACH STATEMENT EXECUTE FUNCTION catalog_action_search_truncated()
        """
        for table in ("catalog_session", "catalog_trainingaction_programmes", "catalog_trainingaction")
    ),
    "SELECT catalog_action_search_rebuild()",
    # Built once filled, rather than filled through them.
    "CREATE INDEX catalog_action_search_programmes ON catalog_action_search USING gin (programme_ids)",
    "CREATE INDEX catalog_action_search_departments ON catalog_action_search USING gin (session_departments)",
    # A certification code alone matches an action or two: without an index, every row was read (30 ms).
    "CREATE INDEX catalog_action_search_certification ON catalog_action_search (upper(certification_code::text))",
    "ANALYZE catalog_action_search",
]
POSTGRES_TEARDOWN = [
    *(
        f"DROP TRIGGER IF EXISTS {table}_action_search_truncate ON {table}"
        for table in ("catalog_session", "catalog_trainingaction_programmes", "catalog_trainingaction")
    ),
    "DROP FUNCTION IF EXISTS catalog_action_search_truncated()",
    "DROP INDEX IF EXISTS catalog_action_search_certification",
    "DROP INDEX IF EXISTS catalog_action_search_departments",
    "DROP INDEX IF EXISTS catalog_action_search_programmes",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_programmes_action_search ON catalog_trainingaction_programmes",
    "DROP TRIGGER IF EXISTS catalog_session_action_search_update ON catalog_session",
    "DROP TRIGGER IF EXISTS catalog_session_action_search_write ON catalog_session",
    "DROP FUNCTION IF EXISTS catalog_action_search_programme()",
    "DROP FUNCTION IF EXISTS catalog_action_search_session()",
    "DROP FUNCTION IF EXISTS catalog_action_search_programmes_set(bigint)",
    "DROP FUNCTION IF EXISTS catalog_action_search_sessions_set(bigint)",
    "DROP FUNCTION IF EXISTS catalog_action_search_has_session(bigint, date, text, date, date)",
    # The view of 0004 again: a view loses columns only by being dropped.
    "DROP VIEW IF EXISTS catalog_action_search_source",
    f"CREATE VIEW catalog_action_search_source AS {SOURCE_COLUMNS} {SOURCE_FROM} {SOURCE_WHERE}",
    "DROP FUNCTION IF EXISTS catalog_action_search_sessions(bigint)",
    "DROP FUNCTION IF EXISTS catalog_action_search_day()",
    """
    ALTER TABLE catalog_action_search
        DROP COLUMN IF EXISTS programme_ids, DROP COLUMN IF EXISTS session_starts,
        DROP COLUMN IF EXISTS session_departments, DROP COLUMN IF EXISTS sessions_until
    """,
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0005_programme_survey_is_anonymous"),
    ]

    # The model is unmanaged: these only record its fields in the migration state, nothing is created.
    operations = [
        migrations.AddField(
            model_name="actionsearch",
            name="programme_ids",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(), default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="actionsearch",
            name="session_starts",
            field=parcours.catalog.models.DateMultiRangeField(),
        ),
        migrations.AddField(
            model_name="actionsearch",
            name="session_departments",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(max_length=3), default=list, size=None
            ),
        ),
        migrations.AddField(
            model_name="actionsearch",
            name="sessions_until",
            field=models.DateField(null=True),
        ),
        migrations.RunPython(_run(POSTGRES_SETUP), _run(POSTGRES_TEARDOWN), elidable=False),
    ]
