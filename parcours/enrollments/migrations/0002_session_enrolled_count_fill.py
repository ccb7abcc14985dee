"""Fills catalog_session.enrolled_count (added by catalog/0003, default 0) from the enrollments already written:
only the sessions that have some are rewritten."""

from django.db import migrations

FILL = """
    UPDATE catalog_session SET enrolled_count = (
        SELECT COUNT(*) FROM enrollments_enrollment enrollment
        WHERE enrollment.session_id = catalog_session.id AND enrollment.state = 'enrolled'
    )
    WHERE id IN (SELECT session_id FROM enrollments_enrollment WHERE state = 'enrolled')
"""


class Migration(migrations.Migration):
    dependencies = [
        ("catalog", "0003_session_enrolled_count"),
        ("enrollments", "0001_initial"),
    ]

    operations = [
        migrations.RunSQL(FILL, migrations.RunSQL.noop, elidable=False),
    ]
