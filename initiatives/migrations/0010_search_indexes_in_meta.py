# The search indexes move into Meta.indexes (cicasite.core.search_indexes), so migrate creates them.
# Until now cicasite.apps created them after every migrate under names ending in a hash of the
# statement (e.g. member_search_en_1a2b3c4d); those are dropped first (PostgreSQL only: SQLite has none).

import cicasite.core.search_indexes
from django.db import migrations

OLD_INDEXES = r"^(initiative)_(search|trgm)_.+_[0-9a-f]{8}$"


def drop_old_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND indexname ~ %s", [OLD_INDEXES]
        )
        for (name,) in cursor.fetchall():
            schema_editor.execute(f"DROP INDEX IF EXISTS {schema_editor.quote_name(name)}")


class Migration(migrations.Migration):

    dependencies = [
        ('cicasite', '0012_unverified_by_default'),
        ('events', '0013_search_indexes_in_meta'),
        ('initiatives', '0009_unverified_by_default'),
        ('members', '0009_unverified_by_default'),
    ]

    operations = [
        migrations.RunPython(drop_old_indexes, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name='initiative',
            index=cicasite.core.search_indexes.SearchVectorIndex(a=('title',), b=(), c=('summary', 'body'), config='english', language='en', name='initiative_search_en'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=cicasite.core.search_indexes.SearchVectorIndex(a=('title',), b=(), c=('summary', 'body'), config='russian', language='ru', name='initiative_search_ru'),
        ),
        migrations.AddIndex(
            model_name='initiative',
            index=cicasite.core.search_indexes.TrigramIndex(field='title', languages=('en', 'ru'), name='initiative_trgm_title'),
        ),
    ]
