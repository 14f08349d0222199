"""The Editor and Publisher groups (issue 3); what each may do is in cicasite/core/roles.py.

ensure_groups() first creates the permissions it needs (they are normally made only
after the whole migrate run), then the groups; it is idempotent.
"""

from django.db import migrations


def create_groups(apps, schema_editor):
    from cicasite.core.roles import ensure_groups

    ensure_groups(apps, strict=False)  # 0008 adds the permissions of later models


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cicasite", "0005_translation_state"),
        ("members", "0006_editorial_workflow"),
        ("events", "0008_editorial_workflow"),
        ("initiatives", "0007_editorial_workflow"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
