"""The public catalog's search (docs/decisions/0014-french-search.md).

PostgreSQL: the `french_unaccent` text search configuration, the generated `search_vector` column under a
GIN index. SQLite: an FTS5 table fed by triggers from `search_document`, which Python normalises the same
way. Both: triggers on catalog_session keep `next_session_on` (the default sort) current.
"""

from django.db import migrations, models

POSTGRES_SETUP = [
    "CREATE EXTENSION IF NOT EXISTS unaccent",
    """
    DO $$ BEGIN
        IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = 'french_unaccent') THEN
            CREATE TEXT SEARCH CONFIGURATION french_unaccent (COPY = french);
            ALTER TEXT SEARCH CONFIGURATION french_unaccent
                ALTER MAPPING FOR hword_part, word WITH unaccent, french_stem;
            -- Whole hyphenated compounds ("porte-parole"): their parts are indexed, as Python does on SQLite.
            ALTER TEXT SEARCH CONFIGURATION french_unaccent DROP MAPPING FOR hword, asciihword, numhword;
        END IF;
    END $$
    """,
    """
    ALTER TABLE catalog_trainingaction ADD COLUMN search_vector tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('french_unaccent'::regconfig, title), 'A')
        || setweight(to_tsvector('french_unaccent'::regconfig, search_text), 'B')
    ) STORED
    """,
    "CREATE INDEX catalog_trainingaction_search ON catalog_trainingaction USING gin (search_vector)",
    """
    CREATE FUNCTION catalog_next_session_set(target bigint) RETURNS void LANGUAGE sql AS $$
        UPDATE catalog_trainingaction action SET next_session_on = next.starts_on
        FROM (
            SELECT MIN(starts_on) AS starts_on FROM catalog_session
            WHERE action_id = target AND status = 'open' AND registration_deadline >= CURRENT_DATE
        ) next
        WHERE action.id = target AND action.next_session_on IS DISTINCT FROM next.starts_on
    $$
    """,
    """
    CREATE FUNCTION catalog_next_session_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'INSERT' THEN
            PERFORM catalog_next_session_set(NEW.action_id);
        ELSIF TG_OP = 'DELETE' THEN
            PERFORM catalog_next_session_set(OLD.action_id);
        ELSE
            PERFORM catalog_next_session_set(OLD.action_id);
            IF NEW.action_id <> OLD.action_id THEN
                PERFORM catalog_next_session_set(NEW.action_id);
            END IF;
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER catalog_session_next_session
    AFTER INSERT OR DELETE OR UPDATE OF action_id, status, starts_on, registration_deadline ON catalog_session
    FOR EACH ROW EXECUTE FUNCTION catalog_next_session_refresh()
    """,
]
POSTGRES_TEARDOWN = [
    "DROP TRIGGER IF EXISTS catalog_session_next_session ON catalog_session",
    "DROP FUNCTION IF EXISTS catalog_next_session_refresh()",
    "DROP FUNCTION IF EXISTS catalog_next_session_set(bigint)",
    "DROP INDEX IF EXISTS catalog_trainingaction_search",
    "ALTER TABLE catalog_trainingaction DROP COLUMN IF EXISTS search_vector",
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS french_unaccent",
]

