"""Backup and restore: a real round trip through an emptied database and media directory.

TransactionTestCase, because restore flushes and commits for real. Every test has a
member with an uploaded flag, a document with a PDF, an admin with a group, permissions
and a LogEntry; the round trip adds the whole CICA content (load_cica).
"""

import gzip
import hashlib
import hmac
import io
import json
import shutil
import tarfile
import tempfile
import unittest
from pathlib import Path
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import TransactionTestCase, override_settings

from bench import servers
from cicasite.core import pagecache
from cicasite.management.commands.backup import key_id, signature
from events.models import Document
from members.models import Member
from tests.content import load_content
from tests.factories import image_bytes, make_document, make_member, pdf_bytes

# What migrate recreates or what is ephemeral; everything else must survive a round trip.
NOT_BACKED_UP = {"contenttypes", "sessions", "axes", "auth.permission"}
# Foreign keys to these are compared by natural key: migrate may give them other ids.
RECREATED = (ContentType, Permission)


def backed_up(model):
    meta = model._meta
    owner = meta.auto_created._meta if meta.auto_created else meta
    return not ({meta.app_label, owner.label_lower} & NOT_BACKED_UP)


def row(model, values):
    for field in model._meta.concrete_fields:
        if field.is_relation and field.related_model in RECREATED and values[field.attname] is not None:
            values[field.attname] = field.related_model.objects.get(pk=values[field.attname]).natural_key()
    return values


def snapshot_tables():
    """Every backed-up table's rows; an M2M table's rows without their (meaningless) own id."""
    tables = {}
    for model in apps.get_models(include_auto_created=True):
        if not backed_up(model):
            continue
        rows = [row(model, values) for values in model._base_manager.order_by("pk").values()]
        if model._meta.auto_created:
            rows = sorted((sorted((k, v) for k, v in r.items() if k != "id") for r in rows), key=repr)
        tables[model._meta.label_lower] = rows
    return tables


def snapshot_media(root):
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def run(name, *args, **options):
    out = io.StringIO()
    call_command(name, *args, stdout=out, stderr=io.StringIO(), **options)
    return out.getvalue()


KEY = "a-backup-key-for-the-tests-only-0123456789"


