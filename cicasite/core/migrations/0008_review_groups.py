"""Issue 11: Editors may propose changes to every public record (as working copies); Publishers
approve them and add or delete reference records. What each group may do is in cicasite/core/roles.py."""

from django.db import migrations

from cicasite.core.roles import update_groups_so_far


class Migration(migrations.Migration):
    dependencies = [
        ("cicasite", "0007_review"),
        ("cicasite", "0006_editorial_groups"),
    ]

    operations = [migrations.RunPython(update_groups_so_far, migrations.RunPython.noop)]