# SQLite compares the ISO dates Django stores as text; date('now') is UTC, close enough for a sort key that
# next_sessions_refresh() recomputes daily.
SQLITE_NEXT_SESSION = """
    UPDATE catalog_trainingaction SET next_session_on = (
        SELECT MIN(session.starts_on) FROM catalog_session session
        WHERE session.action_id = catalog_trainingaction.id AND session.status = 'open'
        AND session.registration_deadline >= date('now')
    )
    WHERE id IN ({ids});
"""
SQLITE_FTS_INSERT = """
    INSERT INTO catalog_trainingaction_fts(rowid, title, body) VALUES (
        NEW.id,
        substr(NEW.search_document, 1, instr(NEW.search_document, char(10)) - 1),
        substr(NEW.search_document, instr(NEW.search_document, char(10)) + 1)
    );
"""
SQLITE_SETUP = [
    "CREATE VIRTUAL TABLE catalog_trainingaction_fts USING fts5(title, body, tokenize = 'unicode61')",
    f"""
    CREATE TRIGGER catalog_trainingaction_fts_insert AFTER INSERT ON catalog_trainingaction BEGIN
        {SQLITE_FTS_INSERT}
    END
    """,
    f"""
    CREATE TRIGGER catalog_trainingaction_fts_update AFTER UPDATE OF search_document ON catalog_trainingaction
    BEGIN
        DELETE FROM catalog_trainingaction_fts WHERE rowid = OLD.id;
        {SQLITE_FTS_INSERT}
    END
    """,
    """
    CREATE TRIGGER catalog_trainingaction_fts_delete AFTER DELETE ON catalog_trainingaction BEGIN
        DELETE FROM catalog_trainingaction_fts WHERE rowid = OLD.id;
    END
    """,
    f"""
    CREATE TRIGGER catalog_session_next_insert AFTER INSERT ON catalog_session BEGIN
        {SQLITE_NEXT_SESSION.format(ids="NEW.action_id")}
    END
    """,
    f"""
    CREATE TRIGGER catalog_session_next_update
    AFTER UPDATE OF action_id, status, starts_on, registration_deadline ON catalog_session BEGIN
        {SQLITE_NEXT_SESSION.format(ids="OLD.action_id, NEW.action_id")}
    END
    """,
    f"""
    CREATE TRIGGER catalog_session_next_delete AFTER DELETE ON catalog_session BEGIN
        {SQLITE_NEXT_SESSION.format(ids="OLD.action_id")}
    END
    """,
]
SQLITE_TEARDOWN = [
    "DROP TRIGGER IF EXISTS catalog_session_next_delete",
    "DROP TRIGGER IF EXISTS catalog_session_next_update",
    "DROP TRIGGER IF EXISTS catalog_session_next_insert",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_fts_delete",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_fts_update",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_fts_insert",
    "DROP TABLE IF EXISTS catalog_trainingaction_fts",
]


def search_setup(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_SETUP, "sqlite": SQLITE_SETUP}.get(vendor, []):
        schema_editor.execute(statement, params=None)
    # Actions written before this migration: their search data, then their next session.
    from parcours.catalog.search import next_sessions_refresh, search_terms

    TrainingAction = apps.get_model("catalog", "TrainingAction")
    for action in TrainingAction.objects.select_related("provider").iterator():
        certification = f"{action.certification_registry}{action.certification_code}" if action.certification_code else ""
        parts = (action.provider.name, action.summary, action.objectives, action.audience, certification)
        action.search_text = " ".join(part for part in (*parts, action.certification_code) if part)
        action.search_document = " ".join(search_terms(action.title)) + "\n" + " ".join(search_terms(action.search_text))
        action.save(update_fields=["search_text", "search_document"])
    next_sessions_refresh()


def search_teardown(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRES_TEARDOWN, "sqlite": SQLITE_TEARDOWN}.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="trainingaction",
            name="next_session_on",
            field=models.DateField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="trainingaction",
            name="search_document",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="trainingaction",
            name="search_text",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddIndex(
            model_name="trainingaction",
            index=models.Index(fields=["status", "next_session_on", "id"], name="action_status_next_session"),
        ),
        migrations.AddIndex(
            model_name="trainingaction",
            index=models.Index(fields=["status", "title", "id"], name="action_status_title"),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["starts_on", "action", "registration_deadline"],
                name="session_open_start",
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=models.Index(
                condition=models.Q(("status", "open")),
                fields=["department_code", "starts_on", "action", "registration_deadline"],
                name="session_open_department",
            ),
        ),
        migrations.RunPython(search_setup, search_teardown, elidable=False),
    ]
