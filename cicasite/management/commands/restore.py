"""Restore a backup written by `manage.py backup` into this database and MEDIA_ROOT.

Nothing changes until every check passes. First the signature: signature.json
must hold the HMAC-SHA256 of manifest.json under BACKUP_KEY (the key the backup
was made with), else the backup is refused before anything else is read;
--allow-unsigned accepts a backup that has no signature at all (one made before
backups were signed, or in development without a key), never one whose signature
fails. Then the archives must match the SHA-256 in the manifest (a corrupt or
altered backup is refused), every migration the backup was made with must be
applied here, the media archive may hold only the regular files the manifest
lists, and the database must hold no content rows (with --yes it is flushed
first). Rows that migrations create (the Editor and Publisher groups) are not
content: a freshly migrated database counts as empty, and those rows are
replaced by the backup's. The media are unpacked into a staging
directory next to MEDIA_ROOT with tarfile's "data" filter (no absolute paths,
no "..", no links or devices) and each file's hash is checked there.

The flush, loaddata, the row-count check against the manifest and the move of
the media into MEDIA_ROOT run in one transaction, so a failure leaves the
database as it was. loaddata resets the PostgreSQL sequences of the tables it
fills, so new rows get fresh primary keys.

Why not loaddata alone (it does the loading): it checks no hashes, migrations or row counts,
would load over existing content, and restores no media. See backup.py for dumpdata.
"""

import hmac
import json
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath

from django.apps import apps
from django.conf import settings
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.migrations.recorder import MigrationRecorder
from django.db.models import Q

from cicasite.core.pagecache import bump_content_version
from cicasite.core.roles import EDITOR, PUBLISHER
from cicasite.management.commands.backup import (
    DATA_FILE,
    FORMAT_VERSION,
    MANIFEST_FILE,
    MEDIA_FILE,
    SIGNATURE_ALGORITHM,
    SIGNATURE_FILE,
    backed_up_models,
    key_id,
    local_media_root,
    sha256_of,
    signature,
)

MANIFEST_KEYS = {"format", "created_at", "migrations", "data", "media", "rows", "media_files"}
# Rows a freshly migrated database already holds (cicasite.core.roles: data migrations make the groups).
MADE_BY_MIGRATIONS = {"auth.group": Q(name__in=[EDITOR, PUBLISHER])}


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
        parser.add_argument(
            "--allow-unsigned",
            action="store_true",
            help="Accept a backup without signature.json (made before backups were signed, or without a key).",
        )

    def handle(self, *args, backup, yes, database, allow_unsigned, **options):
        backup = Path(backup)
        manifest_bytes = self.verify_signature(backup, allow_unsigned)
        manifest = self.read_manifest(backup, manifest_bytes)
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

        held, seeded = self.rows_held(database)
        if held and not yes:
            listing = ", ".join(f"{label} ({count})" for label, count in held.items())
            raise CommandError(
                f"The database already holds content: {listing}. "
                "Restore into an empty database, or pass --yes to flush it first."
            )
        flush = yes or bool(seeded)

        staging = None
        try:
            if manifest["media"]:
                # Next to MEDIA_ROOT, so the final moves stay on one file system.
                media_root.mkdir(parents=True, exist_ok=True)
                staging = Path(tempfile.mkdtemp(prefix=".restore-", dir=media_root.parent))
                self.unpack_media(backup / MEDIA_FILE, staging, media_files)
            with transaction.atomic(using=database):
                if flush:
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
        # flush empties tables without a signal: every cached page and data entry is stale.
        bump_content_version()

        if held:
            self.stdout.write("Flushed the database first (--yes).")
        elif seeded:
            listing = ", ".join(f"{label} ({count})" for label, count in seeded.items())
            self.stdout.write(f"The database held only rows migrations create ({listing}): replaced by the backup's.")
        rows = manifest["rows"]
        self.stdout.write(
            f"Loaded {sum(rows.values())} rows into {len(rows)} tables; every count matches the manifest."
        )
        if manifest.get("media_skipped"):
            self.stdout.write(self.style.WARNING("The backup holds no media (made with --skip-media)."))
        else:
            self.stdout.write(f"Restored {len(media_files)} media files; every SHA-256 matches the manifest.")
        self.stdout.write(self.style.SUCCESS(f"Restored the backup of {manifest['created_at']} from {backup}."))

    def verify_signature(self, backup, allow_unsigned):
        """The manifest's bytes, once signature.json vouches for them under BACKUP_KEY (or --allow-unsigned
        accepts a backup without one). Nothing else of the backup is read before this."""
        try:
            manifest_bytes = (backup / MANIFEST_FILE).read_bytes()
        except FileNotFoundError:
            raise CommandError(f"{backup} holds no {MANIFEST_FILE}: it is not a (complete) backup.") from None
        except OSError as exc:
            raise CommandError(f"{backup / MANIFEST_FILE} cannot be read: {exc.strerror}.") from None
        try:
            signed = json.loads((backup / SIGNATURE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            if allow_unsigned:
                self.stdout.write(self.style.WARNING(f"UNSIGNED backup accepted (--allow-unsigned): {backup}"))
                return manifest_bytes
            raise CommandError(
                f"{backup} holds no {SIGNATURE_FILE}: nothing proves who made it, so nothing was restored. "
                "If you trust it (a backup made before backups were signed), pass --allow-unsigned "
                "(make restore ... UNSIGNED=1)."
            ) from None
        except (OSError, ValueError, UnicodeDecodeError):
            signed = None
        if (
            not isinstance(signed, dict)
            or signed.get("algorithm") != SIGNATURE_ALGORITHM
            or not isinstance(signed.get("signature"), str)
        ):
            raise CommandError(f"{backup / SIGNATURE_FILE} is not a backup signature; nothing was restored.")
        key = settings.BACKUP_KEY
        if key is None:
            raise CommandError(
                f"The backup is signed by the key {signed.get('key_id')!r}: set BACKUP_KEY (or BACKUP_KEY_FILE) "
                "to that key to restore it."
            )
        if signed.get("key_id") != key_id(key):
            raise CommandError(
                f"The backup was signed by another key ({signed.get('key_id')!r}; BACKUP_KEY is {key_id(key)!r}): "
                "set BACKUP_KEY to the key it was made with. Nothing was restored."
            )
        if not hmac.compare_digest(signed["signature"], signature(manifest_bytes, key)):
            raise CommandError(
                f"{MANIFEST_FILE} does not match its signature: the backup was altered after it was made. "
                "Nothing was restored."
            )
        self.stdout.write(f"The manifest's signature is valid (backup key {key_id(key)}).")
        return manifest_bytes

    def rows_held(self, database):
        """(content rows per model, rows migrations made per model) in the database now."""
        held, seeded = {}, {}
        for model in backed_up_models(database):
            label = model._meta.label_lower
            rows = model._base_manager.using(database)
            if label in MADE_BY_MIGRATIONS:
                if count := rows.filter(MADE_BY_MIGRATIONS[label]).count():
                    seeded[label] = count
                rows = rows.exclude(MADE_BY_MIGRATIONS[label])
            if count := rows.count():
                held[label] = count
        return held, seeded

    def read_manifest(self, backup, manifest_bytes):
        try:
            manifest = json.loads(manifest_bytes.decode("utf-8"))
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
