import parcours.organisations.models
from django.db import migrations

# Same expression as the lookup (models.WordsStart) and the directory's indexes of migration 0001.
SEARCH_INDEX = (
    "CREATE INDEX organisations_organisation_search ON organisations_organisation"
    " USING gin (array_to_tsvector(string_to_array(search_text, ' ')))"
)


def search_text_fill(apps, schema_editor):
    from parcours.organisations.directory.text import search_text

    Organisation = apps.get_model("organisations", "Organisation")
    for organisation in Organisation.objects.iterator():
        organisation.search_text = search_text(
            organisation.name, organisation.city, organisation.postal_code, organisation.siret or "", organisation.uai or ""
        )
        organisation.save(update_fields=["search_text"])
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SEARCH_INDEX)


def search_index_drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS organisations_organisation_search")


class Migration(migrations.Migration):
    dependencies = [
        ("organisations", "0002_organisations_memberships_requests"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=parcours.organisations.models.SearchTextField(blank=True, editable=False),
        ),
        migrations.RunPython(search_text_fill, search_index_drop, elidable=False),
    ]
