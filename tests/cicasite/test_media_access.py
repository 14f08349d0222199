"""Uploaded files on the filesystem storage: random names, and served only while their record is public."""

import io
import re
import shutil
import tempfile
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from cicasite.core.images import rendition_name
from cicasite.core.validators import validate_pdf_file
from tests.factories import DRAFT, image_bytes, make_document, make_event, make_member, pdf_bytes

MEDIA = tempfile.mkdtemp(prefix="cica-test-media-access-")


def body(response):
    return b"".join(response.streaming_content)


@override_settings(MEDIA_ROOT=MEDIA)
class MediaAccessTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.staff = get_user_model().objects.create_superuser("paul", "paul@example.org", "a-long-password-123")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def document(self, event=None, upload_name="Draft declaration v3 (secret).html", **fields):
        document = make_document(event=event or make_event(), **fields)
        document.file.save(upload_name, ContentFile(pdf_bytes()), save=True)
        return document

    def test_a_document_is_stored_as_pdf_under_a_random_name(self):
        first, second = self.document(), self.document(upload_name="Draft declaration v3 (secret).html")
        for document in (first, second):
            self.assertRegex(document.file.name, r"^documents/[0-9a-f]{32}\.pdf$")
            self.assertNotIn("secret", document.file.name)
        self.assertNotEqual(first.file.name, second.file.name)

    def test_an_image_is_stored_under_a_random_name_not_its_content_hash(self):
        names = set()
        for _ in range(2):
            member = make_member(flag_alt="Flag")
            member.flag.save("flag.png", ContentFile(image_bytes("PNG")), save=True)  # the same picture twice
            self.assertRegex(member.flag.name, r"^members/flags/[0-9a-f]{32}\.png$")
            names.add(member.flag.name)
        self.assertEqual(len(names), 2)

    def test_a_pdf_must_start_with_the_pdf_marker(self):
        for content in (b"<html><script>alert(1)</script>%PDF-1.4", b" %PDF-1.4", b"<svg>%PDF-</svg>", b"%PDF"):
            with self.subTest(content=content), self.assertRaises(ValidationError):
                validate_pdf_file(SimpleUploadedFile("a.pdf", content))
        validate_pdf_file(SimpleUploadedFile("a.pdf", pdf_bytes()))

    def test_a_public_document_is_served_typed_and_cacheable(self):
        document = self.document()
        with self.assertNumQueries(1):  # is the owning document public, of a public meeting
            response = self.client.get(document.file.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(body(response), pdf_bytes())
        self.assertEqual(response["Content-Type"], "application/pdf")
        self.assertEqual(response["Cache-Control"], "public, max-age=600")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertIn("sandbox", response["Content-Security-Policy"])
        self.assertRegex(response["Content-Disposition"], r'^inline; filename="[0-9a-f]{32}\.pdf"$')

    def test_files_of_records_that_are_not_public_are_404_to_the_public(self):
        now = timezone.now()
        hidden = [
            self.document(publication_status=DRAFT),
            self.document(publish_at=now + timedelta(days=1)),
            self.document(publish_at=now - timedelta(days=2), unpublish_at=now - timedelta(days=1)),
            self.document(event=make_event(publication_status=DRAFT)),  # a published document of a draft meeting
        ]
        for document in hidden:
            with self.subTest(document=document.title):
                self.assertEqual(self.client.get(document.file.url).status_code, 404)

    def test_staff_get_files_of_drafts_privately(self):
        document = self.document(publication_status=DRAFT)
        self.client.force_login(self.staff)
        response = self.client.get(document.file.url)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        self.assertEqual(response["X-Robots-Tag"], "noindex")

    def test_a_scheduled_file_appears_with_its_record(self):
        document = self.document(publish_at=timezone.now() + timedelta(hours=1))
        self.assertEqual(self.client.get(document.file.url).status_code, 404)
        document.publish_at = timezone.now() - timedelta(seconds=1)
        document.save(update_fields=["publish_at"])
        self.assertEqual(self.client.get(document.file.url).status_code, 200)

    def test_renditions_follow_their_original(self):
        member = make_member(publication_status=DRAFT, flag_alt="Flag")
        member.flag.save("flag.png", ContentFile(image_bytes("PNG", size=(300, 200))), save=True)
        urls = [member.flag.url, *(f"/media/{rendition_name(member.flag.name, 160, e)}" for e in ("webp", "png"))]
        for url in urls:
            self.assertEqual(self.client.get(url).status_code, 404)
        member.publication_status = "published"
        member.save()
        for url in urls:
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response["Content-Type"].startswith("image/"))

    def test_a_replaced_image_is_kept_for_staff_only(self):
        member = make_member(flag_alt="Flag")
        member.flag.save("old.png", ContentFile(image_bytes("PNG")), save=True)
        old = member.flag.url
        self.assertEqual(self.client.get(old).status_code, 200)
        member.flag.save("new.png", ContentFile(image_bytes("PNG", color=(9, 9, 9))), save=True)
        self.assertEqual(self.client.get(old).status_code, 404)
        self.client.force_login(self.staff)
        self.assertEqual(self.client.get(old)["Cache-Control"], "private, no-store")

    def test_odd_media_paths_are_404(self):
        document = self.document()
        self.client.force_login(self.staff)  # not even staff
        for path in (
            "/media/",
            "/media/documents/",
            "/media/documents/../db.sqlite3",
            "/media/documents/%00.pdf",
            "/media/x%00",
            "/media/" + "a" * 300,  # longer than a file name may be
            "/media/%2e%2e/x",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)
        self.assertTrue(re.match(r"^/media/documents/", document.file.url))


@override_settings(MEDIA_ROOT=MEDIA)
class RandomNamesCommandTests(TestCase):
    def test_refresh_media_random_names_moves_uploads_stored_under_guessable_names(self):
        old_pdf = default_storage.save("documents/Secret plan v2.pdf", ContentFile(pdf_bytes()))
        document = make_document(publication_status=DRAFT, file=old_pdf)
        old_flag = default_storage.save("members/flags/kazakhstan.png", ContentFile(image_bytes("PNG")))
        member = make_member(publication_status=DRAFT, flag=old_flag, flag_alt="Flag")

        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):  # the old files go once the rows point elsewhere
            call_command("refresh_media", "--random-names", stdout=out)
        self.assertIn("(1 documents renamed)", out.getvalue())
        document.refresh_from_db()
        member.refresh_from_db()
        self.assertRegex(document.file.name, r"^documents/[0-9a-f]{32}\.pdf$")
        self.assertRegex(member.flag.name, r"^members/flags/[0-9a-f]{32}\.png$")
        self.assertEqual(document.file.read(), pdf_bytes())
        self.assertEqual(document.file_sha256, make_document(file=document.file.name).file_sha256)
        self.assertFalse(default_storage.exists(old_pdf))
        self.assertFalse(default_storage.exists(old_flag))
        self.assertTrue(default_storage.exists(rendition_name(member.flag.name, 160, "webp")))

        call_command("refresh_media", "--random-names", stdout=out)  # a second run renames no document
        self.assertIn("(0 documents renamed)", out.getvalue())
