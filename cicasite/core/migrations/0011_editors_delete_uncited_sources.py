"""Editors may delete a source no live record cites (cicasite.core.publishing refuses a cited one)."""

from django.db import migrations

from cicasite.core.roles import update_groups


class Migration(migrations.Migration):
    dependencies = [
        ("cicasite", "0010_sitesettings_groups"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