class BackupRestoreTests(TransactionTestCase):
    def setUp(self):
        tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.media_root = tmp / "media"
        self.backup_dir = tmp / "backup"
        self.enterContext(override_settings(MEDIA_ROOT=self.media_root, BACKUP_KEY=KEY))

        member = make_member(name="Flagland", flag_alt="Flag of Flagland")
        member.flag.save("flagland.png", ContentFile(image_bytes()))
        document = make_document(title="Декларация")
        document.file.save("декларация.pdf", ContentFile(pdf_bytes()))
        editors = Group.objects.create(name="Editors")
        editors.permissions.set(Permission.objects.filter(codename__in=["change_member", "view_event"]))
        admin = User.objects.create_superuser("admin", "admin@example.org", "a-long-password")
        admin.groups.add(editors)
        admin.user_permissions.add(Permission.objects.get(codename="delete_document"))
        LogEntry.objects.create(
            user=admin,
            content_type=ContentType.objects.get_for_model(Member),
            object_id=str(member.pk),
            object_repr=str(member),
            action_flag=ADDITION,
            change_message='[{"added": {}}]',
        )

    def back_up(self):
        output = run("backup", output=self.backup_dir)
        self.manifest = json.loads((self.backup_dir / "manifest.json").read_text(encoding="utf-8"))
        return output

    def empty_everything(self):
        call_command("flush", interactive=False, verbosity=0)
        shutil.rmtree(self.media_root)

    def test_backup_writes_the_archives_and_a_manifest(self):
        output = self.back_up()
        self.assertEqual(
            sorted(p.name for p in self.backup_dir.iterdir()),
            ["data.json.gz", "manifest.json", "media.tar.gz", "signature.json"],
        )
        self.assertEqual(
            self.manifest["rows"],
            {m._meta.label_lower: m._base_manager.count() for m in apps.get_models() if backed_up(m)},
        )
        self.assertEqual(self.manifest["rows"]["admin.logentry"], 1)
        files = {f["path"]: f["size"] for f in self.manifest["media_files"]}
        flag = Member.objects.get(name="Flagland").flag.name  # the cleaned upload, under a random name
        pdf = Document.objects.get().file.name  # documents/<random>.pdf, not the uploader's name
        stem = flag.removeprefix("members/flags/").removesuffix(".png")

        def size(path):
            return (self.media_root / path).stat().st_size

        self.assertEqual(
            files,
            {
                pdf: len(pdf_bytes()),
                flag: size(flag),
                # The flag's renditions (60 px wide: one width, WebP and PNG) are media like any other.
                f"members/flags/renditions/{stem}-160.png": size(f"members/flags/renditions/{stem}-160.png"),
                f"members/flags/renditions/{stem}-160.webp": size(f"members/flags/renditions/{stem}-160.webp"),
            },
        )
        self.assertEqual(self.manifest["data"]["sha256"], hashlib.sha256(self.read("data.json.gz")).hexdigest())
        self.assertIn("members.member: 1 rows", output)
        self.assertIn("media.tar.gz: 4 files", output)
        # Microseconds survive (Django's JSON encoder would cut them to milliseconds).
        fixture = json.loads(gzip.decompress(self.read("data.json.gz")))
        created = next(o for o in fixture if o["model"] == "members.member")["fields"]["created_at"]
        self.assertRegex(created, r"\.\d{6}Z$")

    def test_restore_into_an_empty_database_gives_back_every_row_and_file(self):
        load_content()
        self.back_up()
        tables, media = snapshot_tables(), snapshot_media(self.media_root)
        self.empty_everything()
        self.assertFalse(Member.objects.exists())
        self.assertFalse(self.media_root.exists())

        output = run("restore", self.backup_dir)

        restored = snapshot_tables()
        self.assertEqual(restored.keys(), tables.keys())
        for label, rows in tables.items():
            self.assertEqual(restored[label], rows, label)
        self.assertEqual(snapshot_media(self.media_root), media)
        self.assertEqual(len(media), 4)
        self.assertGreater(sum(map(len, tables.values())), 500)
        self.assertIn("every count matches the manifest", output)
        self.assertIn("Restored 4 media files", output)
        # Sequences were reset: new rows do not collide with restored primary keys.
        make_member()
        User.objects.create_user("editor")
        self.assertTrue(User.objects.get(username="admin").check_password("a-long-password"))
        self.assertEqual(Document.objects.get(title="Декларация").file.read(), pdf_bytes())

    def test_a_tampered_backup_is_refused_and_nothing_changes(self):
        self.back_up()
        for name in ("data.json.gz", "media.tar.gz"):
            with self.subTest(name):
                original = self.read(name)
                self.flip_a_byte(name)
                tables, media = snapshot_tables(), snapshot_media(self.media_root)
                with self.assertRaisesMessage(CommandError, f"{name} does not match the manifest"):
                    run("restore", self.backup_dir, yes=True)
                self.assertEqual(snapshot_tables(), tables)
                self.assertEqual(snapshot_media(self.media_root), media)
                (self.backup_dir / name).write_bytes(original)

    def test_restore_onto_a_database_with_content_needs_yes(self):
        self.back_up()
        tables = snapshot_tables()
        Member.objects.update(capital="Somewhere")
        make_member(name="Added after the backup")
        changed = snapshot_tables()
        with self.assertRaisesMessage(CommandError, "members.member (2)"):
            run("restore", self.backup_dir)
        self.assertEqual(snapshot_tables(), changed)

        epoch = pagecache.content_version(), pagecache.page_cache().get(pagecache.EPOCH_KEY)
        output = run("restore", self.backup_dir, yes=True)
        self.assertIn("Flushed the database first (--yes).", output)
        self.assertEqual(snapshot_tables(), tables)
        # the flush sent no signal: every cached page and data entry is made stale all the same
        self.assertNotEqual((pagecache.content_version(), pagecache.page_cache().get(pagecache.EPOCH_KEY)), epoch)
        self.assertNotEqual(pagecache.page_cache().get(pagecache.EPOCH_KEY), epoch[1])

    def test_a_restore_that_fails_half_way_changes_nothing(self):
        self.back_up()
        manifest = dict(self.manifest, rows=dict(self.manifest["rows"], **{"members.member": 999}))
        self.write_manifest(manifest)
        make_member(name="Added after the backup")
        tables, media = snapshot_tables(), snapshot_media(self.media_root)
        with self.assertRaisesMessage(CommandError, "members.member (1, expected 999)"):
            run("restore", self.backup_dir, yes=True)
        # The flush and the load were rolled back; no media file was touched.
        self.assertEqual(snapshot_tables(), tables)
        self.assertEqual(snapshot_media(self.media_root), media)
        self.assertEqual([p.name for p in self.media_root.parent.iterdir() if p.name.startswith(".restore-")], [])

    def test_a_media_archive_with_unsafe_entries_is_refused(self):
        self.back_up()
        escape = tarfile.TarInfo("../escaped.txt")
        escape.size = 4
        link = tarfile.TarInfo("members/flags/link.png")
        link.type, link.linkname = tarfile.SYMTYPE, "/etc/passwd"
        cases = [(escape, "unsafe media path: '../escaped.txt'"), (link, "'members/flags/link.png', which is not")]
        tables, media = snapshot_tables(), snapshot_media(self.media_root)
        for info, message in cases:
            with self.subTest(info.name):
                self.forge_media_archive(info)
                with self.assertRaisesMessage(CommandError, message):
                    run("restore", self.backup_dir, yes=True)
                self.assertEqual(snapshot_tables(), tables)
                self.assertEqual(snapshot_media(self.media_root), media)
                self.assertFalse((self.media_root.parent / "escaped.txt").exists())

    def test_a_backup_is_signed_with_the_backup_key(self):
        output = self.back_up()
        signed = json.loads(self.read("signature.json"))
        expected = hmac.new(KEY.encode(), self.read("manifest.json"), hashlib.sha256).hexdigest()
        self.assertEqual(signed, {"algorithm": "HMAC-SHA256", "key_id": key_id(KEY), "signature": expected})
        self.assertIn(f"Signed (HMAC-SHA256) with the backup key {key_id(KEY)}.", output)
        self.assertEqual((self.backup_dir / "signature.json").stat().st_mode & 0o077, 0)
        self.assertIn("The manifest's signature is valid", run("restore", self.backup_dir, yes=True))

    def test_a_backup_whose_signature_fails_is_refused_before_anything_is_read(self):
        self.back_up()
        data = self.read("data.json.gz")
        original = self.manifest
        tampered_data = gzip.compress(gzip.decompress(data).replace(b"Flagland", b"Fakeland"))
        cases = {
            # The manifest made to vouch for an altered data file, without the key.
            "a tampered manifest": (
                lambda: (
                    (self.backup_dir / "data.json.gz").write_bytes(tampered_data),
                    self.write_manifest(
                        dict(original, data=dict(original["data"], sha256=hashlib.sha256(tampered_data).hexdigest())),
                        sign=False,
                    ),
                ),
                "manifest.json does not match its signature",
            ),
            "a missing signature": (
                lambda: (self.backup_dir / "signature.json").unlink(),
                "holds no signature.json",
            ),
            "a signature of garbage": (
                lambda: (self.backup_dir / "signature.json").write_text("{not json", encoding="utf-8"),
                "is not a backup signature",
            ),
            "another key's signature": (
                lambda: (self.backup_dir / "signature.json").write_text(
                    json.dumps(
                        {
                            "algorithm": "HMAC-SHA256",
                            "key_id": key_id("x" * 40),
                            "signature": signature(self.read("manifest.json"), "x" * 40),
                        }
                    ),
                    encoding="utf-8",
                ),
                "signed by another key",
            ),
        }
        manifest_bytes, signature_bytes = self.read("manifest.json"), self.read("signature.json")
        tables, media = snapshot_tables(), snapshot_media(self.media_root)
        for case, (spoil, message) in cases.items():
            with self.subTest(case):
                spoil()
                for yes in (False, True):
                    with self.assertRaisesMessage(CommandError, message):
                        run("restore", self.backup_dir, yes=yes)
                self.assertEqual(snapshot_tables(), tables)
                self.assertEqual(snapshot_media(self.media_root), media)
                (self.backup_dir / "manifest.json").write_bytes(manifest_bytes)
                (self.backup_dir / "signature.json").write_bytes(signature_bytes)
                (self.backup_dir / "data.json.gz").write_bytes(data)

    def test_a_data_file_swapped_for_another_backups_is_refused(self):
        self.back_up()
        other = self.backup_dir.parent / "other"
        make_member(name="Only in the other backup")
        run("backup", output=other)
        shutil.copy(other / "data.json.gz", self.backup_dir / "data.json.gz")
        tables = snapshot_tables()
        with self.assertRaisesMessage(CommandError, "data.json.gz does not match the manifest"):
            run("restore", self.backup_dir, yes=True)
        self.assertEqual(snapshot_tables(), tables)

    def test_restore_needs_the_key_the_backup_was_made_with(self):
        self.back_up()
        with override_settings(BACKUP_KEY=None), self.assertRaisesMessage(CommandError, "set BACKUP_KEY"):
            run("restore", self.backup_dir, yes=True)
        with override_settings(BACKUP_KEY="y" * 40), self.assertRaisesMessage(CommandError, "signed by another key"):
            run("restore", self.backup_dir, yes=True)

    def test_production_refuses_to_back_up_without_a_key(self):
        with override_settings(BACKUP_KEY=None, DEBUG=False), self.assertRaisesMessage(CommandError, "Set BACKUP_KEY"):
            run("backup", output=self.backup_dir)
        self.assertFalse(self.backup_dir.exists())

    def test_development_backs_up_unsigned_and_restore_needs_allow_unsigned(self):
        with override_settings(BACKUP_KEY=None, DEBUG=True):
            self.assertIn("UNSIGNED", self.back_up())
        self.assertFalse((self.backup_dir / "signature.json").exists())
        self.empty_everything()
        with self.assertRaisesMessage(CommandError, "pass --allow-unsigned"):
            run("restore", self.backup_dir)
        self.assertFalse(Member.objects.exists())
        self.assertIn(
            "UNSIGNED backup accepted (--allow-unsigned)", run("restore", self.backup_dir, allow_unsigned=True)
        )
        self.assertEqual(Member.objects.get().name, "Flagland")

    def forge_media_archive(self, info):
        """Replace media.tar.gz by one holding info, and make the manifest vouch for it."""
        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.addfile(info, io.BytesIO(b"evil") if info.isfile() else None)
        (self.backup_dir / "media.tar.gz").write_bytes(archive.getvalue())
        manifest = dict(self.manifest, media_files=[{"path": info.name, "size": 4, "sha256": "0" * 64}])
        manifest["media"] = dict(manifest["media"], sha256=hashlib.sha256(archive.getvalue()).hexdigest())
        self.write_manifest(manifest)

    def test_media_on_object_storage_need_skip_media(self):
        elsewhere = settings.STORAGES | {"default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
        output = self.backup_dir.parent / "database-only"
        with override_settings(STORAGES=elsewhere):
            with self.assertRaisesMessage(CommandError, "pass --skip-media"):
                run("backup", output=output)
            self.assertIn("Media left out (--skip-media).", run("backup", output=output, skip_media=True))
        self.assertEqual(sorted(p.name for p in output.iterdir()), ["data.json.gz", "manifest.json", "signature.json"])
        self.empty_everything()
        self.assertIn("The backup holds no media", run("restore", output))
        self.assertEqual(Member.objects.get().name, "Flagland")
        self.assertFalse(self.media_root.exists())

    def write_manifest(self, manifest, sign=True):
        """Replace the manifest; signed again with the key (deeper checks, as if the key's holder erred)."""
        data = json.dumps(manifest).encode()
        (self.backup_dir / "manifest.json").write_bytes(data)
        if sign:
            signed = {"algorithm": "HMAC-SHA256", "key_id": key_id(KEY), "signature": signature(data, KEY)}
            (self.backup_dir / "signature.json").write_text(json.dumps(signed), encoding="utf-8")

    def read(self, name):
        return (self.backup_dir / name).read_bytes()

    def flip_a_byte(self, name):
        data = bytearray(self.read(name))
        data[len(data) // 2] ^= 0xFF
        (self.backup_dir / name).write_bytes(bytes(data))


class FreshDatabaseRestoreTests(TransactionTestCase):
    """`make restore` on a new machine: a database just migrated (holding the groups migrations make) and an
    empty MEDIA_ROOT take a backup without --yes. Migrate and restore run as in production, in subprocesses
    with DJANGO_DEBUG=0; SQLite always, PostgreSQL when the suite runs on it (a database of its own)."""

    def setUp(self):
        tmp = Path(self.enterContext(tempfile.TemporaryDirectory()))
        self.tmp, self.backup_dir = tmp, tmp / "backup"
        self.enterContext(override_settings(MEDIA_ROOT=tmp / "source-media", BACKUP_KEY=KEY))
        member = make_member(name="Flagland", flag_alt="Flag of Flagland")
        member.flag.save("flagland.png", ContentFile(image_bytes()))
        User.objects.create_superuser("admin", "admin@example.org", "a-long-password")
        run("backup", output=self.backup_dir)
        self.manifest = json.loads((self.backup_dir / "manifest.json").read_text(encoding="utf-8"))

    def restore_into_a_fresh_database(self, database_url):
        env = servers.production_env(DATABASE_URL=database_url, MEDIA_ROOT=str(self.tmp / "media"), BACKUP_KEY=KEY)
        migrated = servers.manage("migrate", "--noinput", env=env)
        self.assertEqual(migrated.returncode, 0, migrated.stderr)
        restored = servers.manage("restore", str(self.backup_dir), env=env)
        self.assertEqual(restored.returncode, 0, restored.stderr)
        self.assertIn("The manifest's signature is valid", restored.stdout)
        self.assertIn("held only rows migrations create (auth.group (2))", restored.stdout)
        self.assertIn("every count matches the manifest", restored.stdout)
        self.assertEqual(snapshot_media(self.tmp / "media"), snapshot_media(self.tmp / "source-media"))
        # The backup's groups replaced the migrations' own; a second restore finds content and asks for --yes.
        again = servers.manage("restore", str(self.backup_dir), env=env)
        self.assertNotEqual(again.returncode, 0)
        self.assertIn("The database already holds content: auth.user (1)", again.stderr)
        check = servers.manage(
            "shell", "-c", "from members.models import Member; print(Member.objects.get().flag.name)", env=env
        )
        self.assertEqual(check.stdout.strip().splitlines()[-1], Member.objects.get().flag.name)

    def test_sqlite(self):
        self.restore_into_a_fresh_database(f"sqlite:///{self.tmp / 'fresh.sqlite3'}")

    @unittest.skipUnless(
        connection.vendor == "postgresql", "runs when the suite runs on PostgreSQL (DATABASE_URL=postgres://...)"
    )
    def test_postgresql(self):
        params = connection.get_connection_params()
        name = f"{connection.settings_dict['NAME']}_fresh"[:63]
        with connection.cursor() as cursor:  # outside any transaction (TransactionTestCase)
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
            cursor.execute(f'CREATE DATABASE "{name}"')
        try:
            password = f":{quote(params['password'])}" if params.get("password") else ""
            host = params.get("host") or "127.0.0.1"
            url = f"postgres://{quote(params.get('user', ''))}{password}@{host}:{params.get('port') or 5432}/{name}"
            self.restore_into_a_fresh_database(url)
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
