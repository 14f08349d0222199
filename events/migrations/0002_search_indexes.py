# GIN indexes for the site search (cicasite.core.search), PostgreSQL only: a no-op on SQLite.
# The expressions repeat exactly what cicasite.core.search builds; change both together.
# Documents get none: their search vector includes the meeting's title (a join), so no
# single-table index can serve it; they are few, and scanned.

from django.db import migrations

CREATE = [
    # /search/: meetings' search vector @@ websearch_to_tsquery('english', q) (search_vector(kind))
    """CREATE INDEX event_search_vector_idx ON events_event USING gin ((
        (setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(city, '') || ' ' || COALESCE(country, '')), 'B'))
        || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(body, '')), 'C')
    ))""",
    # /search/: title %> q (a misspelt word of a meeting's title)
    "CREATE INDEX event_title_trgm_idx ON events_event USING gin (title gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS event_search_vector_idx",
    "DROP INDEX IF EXISTS event_title_trgm_idx",
]


def on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            for statement in statements:
                schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):

    dependencies = [
        ('cicasite', '0003_pg_trgm'),
        ('events', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
