"""Back up the database and the uploaded media into one directory.

Writes, into --output (default var/backups/<UTC timestamp>/):

- data.json.gz: every row of every app as a JSON fixture, which `restore` loads
  with loaddata. Left out: what migrate recreates (content types, permissions)
  and what is ephemeral (sessions, django-axes login attempts). Foreign keys to
  content types and permissions are written as natural keys, so the fixture
  loads into a freshly migrated database whose ids differ. Primary keys are kept
  as they are (no natural primary keys), so admin history (LogEntry.object_id)
  and admin URLs still point at the same rows. Datetimes keep their
  microseconds: Django's own JSON encoder cuts them to milliseconds.
- media.tar.gz: every regular file under MEDIA_ROOT, by relative path (only
  when there is one). Media on another storage (object storage such as S3) are
  not reachable as files: the command then refuses unless --skip-media says
  they are backed up elsewhere.
- manifest.json, written last but one (a directory without one is not a backup):
  created_at, Django version, database vendor, applied migrations, per-model
  row counts, each media file's path, size and SHA-256, and the SHA-256 of the
  two archives.
- signature.json, written last: the HMAC-SHA256 of manifest.json's exact bytes
  under BACKUP_KEY (or the contents of BACKUP_KEY_FILE), and the key's id (an
  HMAC of a fixed text: it names the key without revealing it). The manifest
  holds every other file's hash, so this one signature covers the whole backup:
  `restore` refuses a backup whose signature is missing or does not match, before
  it reads anything else. Without a key, production refuses to back up; development
  writes an unsigned backup and says so (restore then needs --allow-unsigned).

The rows are read in one transaction (REPEATABLE READ on PostgreSQL), so the
dump is a consistent snapshot even while the site is running. Backups hold
password hashes: the directory is created readable by its owner only.

Why not dumpdata or a backup library: dumpdata reads table by table outside one snapshot,
cuts datetimes to milliseconds and knows nothing of media, hashes or a manifest; the
database's own dump tools (what django-dbbackup runs) need pg_dump matching the server and
give no SQLite/PostgreSQL-neutral file. The rows still go through Django's serializers, and
restore loads them with loaddata.
"""

import datetime
import gzip
import hashlib
import hmac
import json
import os
import tarfile
from collections import Counter
from pathlib import Path

import django
from django.apps import apps
from django.conf import settings
from django.core import serializers
from django.core.files.storage import FileSystemStorage, storages
from django.core.management.base import BaseCommand, CommandError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, connections, router, transaction
from django.db.migrations.recorder import MigrationRecorder

DATA_FILE = "data.json.gz"
MEDIA_FILE = "media.tar.gz"
MANIFEST_FILE = "manifest.json"
SIGNATURE_FILE = "signature.json"
SIGNATURE_ALGORITHM = "HMAC-SHA256"
FORMAT_VERSION = 1

# Recreated by migrate (content types, permissions) or ephemeral (sessions, login attempts).
EXCLUDED_APPS = {"contenttypes", "sessions", "axes"}
EXCLUDED_MODELS = {"auth.permission"}


def backed_up_models(using=DEFAULT_DB_ALIAS):
    """The models a backup holds, in an order loaddata can resolve natural keys in."""
    app_list = {
        app_config: None
        for app_config in apps.get_app_configs()
        if app_config.models_module is not None and app_config.label not in EXCLUDED_APPS
    }
    return [
        model
        for model in serializers.sort_dependencies(app_list.items(), allow_cycles=True)
        if model._meta.label_lower not in EXCLUDED_MODELS
        and not model._meta.proxy
        and router.allow_migrate_model(using, model)
    ]


def signature(manifest_bytes, key):
    """The HMAC-SHA256 of the manifest's exact bytes under the backup key, in hex."""
    return hmac.new(key.encode(), manifest_bytes, hashlib.sha256).hexdigest()


def key_id(key):
    """A short name of the key (16 hex digits) that reveals nothing of it: which key signed a backup."""
    return hmac.new(key.encode(), b"cicasite backup key id", hashlib.sha256).hexdigest()[:16]


def local_media_root():
    """Where uploads live on this machine's disk; None when the default storage is elsewhere (S3)."""
    storage = storages["default"]
    return Path(storage.location) if isinstance(storage, FileSystemStorage) else None


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


class ExactJSONEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder without the cut to milliseconds, so a restore gives back the same datetimes."""

    def default(self, o):
        if isinstance(o, datetime.datetime) or (isinstance(o, datetime.time) and o.tzinfo is None):
            text = o.isoformat()
            return text.removesuffix("+00:00") + "Z" if text.endswith("+00:00") else text
        return super().default(o)


class HashingReader:
    """A file wrapper that hashes what tarfile reads from it, so each file is read once."""

    def __init__(self, file):
        self.file = file
        self.hash = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.hash.update(data)
        return data


class Command(BaseCommand):
    help = "Back up the database (a JSON fixture) and the uploaded media, with a manifest of hashes."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            type=Path,
            help="Directory to write to; must be empty or new (default: var/backups/<UTC timestamp>/).",
        )
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS, help="Database to back up (default: %(default)s).")
        parser.add_argument(
            "--skip-media",
            action="store_true",
            help="Back up the database only (for media on object storage, backed up by its own means).",
        )

    def handle(self, *args, output, database, skip_media, **options):
        key = settings.BACKUP_KEY
        if key is None and not settings.DEBUG:
            raise CommandError(
                "Set BACKUP_KEY (or BACKUP_KEY_FILE, a file only its owner reads) to a long random value: "
                "production backups are signed, and restore refuses an unsigned one (docs/operations.md)."
            )
        media_root = local_media_root()
        if media_root is None and not skip_media:
            raise CommandError(
                f"Uploaded media are not on this machine's disk (default storage: "
                f"{type(storages['default']).__name__}); back them up with the storage's own tools "
                "and pass --skip-media to back up the database."
            )
        now = datetime.datetime.now(datetime.UTC)
        output = Path(output or Path(settings.BASE_DIR) / "var" / "backups" / now.strftime("%Y%m%dT%H%M%SZ"))
        if output.exists() and (not output.is_dir() or any(output.iterdir())):
            raise CommandError(f"{output} already exists and is not an empty directory; choose another --output.")
        output.mkdir(mode=0o700, parents=True, exist_ok=True)

        connection = connections[database]
        rows = self.dump_data(output / DATA_FILE, database)
        media_files = [] if skip_media else self.archive_media(media_root, output / MEDIA_FILE, output.resolve())
        has_media = bool(media_files)
        applied = MigrationRecorder(connection).applied_migrations()

        manifest = {
            "format": FORMAT_VERSION,
            "created_at": now.isoformat(),
            "django": django.get_version(),
            "database": connection.vendor,
            "migrations": sorted(f"{app}.{name}" for app, name in applied),
            "data": {
                "file": DATA_FILE,
                "size": (output / DATA_FILE).stat().st_size,
                "sha256": sha256_of(output / DATA_FILE),
            },
            "media": (
                {
                    "file": MEDIA_FILE,
                    "size": (output / MEDIA_FILE).stat().st_size,
                    "sha256": sha256_of(output / MEDIA_FILE),
                }
                if has_media
                else None
            ),
            "rows": rows,
            "media_files": media_files,
            "media_skipped": skip_media,
        }
        manifest_path = output / MANIFEST_FILE
        manifest_bytes = (json.dumps(manifest, indent=2, ensure_ascii=False) + "\n").encode()
        manifest_path.write_bytes(manifest_bytes)
        manifest_path.chmod(0o600)
        if key is not None:
            signed = {
                "algorithm": SIGNATURE_ALGORITHM,
                "key_id": key_id(key),
                "signature": signature(manifest_bytes, key),
            }
            (output / SIGNATURE_FILE).write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
            (output / SIGNATURE_FILE).chmod(0o600)

        for label, count in rows.items():
            self.stdout.write(f"{label}: {count} rows")
        self.stdout.write(
            f"{DATA_FILE}: {sum(rows.values())} rows from {len(rows)} tables, {manifest['data']['size']:,} bytes"
        )
        if skip_media:
            self.stdout.write(self.style.WARNING("Media left out (--skip-media)."))
        elif has_media:
            total = sum(f["size"] for f in media_files)
            self.stdout.write(
                f"{MEDIA_FILE}: {len(media_files)} files ({total:,} bytes), {manifest['media']['size']:,} bytes"
            )
        else:
            self.stdout.write(f"No media files under {media_root}.")
        if key is not None:
            self.stdout.write(f"Signed ({SIGNATURE_ALGORITHM}) with the backup key {key_id(key)}.")
        else:
            self.stdout.write(
                self.style.WARNING(
                    "UNSIGNED: no BACKUP_KEY is set (development). Restoring it needs --allow-unsigned."
                )
            )
        self.stdout.write(self.style.SUCCESS(f"Backup written to {output}"))

    def dump_data(self, path, database):
        """Write every backed-up row to path; return the row count per model, from what was written."""
        connection = connections[database]
        models = backed_up_models(database)
        counts = Counter({model._meta.label_lower: 0 for model in models})

        def objects():
            for model in models:
                for obj in model._base_manager.using(database).order_by(model._meta.pk.name).iterator():
                    counts[model._meta.label_lower] += 1
                    yield obj

        snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
        with transaction.atomic(using=database):
            if snapshot:
                with connection.cursor() as cursor:
                    # Must be the transaction's first statement: all tables then come from one snapshot.
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            with gzip.open(path, "wt", encoding="utf-8") as stream:
                serializers.serialize(
                    "json", objects(), stream=stream, cls=ExactJSONEncoder, use_natural_foreign_keys=True
                )
        path.chmod(0o600)
        return dict(counts)

    def archive_media(self, media_root, path, output):
        """Write every regular file under media_root to path; return their paths, sizes and hashes."""
        if not media_root.is_dir():
            return []
        files = []
        for file in sorted(media_root.rglob("*")):
            if output == file or output in file.parents or file.is_dir():
                continue
            if file.is_symlink() or not file.is_file():
                self.stderr.write(f"Skipped {file}: not a regular file.")
                continue
            files.append(file)
        if not files:
            return []
        listed = []
        with tarfile.open(path, "w:gz") as tar:
            for file in files:
                name = file.relative_to(media_root).as_posix()
                with open(file, "rb") as f:
                    info = tar.gettarinfo(arcname=name, fileobj=f)
                    info.uid = info.gid = 0
                    info.uname = info.gname = ""
                    reader = HashingReader(f)
                    tar.addfile(info, reader)
                listed.append({"path": name, "size": info.size, "sha256": reader.hash.hexdigest()})
        os.chmod(path, 0o600)
        return listed
