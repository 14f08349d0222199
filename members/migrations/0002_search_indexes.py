# GIN indexes for the site search (cicasite.core.search), PostgreSQL only: a no-op on SQLite.
# The expressions repeat exactly what cicasite.core.search builds; change both together.

from django.db import migrations

CREATE = [
    # /search/: members' search vector @@ websearch_to_tsquery('english', q) (search_vector(kind))
    """CREATE INDEX member_search_vector_idx ON members_member USING gin ((
        (setweight(to_tsvector('english'::regconfig, COALESCE(name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, COALESCE(capital, '') || ' ' || COALESCE(iso_code, '')), 'B'))
        || setweight(to_tsvector('english'::regconfig, COALESCE(summary, '') || ' ' || COALESCE(body, '')), 'C')
    ))""",
    # /search/: name % q (typos: "Kazakstan" finds Kazakhstan)
    "CREATE INDEX member_name_trgm_idx ON members_member USING gin (name gin_trgm_ops)",
    # /search/: slug % q (ASCII spellings: "Turkiye" finds Türkiye by its slug)
    "CREATE INDEX member_slug_trgm_idx ON members_member USING gin (slug gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS member_search_vector_idx",
    "DROP INDEX IF EXISTS member_name_trgm_idx",
    "DROP INDEX IF EXISTS member_slug_trgm_idx",
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
        ('members', '0001_initial'),
    ]

    operations = [
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
