"""Issue 12's site settings are public content: Editors propose changes (working copies), Publishers
approve them (cicasite/roles.py)."""

from django.db import migrations


def update_groups(apps, schema_editor):
    from cicasite.roles import ensure_groups

    ensure_groups(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("cicasite", "0009_record_verification_sitesettings"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
