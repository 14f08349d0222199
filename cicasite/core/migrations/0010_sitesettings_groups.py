"""Issue 12's site settings are public content: Editors propose changes (working copies), Publishers
approve them (cicasite/core/roles.py)."""

from django.db import migrations

from cicasite.core.roles import update_groups


class Migration(migrations.Migration):
    dependencies = [
        ("cicasite", "0009_record_verification_sitesettings"),
    ]

    operations = [migrations.RunPython(update_groups, migrations.RunPython.noop)]
