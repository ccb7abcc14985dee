"""PostgreSQL: the narrow search table `catalog_action_search` (docs/decisions/0014-french-search.md).

One row per visible action (published, of an active provider organisation): the columns the catalog
filters and sorts on and the action's `search_vector`. Triggers keep it current: on the actions (which the
session trigger of 0002 updates when their next session changes) and on the provider's status. SQLite
searches the actions themselves: nothing is created there (the model is unmanaged).
"""

import django.contrib.postgres.search
import django.db.models.deletion
from django.db import migrations, models

# Which actions the public catalog shows, in SQL: selectors.public_actions() says the same with the ORM.
POSTGRES_SETUP = [
    """
    CREATE TABLE catalog_action_search (
        id bigint PRIMARY KEY,
        provider_id bigint NOT NULL,
        modality varchar(10) NOT NULL,
        certification_registry varchar(4) NOT NULL,
        certification_code varchar(20) NOT NULL,
        next_session_on date,
        title varchar(200) NOT NULL,
        search_vector tsvector NOT NULL
    )
    """,
    """
    CREATE VIEW catalog_action_search_source AS
    SELECT action.id, action.provider_id, action.modality, action.certification_registry,
           action.certification_code, action.next_session_on, action.title, action.search_vector
    FROM catalog_trainingaction action
    JOIN organisations_organisation provider ON provider.id = action.provider_id
    WHERE action.status = 'published' AND provider.status = 'active' AND provider.is_provider
    """,
    "CREATE INDEX catalog_action_search_vector ON catalog_action_search USING gin (search_vector)",
    "CREATE INDEX catalog_action_search_next ON catalog_action_search (next_session_on, id)",
    "CREATE INDEX catalog_action_search_title ON catalog_action_search (title, id)",
    "CREATE INDEX catalog_action_search_provider ON catalog_action_search (provider_id)",
    """
    CREATE FUNCTION catalog_action_search_sync(target bigint) RETURNS void LANGUAGE sql AS $$
        DELETE FROM catalog_action_search WHERE id = target;
        INSERT INTO catalog_action_search SELECT * FROM catalog_action_search_source WHERE id = target;
    $$
    """,
    """
    CREATE FUNCTION catalog_action_search_rebuild() RETURNS void LANGUAGE sql AS $$
        TRUNCATE catalog_action_search;
        INSERT INTO catalog_action_search SELECT * FROM catalog_action_search_source;
    $$
    """,
    """
    CREATE FUNCTION catalog_action_search_action() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM catalog_action_search WHERE id = OLD.id;
        ELSE
            PERFORM catalog_action_search_sync(NEW.id);
        END IF;
        RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER catalog_trainingaction_search_write
    AFTER INSERT OR DELETE ON catalog_trainingaction
    FOR EACH ROW EXECUTE FUNCTION catalog_action_search_action()
    """,
    # Django's save() writes every column: only a change of what the table holds syncs it.
    """
    CREATE TRIGGER catalog_trainingaction_search_update
    AFTER UPDATE ON catalog_trainingaction
    FOR EACH ROW WHEN (
        OLD.status IS DISTINCT FROM NEW.status OR OLD.provider_id IS DISTINCT FROM NEW.provider_id
        OR OLD.title IS DISTINCT FROM NEW.title OR OLD.search_text IS DISTINCT FROM NEW.search_text
        OR OLD.modality IS DISTINCT FROM NEW.modality
        OR OLD.certification_registry IS DISTINCT FROM NEW.certification_registry
        OR OLD.certification_code IS DISTINCT FROM NEW.certification_code
        OR OLD.next_session_on IS DISTINCT FROM NEW.next_session_on
    ) EXECUTE FUNCTION catalog_action_search_action()
    """,
    """
    CREATE FUNCTION catalog_action_search_provider() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        DELETE FROM catalog_action_search WHERE provider_id = NEW.id;
        INSERT INTO catalog_action_search SELECT * FROM catalog_action_search_source WHERE provider_id = NEW.id;
        RETURN NULL;
    END $$
    """,
    # A provider validated, closed, or no longer a provider: its actions appear or disappear.
    """
    CREATE TRIGGER organisations_organisation_action_search
    AFTER UPDATE ON organisations_organisation
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.is_provider IS DISTINCT FROM NEW.is_provider)
    EXECUTE FUNCTION catalog_action_search_provider()
    """,
    "SELECT catalog_action_search_rebuild()",
    "ANALYZE catalog_action_search",
    # The search no longer reads the actions' own vector: its index would only slow their writes.
    "DROP INDEX IF EXISTS catalog_trainingaction_search",
]
POSTGRES_TEARDOWN = [
    "CREATE INDEX IF NOT EXISTS catalog_trainingaction_search ON catalog_trainingaction USING gin (search_vector)",
    "DROP TRIGGER IF EXISTS organisations_organisation_action_search ON organisations_organisation",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_search_update ON catalog_trainingaction",
    "DROP TRIGGER IF EXISTS catalog_trainingaction_search_write ON catalog_trainingaction",
    "DROP FUNCTION IF EXISTS catalog_action_search_provider()",
    "DROP FUNCTION IF EXISTS catalog_action_search_action()",
    "DROP FUNCTION IF EXISTS catalog_action_search_rebuild()",
    "DROP FUNCTION IF EXISTS catalog_action_search_sync(bigint)",
    "DROP VIEW IF EXISTS catalog_action_search_source",
    "DROP TABLE IF EXISTS catalog_action_search",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_session_enrolled_count"),
        ("organisations", "0003_organisation_search_text"),
    ]

    operations = [
        migrations.CreateModel(
            name="ActionSearch",
            fields=[
                (
                    "action",
                    models.OneToOneField(
                        db_column="id",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="catalog.trainingaction",
                    ),
                ),
                ("provider_id", models.BigIntegerField()),
                ("modality", models.CharField(max_length=10)),
                ("certification_registry", models.CharField(max_length=4)),
                ("certification_code", models.CharField(max_length=20)),
                ("next_session_on", models.DateField(null=True)),
                ("title", models.CharField(max_length=200)),
                ("search_vector", django.contrib.postgres.search.SearchVectorField()),
            ],
            options={
                "db_table": "catalog_action_search",
                "managed": False,
            },
        ),
        migrations.RunPython(_run(POSTGRES_SETUP), _run(POSTGRES_TEARDOWN), elidable=False),
    ]
