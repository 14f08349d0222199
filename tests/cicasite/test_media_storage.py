"""Media on S3-compatible object storage (django-storages), against a real S3 server on loopback:
moto in server mode stands in for the object store."""

import io
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import boto3
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from cicasite.core.images import rendition_name
from members.models import Member
from tests.cicasite.test_admin import member_form
from tests.factories import DRAFT, image_bytes, make_document, pdf_bytes

BUCKET = "cica-media"


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class S3MediaTests(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.port = free_port()
        cls.endpoint = f"http://127.0.0.1:{cls.port}"
        moto = str(Path(sys.executable).with_name("moto_server"))
        cls.moto = subprocess.Popen(
            [moto, "-H", "127.0.0.1", "-p", str(cls.port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", cls.port), timeout=0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    cls.moto.terminate()
                    raise
                time.sleep(0.1)
        credentials = {"aws_access_key_id": "test", "aws_secret_access_key": "test", "region_name": "us-east-1"}
        cls.s3 = boto3.client("s3", endpoint_url=cls.endpoint, **credentials)
        cls.s3.create_bucket(Bucket=BUCKET)
        # A private bucket, as in production: /media/ checks the record, then redirects to a signed URL.
        cls.storage_override = override_settings(
            STORAGES={
                **settings.STORAGES,
                "default": {
                    # The production settings' backend and options (cicasite/settings.py, MEDIA_STORAGE=s3).
                    "BACKEND": "cicasite.core.storage.MediaS3Storage",
                    "OPTIONS": {
                        "bucket_name": BUCKET,
                        "endpoint_url": cls.endpoint,
                        "region_name": "us-east-1",
                        "access_key": "test",
                        "secret_key": "test",
                        "file_overwrite": False,
                        "default_acl": None,
                        "signature_version": "s3v4",
                    },
                },
            }
        )
        cls.storage_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.storage_override.disable()
        cls.moto.terminate()
        cls.moto.wait(timeout=10)

    def test_uploaded_flag_is_stored_in_the_bucket_and_shown_from_it(self):
        editor = get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-password-123")
        self.client.force_login(editor)
        content = image_bytes("PNG", size=(90, 60))
        flag = SimpleUploadedFile("kz.png", content, content_type="image/png")
        response = self.client.post(reverse("admin:members_member_add"), member_form(flag=flag))
        self.assertEqual(response.status_code, 302)

        member = Member.objects.get(slug="kazakhstan")
        keys = [item["Key"] for item in self.s3.list_objects_v2(Bucket=BUCKET)["Contents"]]
        self.assertIn(member.flag.name, keys)
        self.assertTrue(member.flag.url.startswith("/media/members/flags/"))  # through the site's check
        self.assertEqual((member.flag.width, member.flag.height), (90, 60))

        page = self.client.get(member.get_absolute_url())
        self.client.logout()
        signed = self.client.get(member.flag.url)
        self.assertEqual(signed.status_code, 302)
        self.assertTrue(signed["Location"].startswith(f"{self.endpoint}/{BUCKET}/members/flags/"))
        with urllib.request.urlopen(signed["Location"], timeout=10) as fetched:  # noqa: S310 (loopback only)
            with Image.open(io.BytesIO(fetched.read())) as served:  # the re-encoded file, not the upload
                self.assertEqual((served.format, served.size), ("PNG", (90, 60)))
        # Renditions are made on save and stored through the same storage: WebP plus PNG.
        for extension in ("webp", "png"):
            self.assertIn(rendition_name(member.flag.name, 160, extension), keys)
        self.assertContains(page, f"{member.flag.storage.url(rendition_name(member.flag.name, 160, 'webp'))} 90w")

    def test_a_second_upload_with_the_same_name_never_overwrites(self):
        editor = get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-password-123")
        self.client.force_login(editor)
        for slug in ("first", "second"):
            flag = SimpleUploadedFile("flag.png", image_bytes("PNG"), content_type="image/png")
            data = member_form(flag=flag, slug=slug, name=slug.title(), iso_code="")
            self.assertEqual(self.client.post(reverse("admin:members_member_add"), data).status_code, 302)
        names = {m.flag.name for m in Member.objects.all()}
        self.assertEqual(len(names), 2)

    def upload_document(self, **fields):
        """A document uploaded as a browser may send it: a page's name and type, PDF content."""
        document = make_document(**fields)
        document.file.save("minutes.html", SimpleUploadedFile("minutes.html", pdf_bytes(), "text/html"), save=True)
        return document

    def test_objects_take_their_type_from_the_allow_list_never_from_the_upload(self):
        document = self.upload_document()
        self.assertRegex(document.file.name, r"^documents/[0-9a-f]{32}\.pdf$")
        stored = self.s3.head_object(Bucket=BUCKET, Key=document.file.name)
        self.assertEqual(stored["ContentType"], "application/pdf")
        self.assertEqual(stored["ContentDisposition"], f'inline; filename="{document.file.name.split("/")[-1]}"')
        self.assertEqual(stored["CacheControl"], "private, no-store")

    def test_a_public_document_redirects_to_a_short_lived_signed_url(self):
        document = self.upload_document()
        response = self.client.get(document.file.url)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Cache-Control"], "public, max-age=240")
        self.assertIn("X-Amz-Expires=300", response["Location"])
        with urllib.request.urlopen(response["Location"], timeout=10) as fetched:  # noqa: S310 (loopback only)
            self.assertEqual(fetched.read(), pdf_bytes())
            self.assertEqual(fetched.headers["Content-Type"], "application/pdf")
            self.assertEqual(fetched.headers["Cache-Control"], "public, max-age=600")

    def test_a_draft_document_is_404_to_the_public_and_signed_privately_for_staff(self):
        document = self.upload_document(publication_status=DRAFT)
        self.assertEqual(self.client.get(document.file.url).status_code, 404)
        staff = get_user_model().objects.create_superuser("paul", "p@example.org", "a-long-password-123")
        self.client.force_login(staff)
        response = self.client.get(document.file.url)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Cache-Control"], "private, no-store")
        with urllib.request.urlopen(response["Location"], timeout=10) as fetched:  # noqa: S310 (loopback only)
            self.assertEqual(fetched.headers["Cache-Control"], "private, no-store")
