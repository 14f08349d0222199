# The English-only search indexes of 0002 gave way to one set per language, which
# cicasite.apps.sync_search_indexes creates after every migrate from the very
# expressions cicasite.core.search uses (PostgreSQL only: a no-op on SQLite).

from django.db import migrations

DROP = [
    "DROP INDEX IF EXISTS event_search_vector_idx",
    "DROP INDEX IF EXISTS event_title_trgm_idx",
]


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('events', '0003_translated_fields'),
    ]

    operations = [
        migrations.RunPython(drop, migrations.RunPython.noop),
    ]
