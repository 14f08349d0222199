"""Editors may delete a source no live record cites (cicasite.publishing refuses a cited one)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from cicasite.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cicasite", "0010_sitesettings_groups"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
