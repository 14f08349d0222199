# GIN indexes for the site search (cicasite.core.search), PostgreSQL only: a no-op on SQLite.
# The expressions repeat exactly what cicasite.core.search builds; change both together.

from django.db import migrations

CREATE = [
    # /search/: initiatives' search vector @@ websearch_to_tsquery('english', q) (search_vector(kind))
    """CREATE INDEX initiative_search_vector_idx ON initiatives_initiative USING gin ((
        setweight(to_tsvector('english'::regconfig, COALESCE(title, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(body, '')), 'C')
    ))""",
    # /search/: title %> q (a misspelt word of an initiative's title)
    "CREATE INDEX initiative_title_trgm_idx ON initiatives_initiative USING gin (title gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS initiative_search_vector_idx",
    "DROP INDEX IF EXISTS initiative_title_trgm_idx",
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
        ('initiatives', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
