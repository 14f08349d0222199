"""The two editorial groups and what they may do (created by migration cicasite 0004).

- Editor: writes and edits drafts of the public records (members and their roles,
  meetings and their documents, initiatives) and sources; may delete drafts only.
- Publisher: the same, plus publish_<model>: publish, schedule, unpublish, delete
  published records, bulk actions. The admin enforces the difference (cicasite/editorial.py).

ensure_groups() is idempotent: the migration calls it with the historical app registry,
the create_staff_user command with the live one (so a flushed test database gets them too).
"""

from django.apps import apps as global_apps
from django.contrib.auth.management import create_permissions

EDITOR, PUBLISHER = "Editor", "Publisher"

# What editors work on: the public records and their inline children.
EDITED = {
    "members": ["member", "role"],
    "events": ["event", "document"],
    "initiatives": ["initiative"],
}
# What they add to, and what they pick from (autocomplete needs view permission).
REFERENCE_EDITABLE = {"cicasite": ["source"]}
REFERENCE_VIEW = {
    "members": ["dimension", "priorityarea", "region"],
    "initiatives": ["chairmanship"],
}
PUBLISHABLE = {"members": ["member"], "events": ["event", "document"], "initiatives": ["initiative"]}


def _codenames(mapping, actions):
    for app_label, models in mapping.items():
        for model in models:
            for action in actions:
                yield app_label, f"{action}_{model}"


EDITOR_PERMISSIONS = [
    *_codenames(EDITED, ["view", "add", "change", "delete"]),  # delete: drafts only, enforced in the admin
    *_codenames(REFERENCE_EDITABLE, ["view", "add", "change"]),
    *_codenames(REFERENCE_VIEW, ["view"]),
]
PUBLISHER_PERMISSIONS = [*EDITOR_PERMISSIONS, *_codenames(PUBLISHABLE, ["publish"])]


def ensure_groups(apps=global_apps):
    # Permissions are normally made after the whole migrate run (post_migrate): too late
    # for a data migration on a fresh database, so make them now.
    for app_label in ["cicasite", "members", "events", "initiatives"]:
        app_config = apps.get_app_config(app_label)
        stub = getattr(app_config, "models_module", None) is None  # historical registries: AppConfigStub
        if stub:
            app_config.models_module = True
        create_permissions(app_config, verbosity=0, apps=apps)
        if stub:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    groups = {}
    for name, pairs in [(EDITOR, EDITOR_PERMISSIONS), (PUBLISHER, PUBLISHER_PERMISSIONS)]:
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[Permission.objects.get(content_type__app_label=app, codename=codename) for app, codename in pairs]
        )
        groups[name] = group
    return groups
