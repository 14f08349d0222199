"""The two editorial groups and what they may do (created by migration cicasite 0006).

- Editor: writes drafts of the public records (members and their roles, meetings and
  their documents, initiatives), adds sources, and edits any live record as a working
  copy that waits for review; may delete only what the public does not see.
- Publisher: the same, plus publish_<model> and cicasite.approve_workingcopy: publish,
  schedule, unpublish, approve working copies, add and delete reference records, bulk
  actions. cicasite.core.publishing enforces the difference on every write.

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
# Public records that exist without a publication status: editors propose changes (kept as working
# copies for review, cicasite.core.review) and add sources; Publishers add, change and delete them.
REFERENCE = {
    "cicasite": ["source", "organ", "secretariathead", "partner", "legacyredirect", "sitesettings"],
    "members": ["dimension", "priorityarea", "region"],
    "initiatives": ["chairmanship"],
}
REFERENCE_EDITABLE = {"cicasite": ["source"]}
PUBLISHABLE = {"members": ["member"], "events": ["event", "document"], "initiatives": ["initiative"]}
REVIEW = {"cicasite": ["workingcopy"]}


def _codenames(mapping, actions):
    for app_label, models in mapping.items():
        for model in models:
            for action in actions:
                yield app_label, f"{action}_{model}"


EDITOR_PERMISSIONS = [
    *_codenames(EDITED, ["view", "add", "change", "delete"]),  # delete: what the public does not see
    *_codenames(REFERENCE, ["view", "change"]),  # a change to a public record is a working copy
    # A source is public only once a live record cites it: editors add sources and delete uncited ones.
    *_codenames(REFERENCE_EDITABLE, ["add", "delete"]),
]
PUBLISHER_PERMISSIONS = [
    *EDITOR_PERMISSIONS,
    *_codenames(REFERENCE, ["add", "delete"]),
    *_codenames(PUBLISHABLE, ["publish"]),
    *_codenames(REVIEW, ["approve"]),
]


def ensure_groups(apps=global_apps, strict=True):
    """strict=False for an older migration: permissions of models made by later migrations are skipped
    (a later migration calls it again, strictly)."""
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
        wanted = [
            Permission.objects.filter(content_type__app_label=app, codename=codename).first()
            for app, codename in pairs
        ]
        if strict and None in wanted:
            missing = [f"{app}.{codename}" for (app, codename), found in zip(pairs, wanted, strict=True) if not found]
            raise LookupError(f"Permissions missing: {', '.join(missing)}")
        group.permissions.add(*[permission for permission in wanted if permission])
        groups[name] = group
    return groups


def update_groups(apps, schema_editor):
    """For a migration that adds permissions to the groups (strictly: every permission must exist)."""
    ensure_groups(apps)


def update_groups_so_far(apps, schema_editor):
    """For an older migration: models of later migrations, and their permissions, do not exist yet."""
    ensure_groups(apps, strict=False)
