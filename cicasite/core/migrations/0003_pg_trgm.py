# The pg_trgm extension for the site search's trigram similarity (cicasite.core.search).
# CreateExtension does nothing on databases other than PostgreSQL.

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('cicasite', '0002_legacyredirect'),
    ]

    operations = [
        TrigramExtension(),
    ]
