import importlib

from django.db import migrations, models

SESSION_TRIGGERS = ("catalog_session_next_insert", "catalog_session_next_update", "catalog_session_next_delete")


def sqlite_session_triggers_restore(apps, schema_editor):
    """SQLite adds this column by rebuilding catalog_session, which drops its triggers: create them again."""
    if schema_editor.connection.vendor != "sqlite":
        return
    search = importlib.import_module("parcours.catalog.migrations.0002_search")
    for name in SESSION_TRIGGERS:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}", params=None)
    for statement in search.SQLITE_SETUP:
        if any(name in statement for name in SESSION_TRIGGERS):
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0002_search"),
    ]

    operations = [
        # Unapplying removes the column by a rebuild too: the triggers are restored after it.
        migrations.RunPython(migrations.RunPython.noop, sqlite_session_triggers_restore, elidable=False),
        # Filled from the enrollments by enrollments/0002 (the catalog knows nothing of enrollments).
        migrations.AddField(
            model_name="session",
            name="enrolled_count",
            field=models.PositiveIntegerField(default=0, editable=False, verbose_name="inscrits"),
        ),
        migrations.RunPython(sqlite_session_triggers_restore, migrations.RunPython.noop, elidable=False),
    ]
