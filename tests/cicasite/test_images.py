"""What is stored for an uploaded image or document, and what the public pages make of it."""

import hashlib
import io
import json
import re
import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.template.defaultfilters import filesizeformat
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image, ImageCms

from cicasite.core.images import rendition_name
from events.models import Document
from members.models import Member
from tests.cicasite.test_admin import member_form
from tests.factories import PUBLISHED, image_bytes, make_event, make_member, pdf_bytes

MEDIA = tempfile.mkdtemp(prefix="cica-test-images-")
GPS_IFD = 0x8825
ORIENTATION = 0x0112


def jpeg_with_gps_and_orientation(size=(600, 400), orientation=6):
    """A camera-like JPEG: GPS position, a maker, a comment, and 'rotate 90° clockwise to view'."""
    image = Image.new("RGB", size, (200, 30, 30))
    image.paste((30, 30, 200), (0, 0, size[0] // 4, size[1]))  # a blue band on the stored left edge
    exif = Image.Exif()
    exif[ORIENTATION] = orientation
    exif[0x010F] = "SecretCam"  # Make
    exif.get_ifd(GPS_IFD).update({1: "N", 2: (43.0, 14.0, 30.0), 3: "E", 4: (76.0, 53.0, 10.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif.tobytes(), comment=b"taken at home")
    return buffer.getvalue()


def png_with_profile(size=(1200, 600)):
    buffer = io.BytesIO()
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    Image.new("RGB", size, (0, 90, 160)).save(buffer, format="PNG", icc_profile=profile)
    return buffer.getvalue()


def stored(name):
    return Path(MEDIA) / name


@override_settings(MEDIA_ROOT=MEDIA)
class ImageUploadTests(TestCase):
    def change_form(self, url, **overrides):
        """member_form() with the change form's edit token, as a browser posts it (no lost updates)."""
        token = self.client.get(url).context["adminform"].form.fields["edit_token"].initial
        return member_form(edit_token=token, **overrides)

    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-123")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self):
        self.client.force_login(self.editor)

    def upload_flag(self, content, filename="holiday-at-home.jpg", **overrides):
        flag = SimpleUploadedFile(filename, content, content_type="image/jpeg")
        response = self.client.post(reverse("admin:members_member_add"), member_form(flag=flag, **overrides))
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        return Member.objects.get(slug=overrides.get("slug", "kazakhstan"))

    def test_exif_and_gps_are_stripped_from_the_stored_file(self):
        upload = jpeg_with_gps_and_orientation()
        self.assertIn(b"SecretCam", upload)  # the probe really carries metadata
        member = self.upload_flag(upload)
        data = stored(member.flag.name).read_bytes()
        for trace in (b"Exif", b"SecretCam", b"taken at home", b"ICC_PROFILE"):
            self.assertNotIn(trace, data)
        with Image.open(stored(member.flag.name)) as image:
            self.assertEqual(image.format, "JPEG")
            self.assertEqual(dict(image.getexif()), {})
            self.assertNotIn("exif", image.info)
            self.assertNotIn("comment", image.info)

    def test_orientation_is_applied_to_the_pixels(self):
        member = self.upload_flag(jpeg_with_gps_and_orientation(size=(600, 400), orientation=6))
        self.assertEqual((member.flag_width, member.flag_height), (400, 600))
        with Image.open(stored(member.flag.name)) as image:
            self.assertEqual(image.size, (400, 600))
            # Orientation 6 turns the blue left band into the top band.
            red, green, blue = image.convert("RGB").getpixel((200, 20))
            self.assertGreater(blue, red)
            red, green, blue = image.convert("RGB").getpixel((200, 580))
            self.assertGreater(red, blue)

    def test_stored_under_a_generated_name_in_the_same_format_family(self):
        cases = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
        for image_format, extension in cases.items():
            with self.subTest(image_format):
                slug = f"member-{extension}"
                member = self.upload_flag(
                    image_bytes(image_format, size=(300, 200)),
                    filename="../../My Flag<script>.png",
                    slug=slug,
                    name=slug,
                    iso_code="",
                )
                # The content hash; the storage adds a suffix when the same file is already stored.
                self.assertRegex(member.flag.name, rf"^members/flags/[0-9a-f]{{32}}(_[0-9A-Za-z]{{7}})?\.{extension}$")
                with Image.open(stored(member.flag.name)) as image:
                    self.assertEqual(image.format, image_format)

    def test_renditions_exist_at_the_right_widths_and_formats_after_an_admin_save(self):
        member = self.upload_flag(png_with_profile(size=(1200, 600)), filename="flag.png")
        self.assertEqual((member.flag_width, member.flag_height), (1200, 600))
        for width in (160, 480, 960):
            for extension, image_format in (("webp", "WEBP"), ("png", "PNG")):
                with self.subTest(width=width, format=image_format):
                    with Image.open(stored(rendition_name(member.flag.name, width, extension))) as image:
                        self.assertEqual(image.format, image_format)
                        self.assertEqual(image.size, (width, width // 2))
                        self.assertNotIn("icc_profile", image.info)

    def test_small_images_are_never_upscaled(self):
        member = self.upload_flag(image_bytes("JPEG", size=(90, 60)))
        stem = Path(member.flag.name).stem
        renditions = sorted(p.name for p in stored(member.flag.name).parent.joinpath("renditions").glob(f"{stem}-*"))
        self.assertEqual(renditions, [f"{stem}-160.jpg", f"{stem}-160.webp"])
        with Image.open(stored(rendition_name(member.flag.name, 160, "webp"))) as image:
            self.assertEqual(image.size, (90, 60))

    def test_replacing_or_clearing_the_image_removes_the_old_renditions(self):
        member = self.upload_flag(image_bytes("PNG", size=(600, 300), color=(1, 2, 3)), filename="a.png")
        first = member.flag.name
        old = [rendition_name(first, w, ext) for w in (160, 480) for ext in ("webp", "png")]
        self.assertTrue(all(stored(name).exists() for name in old))

        change = reverse("admin:members_member_change", args=[member.pk])
        replacement = SimpleUploadedFile("b.jpg", image_bytes("JPEG", size=(500, 500)), content_type="image/jpeg")
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(change, self.change_form(change, flag=replacement)).status_code, 302)
        member.refresh_from_db()
        self.assertNotEqual(member.flag.name, first)
        self.assertEqual((member.flag_width, member.flag_height), (500, 500))
        self.assertFalse(any(stored(name).exists() for name in old))
        new = [rendition_name(member.flag.name, w, ext) for w in (160, 480) for ext in ("webp", "jpg")]
        self.assertTrue(all(stored(name).exists() for name in new))

        # Saving without a new file keeps everything as it is.
        self.assertEqual(self.client.post(change, self.change_form(change)).status_code, 302)
        self.assertTrue(all(stored(name).exists() for name in new))

        with self.captureOnCommitCallbacks(execute=True):
            cleared = self.change_form(change, **{"flag-clear": "on"})
            self.assertEqual(self.client.post(change, cleared).status_code, 302)
        member.refresh_from_db()
        self.assertFalse(member.flag)
        self.assertIsNone(member.flag_width)
        self.assertFalse(any(stored(name).exists() for name in new))

    def test_reverting_to_an_earlier_image_rebuilds_its_renditions(self):
        member = self.upload_flag(image_bytes("PNG", size=(640, 320), color=(5, 6, 7)), filename="a.png")
        earlier = {f.attname: getattr(member, f.attname) for f in Member._meta.concrete_fields}
        earlier["flag"] = member.flag.name
        change = reverse("admin:members_member_change", args=[member.pk])
        replacement = SimpleUploadedFile("b.jpg", image_bytes("JPEG", size=(300, 300)), content_type="image/jpeg")
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(change, self.change_form(change, flag=replacement))
        self.assertFalse(stored(rendition_name(earlier["flag"], 480, "webp")).exists())
        # A history library's revert: a new instance from the stored values of a revision, saved.
        Member(**earlier).save()
        member.refresh_from_db()
        self.assertEqual((member.flag.name, member.flag_width), (earlier["flag"], 640))
        for extension in ("webp", "png"):
            self.assertTrue(stored(rendition_name(member.flag.name, 480, extension)).exists())

    def test_a_save_that_fails_keeps_the_old_renditions(self):
        member = self.upload_flag(image_bytes("PNG", size=(300, 200)), filename="a.png")
        old = [rendition_name(member.flag.name, 160, ext) for ext in ("webp", "png")]
        make_member(slug="taken", iso_code="TK")
        member.flag = SimpleUploadedFile("b.png", image_bytes("PNG", size=(300, 200), color=(9, 9, 9)))
        member.slug = "taken"  # the row cannot be written: member_slug_unique
        with self.captureOnCommitCallbacks(execute=True), self.assertRaises(IntegrityError), transaction.atomic():
            member.save()
        self.assertTrue(all(stored(name).exists() for name in old))

    def test_public_pages_use_picture_srcset_and_set_width_and_height(self):
        member = self.upload_flag(image_bytes("PNG", size=(1200, 800)), filename="flag.png")
        webp = ", ".join(
            f"{default_storage.url(rendition_name(member.flag.name, w, 'webp'))} {w}w" for w in (160, 480, 960)
        )
        detail = self.client.get(member.get_absolute_url())
        self.assertContains(detail, f'<source type="image/webp" srcset="{webp}" sizes="96px">', html=False)
        self.assertContains(detail, 'sizes="96px" alt="Flag of Kazakhstan" width="96" height="64">')
        self.assertNotContains(detail, 'loading="lazy"')  # the one flag of the page is above the fold
        largest = rendition_name(member.flag.name, 960, "png")
        self.assertContains(detail, f'"image": "{settings.SITE_URL}{default_storage.url(largest)}"')  # JSON-LD
        listing = self.client.get(reverse("members:member-list"))
        self.assertContains(listing, 'sizes="36px" alt="Flag of Kazakhstan" width="36" height="24" loading="lazy"')
        self.assertContains(listing, f"{default_storage.url(rendition_name(member.flag.name, 160, 'png'))} 160w")

    def test_a_public_request_does_no_image_work(self):
        """The page is built from stored fields: with every file gone it still renders in full,
        and a member with a flag costs the same queries as one without."""
        member = self.upload_flag(image_bytes("PNG", size=(800, 600)), filename="flag.png")
        plain = make_member(name="Plain", slug="plain", iso_code="PL")
        with CaptureQueriesContext(connection) as without_flag:
            self.assertEqual(self.client.get(plain.get_absolute_url()).status_code, 200)
        shutil.rmtree(stored("members"))
        with CaptureQueriesContext(connection) as with_flag:
            response = self.client.get(member.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, rendition_name(member.flag.name, 480, "webp"))
        self.assertEqual(len(with_flag), len(without_flag))

    def test_storing_by_code_with_fieldfile_save_cleans_too(self):
        member = make_member(slug="by-code", flag_alt="Flag")
        member.flag.save("first.png", ContentFile(image_bytes("PNG", size=(500, 250))))
        first = member.flag.name
        self.assertTrue(stored(rendition_name(first, 480, "webp")).exists())
        with self.captureOnCommitCallbacks(execute=True):
            member.flag.save("holiday-at-home.jpg", ContentFile(jpeg_with_gps_and_orientation()))
        member.refresh_from_db()
        self.assertRegex(member.flag.name, r"^members/flags/[0-9a-f]{32}(_[0-9A-Za-z]{7})?\.jpg$")
        self.assertEqual((member.flag_width, member.flag_height), (400, 600))
        self.assertNotIn(b"SecretCam", stored(member.flag.name).read_bytes())
        self.assertTrue(stored(rendition_name(member.flag.name, 480, "webp")).exists())
        self.assertFalse(stored(rendition_name(first, 480, "webp")).exists())

    def test_event_image_saved_by_code_gets_renditions_like_an_admin_upload(self):
        event = make_event(slug="summit", image_alt="Leaders at the summit")
        event.image = SimpleUploadedFile("photo.jpg", jpeg_with_gps_and_orientation(size=(1600, 900), orientation=1))
        event.save()
        self.assertEqual((event.image_width, event.image_height), (1600, 900))
        for width in (160, 480, 960):
            self.assertTrue(stored(rendition_name(event.image.name, width, "webp")).exists())
            self.assertTrue(stored(rendition_name(event.image.name, width, "jpg")).exists())
        page = self.client.get(event.get_absolute_url())
        self.assertContains(page, 'alt="Leaders at the summit" width="1600" height="900"')
        self.assertContains(page, f"{default_storage.url(rendition_name(event.image.name, 960, 'jpg'))} 960w")

    def test_refresh_media_rebuilds_missing_renditions_and_dimensions(self):
        member = self.upload_flag(image_bytes("PNG", size=(700, 350)), filename="flag.png")
        shutil.rmtree(stored("members/flags/renditions"))
        Member.objects.filter(pk=member.pk).update(flag_width=None, flag_height=None)
        document = make_document_with_file()
        Document.objects.filter(pk=document.pk).update(file_size=None, file_sha256="")
        out = io.StringIO()
        call_command("refresh_media", stdout=out)
        self.assertIn("1 images (6 renditions), 1 documents refreshed; 0 files unreadable.", out.getvalue())
        member.refresh_from_db()
        self.assertEqual((member.flag_width, member.flag_height), (700, 350))
        self.assertTrue(stored(rendition_name(member.flag.name, 480, "webp")).exists())
        document.refresh_from_db()
        self.assertEqual(document.file_sha256, hashlib.sha256(pdf_bytes()).hexdigest())
        self.assertEqual(document.file_size, len(pdf_bytes()))

    def test_refresh_media_reencode_cleans_originals_stored_before_cleaning_existed(self):
        legacy = "members/flags/legacy-upload.jpg"
        default_storage.save(legacy, io.BytesIO(jpeg_with_gps_and_orientation()))
        member = make_member(slug="legacy", flag=legacy, flag_alt="Flag")
        out = io.StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("refresh_media", "--reencode", stdout=out)
        self.assertIn("1 images (4 renditions)", out.getvalue())  # 160 and 400 px wide, two formats each
        member.refresh_from_db()
        self.assertRegex(member.flag.name, r"^members/flags/[0-9a-f]{32}(_[0-9A-Za-z]{7})?\.jpg$")
        self.assertEqual((member.flag_width, member.flag_height), (400, 600))
        self.assertNotIn(b"SecretCam", stored(member.flag.name).read_bytes())
        self.assertFalse(stored(legacy).exists())
        self.assertTrue(stored(rendition_name(member.flag.name, 160, "webp")).exists())

    def test_cmyk_jpeg_is_stored_as_rgb(self):
        buffer = io.BytesIO()
        Image.new("CMYK", (200, 100), (0, 100, 200, 0)).save(buffer, format="JPEG")
        member = self.upload_flag(buffer.getvalue())
        with Image.open(stored(member.flag.name)) as image:
            self.assertEqual((image.format, image.mode), ("JPEG", "RGB"))


def make_document_with_file(content=None, **overrides):
    event = make_event()
    document = Document(event=event, title="Almaty Act", publication_status=PUBLISHED, **overrides)
    document.file = SimpleUploadedFile("act.pdf", content or pdf_bytes(), content_type="application/pdf")
    document.save()
    return document


@override_settings(MEDIA_ROOT=MEDIA)
class DocumentFileTests(TestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_sha256_and_size_of_an_uploaded_pdf_are_stored_and_shown(self):
        editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-123")
        self.client.force_login(editor)
        event = make_event(slug="almaty-summit")
        content = pdf_bytes() + b"%" + b"x" * 1_300_000 + b"\n"
        upload = SimpleUploadedFile("act.pdf", content, content_type="application/pdf")
        data = {
            "event": event.pk,
            "title_en": "Almaty Act",
            "kind": "act",
            "position": 0,
            "publication_status": PUBLISHED,
        }
        self.assertEqual(
            self.client.post(reverse("admin:events_document_add"), {**data, "file": upload}).status_code, 302
        )
        document = Document.objects.get(title="Almaty Act")
        digest = hashlib.sha256(content).hexdigest()
        self.assertEqual(document.file_sha256, digest)
        self.assertEqual(document.file_size, len(content))
        self.assertEqual(hashlib.sha256(stored(document.file.name).read_bytes()).hexdigest(), digest)
        self.client.logout()
        page = self.client.get(event.get_absolute_url())
        self.assertContains(page, f'<code class="document__sha256">{digest}</code>')
        self.assertContains(page, f'Download PDF (<span lang="en">English</span>, {filesizeformat(len(content))})')
        self.assertEqual(filesizeformat(len(content)), "1.2\xa0MB")

    @override_settings(SITE_URL="https://cica.example")
    def test_json_ld_names_each_document_file_with_its_size_and_sha256(self):
        document = make_document_with_file()
        page = self.client.get(document.event.get_absolute_url()).content.decode()
        data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1))
        self.assertEqual(
            data["subjectOf"],
            [
                {
                    "@type": "DigitalDocument",
                    "name": "Almaty Act",
                    "url": f"https://cica.example/documents/{document.slug}/",
                    "associatedMedia": [
                        {
                            "@type": "MediaObject",
                            "inLanguage": "en",
                            "contentUrl": f"https://cica.example/media/{document.file.name}",
                            "encodingFormat": "application/pdf",
                            "contentSize": f"{len(pdf_bytes())} B",
                            "sha256": hashlib.sha256(pdf_bytes()).hexdigest(),
                        }
                    ],
                }
            ],
        )

    def test_page_shows_documents_without_reading_their_files(self):
        document = make_document_with_file()
        Path(stored(document.file.name)).unlink()
        page = self.client.get(document.event.get_absolute_url())
        self.assertContains(page, f'Download PDF (<span lang="en">English</span>, {filesizeformat(len(pdf_bytes()))})')
        self.assertContains(page, document.file_sha256)

    def test_clearing_the_file_clears_its_size_and_hash(self):
        document = make_document_with_file()
        document.file = ""
        document.save()
        document.refresh_from_db()
        self.assertEqual((document.file_size, document.file_sha256), (None, ""))

    def test_documents_without_a_file_show_no_hash(self):
        event = make_event()
        Document.objects.create(event=event, title="Lost text", publication_status=PUBLISHED)
        page = self.client.get(event.get_absolute_url())
        self.assertContains(page, "Lost text")
        self.assertNotContains(page, "SHA-256")
        self.assertIsNone(re.search(r"document__sha256", page.content.decode()))
