"""Restore a backup written by `manage.py backup` into this database and MEDIA_ROOT.

Nothing changes until every check passes: the archives must match the SHA-256
in the manifest (a corrupt or altered backup is refused), every migration the
backup was made with must be applied here, the media archive may hold only the
regular files the manifest lists, and the database must hold no content rows
(with --yes it is flushed first). The media are unpacked into a staging
directory next to MEDIA_ROOT with tarfile's "data" filter (no absolute paths,
no "..", no links or devices) and each file's hash is checked there.

The flush, loaddata, the row-count check against the manifest and the move of
the media into MEDIA_ROOT run in one transaction, so a failure leaves the
database as it was. loaddata resets the PostgreSQL sequences of the tables it
fills, so new rows get fresh primary keys.

Why not loaddata alone (it does the loading): it checks no hashes, migrations or row counts,
would load over existing content, and restores no media. See backup.py for dumpdata.
"""

import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder

from cicasite.management.commands.backup import (
    DATA_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MEDIA_FILE,
    backed_up_models,
    local_media_root,
    sha256_of,
)

MANIFEST_KEYS = {"format", "created_at", "migrations", "data", "media", "rows", "media_files"}


class Command(BaseCommand):
    help = "Restore a backup directory written by `manage.py backup` (database rows and media files)."

    def add_arguments(self, parser):
        parser.add_argument("backup", type=Path, help="The backup directory (holds manifest.json).")
        parser.add_argument(
            "--yes", action="store_true", help="Flush a database that already holds content, then restore."
        )
        parser.add_argument(
            "--database", default=DEFAULT_DB_ALIAS, help="Database to restore into (default: %(default)s)."
        )

    def handle(self, *args, backup, yes, database, **options):
        backup = Path(backup)
        manifest = self.read_manifest(backup)
        self.verify_archives(backup, manifest)
        self.check_schema(manifest, database)
        media_root = local_media_root()
        if manifest["media"] and media_root is None:
            raise CommandError(
                f"Uploaded media are not on this machine's disk (default storage: "
                f"{type(storages['default']).__name__}); this command restores media only into MEDIA_ROOT."
            )
        media_files = {f["path"]: f for f in manifest["media_files"]}
        self.check_media_archive(backup, manifest, media_files)

        held = {
            model._meta.label_lower: count
            for model in backed_up_models(database)
            if (count := model._base_manager.using(database).count())
        }
        if held and not yes:
            listing = ", ".join(f"{label} ({count})" for label, count in held.items())
            raise CommandError(
                f"The database already holds content: {listing}. "
                "Restore into an empty database, or pass --yes to flush it first."
            )

        staging = None
        try:
            if manifest["media"]:
                # Next to MEDIA_ROOT, so the final moves stay on one file system.
                media_root.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
                self.unpack_media(backup / MEDIA_FILE, staging, media_files)
            with transaction.atomic(using=database):
                if yes:
                    call_command("flush", interactive=False, database=database, verbosity=0)
                call_command("loaddata", str(backup / DATA_FILE), database=database, verbosity=0)
                self.check_row_counts(manifest, database)
                for name in media_files:
                    target = media_root / name
                    target.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(staging / name, target)
        finally:
            if staging:
                shutil.rmtree(staging, ignore_errors=True)

        if yes:
            self.stdout.write("Flushed the database first (--yes).")
        rows = manifest["rows"]
        self.stdout.write(
            f"Loaded {sum(rows.values())} rows into {len(rows)} tables; every count matches the manifest."
        )
        if manifest.get("media_skipped"):
            self.stdout.write(self.style.WARNING("The backup holds no media (made with --skip-media)."))
        else:
            self.stdout.write(f"Restored {len(media_files)} media files; every SHA-256 matches the manifest.")
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']} from {backup}."))

    def read_manifest(self, backup):
        try:
            manifest = json.loads((backup / MANIFEST_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CommandError(f"{backup} holds no {MANIFEST_FILE}: it is not a (complete) backup.") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise CommandError(f"{backup / MANIFEST_FILE} is not valid JSON: {exc}") from None
        if (
            not isinstance(manifest, dict)
            or manifest.get("format") != FORMAT_VERSION
            or not MANIFEST_KEYS <= manifest.keys()
        ):
            raise CommandError(f"{backup / MANIFEST_FILE} is not a backup manifest of format {FORMAT_VERSION}.")
        for entry in manifest["media_files"]:
            path = PurePosixPath(entry["path"])
            if path.is_absolute() or ".." in path.parts or not path.parts:
                raise CommandError(f"The manifest lists an unsafe media path: {entry['path']!r}.")
        if bool(manifest["media"]) != bool(manifest["media_files"]):
            raise CommandError("The manifest's media archive and media file list disagree.")
        return manifest

    def verify_archives(self, backup, manifest):
        """Refuse a backup whose archives are missing or differ from the manifest, before changing anything."""
        for entry in (manifest["data"], manifest["media"]):
            if not entry:
                continue
            path = backup / entry["file"]
            if not path.is_file():
                raise CommandError(f"{path} is missing; nothing was restored.")
            digest = sha256_of(path)
            if digest != entry["sha256"]:
                raise CommandError(
                    f"{entry['file']} does not match the manifest (SHA-256 {digest}, expected {entry['sha256']}): "
                    "the backup is corrupt or was altered; nothing was restored."
                )
        self.stdout.write("The archives match the manifest's SHA-256.")

    def check_schema(self, manifest, database):
        """The backup must fit this database: its migrations applied here, its models known."""
        unknown = []
        for label in manifest["rows"]:
            try:
                apps.get_model(label)
            except (LookupError, ValueError):
                unknown.append(label)
        if unknown:
            raise CommandError(f"The backup holds rows of models this site lacks: {', '.join(unknown)}.")
        applied = {f"{app}.{name}" for app, name in MigrationRecorder(connections[database]).applied_migrations()}
        missing = sorted(set(manifest["migrations"]) - applied)
        if missing:
            raise CommandError(
                f"The backup was made with migrations this database lacks ({', '.join(missing)}); "
                "run `manage.py migrate` with the code the backup was made with, then restore."
            )

    def check_media_archive(self, backup, manifest, media_files):
        """The archive must hold exactly the manifest's files, each a regular file."""
        if not manifest["media"]:
            return
        with tarfile.open(backup / MEDIA_FILE, "r:gz") as tar:
            members = tar.getmembers()
        names = [member.name for member in members]
        for member in members:
            if not member.isfile():
                raise CommandError(f"{MEDIA_FILE} holds {member.name!r}, which is not a regular file; refused.")
        if sorted(names) != sorted(media_files):
            raise CommandError(f"{MEDIA_FILE} does not hold exactly the files the manifest lists; refused.")

    def unpack_media(self, archive, staging, media_files):
        """Extract safely into staging and check every file against the manifest."""
        with tarfile.open(archive, "r:gz") as tar:
            try:
                tar.extractall(staging, filter="data")
            except tarfile.FilterError as exc:
                raise CommandError(f"{MEDIA_FILE} holds an unsafe entry ({exc}); refused.") from None
        for name, entry in media_files.items():
            path = staging / name
            if path.stat().st_size != entry["size"] or sha256_of(path) != entry["sha256"]:
                raise CommandError(f"Media file {name} does not match the manifest; nothing was restored.")

    def check_row_counts(self, manifest, database):
        wrong = []
        for label, expected in manifest["rows"].items():
            found = apps.get_model(label)._base_manager.using(database).count()
            if found != expected:
                wrong.append(f"{label} ({found}, expected {expected})")
        if wrong:
            raise CommandError(f"Row counts differ from the manifest: {', '.join(wrong)}; nothing was restored.")
