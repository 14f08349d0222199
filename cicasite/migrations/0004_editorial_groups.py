"""The Editor and Publisher groups (issue 3).

Permissions are normally created after the whole migrate run (post_migrate), too late for
a data migration on a fresh database, so this one creates them first with
create_permissions for the apps it needs. Re-running is harmless: groups and
permissions are matched by name and codename.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# What editors work on: the public records and their inline children.
EDITED = {
    "members": ["member", "role"],
    "events": ["event", "document"],
    "initiatives": ["initiative"],
}
# What they pick from (autocomplete needs view permission) and may add to.
REFERENCE_EDITABLE = {"cicasite": ["source"]}
REFERENCE_VIEW = {
    "members": ["dimension", "priorityarea", "region"],
    "initiatives": ["chairmanship"],
}
PUBLISHABLE = {"members": ["member"], "events": ["event", "document"], "initiatives": ["initiative"]}


def codenames(mapping, actions):
    for app_label, models in mapping.items():
        for model in models:
            for action in actions:
                yield app_label, f"{action}_{model}"


def create_groups(apps, schema_editor):
    for app_label in ["cicasite", "members", "events", "initiatives"]:
        app_config = apps.get_app_config(app_label)
        app_config.models_module = True  # migration app stubs lack it; create_permissions skips apps without
        create_permissions(app_config, verbosity=0, apps=apps)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")

    def permissions(pairs):
        found = []
        for app_label, codename in pairs:
            found.append(Permission.objects.get(content_type__app_label=app_label, codename=codename))
        return found

    editor = [
        *codenames(EDITED, ["view", "add", "change", "delete"]),  # delete: drafts only, enforced in the admin
        *codenames(REFERENCE_EDITABLE, ["view", "add", "change"]),
        *codenames(REFERENCE_VIEW, ["view"]),
    ]
    publisher = [*editor, *codenames(PUBLISHABLE, ["publish"])]
    for name, pairs in [("Editor", editor), ("Publisher", publisher)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(*permissions(pairs))


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=["Editor", "Publisher"]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("cicasite", "0003_pg_trgm"),
        ("members", "0003_editorial_workflow"),
        ("events", "0003_editorial_workflow"),
        ("initiatives", "0003_editorial_workflow"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
