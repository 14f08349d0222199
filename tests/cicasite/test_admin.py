import io
import shutil
import struct
import tempfile
import zlib
from pathlib import Path

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image

from cicasite.core.images import rendition_name
from cicasite.core.models import LegacyRedirect, Organ, Partner, SecretariatHead, SiteSettings, Source
from events.models import Document, Event
from initiatives.models import Initiative
from members.models import Member, Role
from tests.factories import (
    DRAFT,
    PUBLISHED,
    image_bytes,
    make_area,
    make_chairmanship,
    make_document,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
    pdf_bytes,
)

MEDIA = tempfile.mkdtemp(prefix="cica-test-media-")


def png_header_only(width, height):
    """A PNG that declares huge dimensions but carries almost no data (a decompression bomb probe)."""

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"\x00" * 64)) + chunk(b"IEND", b"")
    )


def png_with_text_chunk(text):
    """A valid PNG carrying text in a tEXt chunk: an image that is also a script to a sniffing browser."""
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", text.decode())
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, format="PNG", pnginfo=info)
    return buffer.getvalue()


def member_form(**overrides):
    data = {
        "name_en": "Kazakhstan",
        "name_ru": "Казахстан",
        "slug": "kazakhstan",
        "status": "member",
        "iso_code": "KZ",
        "region": "",
        "joined": "1999",
        "capital_en": "Astana",
        "capital_ru": "Астана",
        "website": "",
        "summary_en": "",
        "body_en": "",
        "flag_alt_en": "Flag of Kazakhstan",
        "flag_alt_ru": "Флаг Казахстана",
        "verified": "on",
        "notes_en": "",
        "publication_status": PUBLISHED,
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "roles-MIN_NUM_FORMS": "0",
        "roles-MAX_NUM_FORMS": "1000",
    }
    data.update(overrides)
    return data


@override_settings(MEDIA_ROOT=MEDIA)
class AdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-123")
        member = make_member(region=make_region())
        make_role(member=member, area=make_area())
        event = make_event(host=member)
        make_document(event=event)
        chair = make_chairmanship(member=member)
        make_initiative(chairmanship=chair, proposed_by="chairmanship", lead=member).events.add(event)
        Source.objects.create(code="S01", title="Seed article")
        Organ.objects.create(name="Summit", slug="summit", kind="governing")
        SecretariatHead.objects.create(name="Kairat Sarybay", title="Secretary General", start_year=2020)
        Partner.objects.create(name="UNODC")
        LegacyRedirect.objects.create(key="first-summit", target="/events/first-cica-summit-2002/")
        SiteSettings.objects.create(**SiteSettings.default_values())

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def setUp(self):
        self.client.force_login(self.editor)

    def test_changelist_add_and_change_pages_load_for_every_model(self):
        for model in admin.site._registry:
            if model._meta.app_label not in {"cicasite", "members", "events", "initiatives"}:
                continue
            info = model._meta.app_label, model._meta.model_name
            obj = model.objects.first()
            with self.subTest(model=model.__name__):
                self.assertEqual(self.client.get(reverse("admin:{}_{}_changelist".format(*info))).status_code, 200)
                # The site settings are one row: once it exists, there is nothing to add.
                adding = 403 if model is SiteSettings else 200
                self.assertEqual(self.client.get(reverse("admin:{}_{}_add".format(*info))).status_code, adding)
                self.assertIsNotNone(obj, "every model has a row in this test")
                self.assertEqual(
                    self.client.get(reverse("admin:{}_{}_change".format(*info), args=[obj.pk])).status_code, 200
                )

    def test_changelist_search_and_filters(self):
        url = reverse("admin:members_member_changelist")
        self.assertEqual(
            self.client.get(url, {"q": "Member", "publication_status__exact": "published"}).status_code, 200
        )
        self.assertEqual(
            self.client.get(reverse("admin:events_event_changelist"), {"kind__exact": "summit"}).status_code, 200
        )

    def test_autocomplete_answers_for_related_records(self):
        url = reverse("admin:autocomplete")
        response = self.client.get(
            url, {"app_label": "events", "model_name": "event", "field_name": "host", "term": "Mem"}
        )
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.json()["results"])

    def test_create_member_with_flag_then_see_it_published(self):
        flag = SimpleUploadedFile("kz.png", image_bytes("PNG"), content_type="image/png")
        response = self.client.post(reverse("admin:members_member_add"), member_form(flag=flag))
        self.assertEqual(response.status_code, 302, response.context and response.context["adminform"].form.errors)
        member = Member.objects.get(slug="kazakhstan")
        self.assertTrue(member.flag.name.startswith("members/flags/"))
        self.assertEqual(Path(member.flag.path).stat().st_mode & 0o777, 0o644)
        public = self.client.get("/members/kazakhstan/")
        self.assertContains(public, f"/media/{rendition_name(member.flag.name, 160, 'webp')} 60w")
        self.assertContains(public, 'alt="Flag of Kazakhstan"')

    def test_draft_created_in_admin_is_not_public_until_published(self):
        self.client.post(reverse("admin:members_member_add"), member_form(publication_status=DRAFT))
        self.client.logout()
        self.assertEqual(self.client.get("/members/kazakhstan/").status_code, 404)
        self.assertNotContains(self.client.get("/members/"), "Kazakhstan")
        Member.objects.filter(slug="kazakhstan").update(publication_status=PUBLISHED)
        self.assertEqual(self.client.get("/members/kazakhstan/").status_code, 200)

    def test_broken_uploads_get_a_clear_form_error(self):
        truncated = image_bytes("PNG", size=(400, 300), color=(10, 200, 30))
        cases = {
            "text named .png": (b"this is not an image at all", "not a complete image"),
            "truncated png": (truncated[: len(truncated) // 2], "not a complete image"),
            "gif": (image_bytes("GIF"), "Upload a JPEG, PNG or WebP image"),
            "too many pixels": (png_header_only(8000, 6000), "megapixels"),
            "decompression bomb": (png_header_only(30000, 30000), "too many pixels"),
            "svg": (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', "not a complete"),
            "html named .png": (b"<!doctype html><script>alert(1)</script>", "not a complete image"),
            "png with a zip appended": (image_bytes("PNG") + b"PK\x03\x04" + b"\0" * 100, "data after the end"),
            "jpeg with html appended": (
                image_bytes("JPEG") + b"<html><script>alert(1)</script>",
                "data after the end",
            ),
            "png with markup inside": (png_with_text_chunk(b"<script>alert(1)</script>"), "markup"),
        }
        for label, (content, message) in cases.items():
            with self.subTest(label):
                upload = SimpleUploadedFile("flag.png", content, content_type="image/png")
                response = self.client.post(reverse("admin:members_member_add"), member_form(flag=upload))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, message)
                self.assertFalse(Member.objects.filter(slug="kazakhstan").exists())

    @override_settings(IMAGE_MAX_BYTES=1000)
    def test_oversized_upload_gets_a_clear_form_error(self):
        upload = SimpleUploadedFile("flag.png", image_bytes("PNG", size=(300, 300)) + b"\0" * 2000)
        response = self.client.post(reverse("admin:members_member_add"), member_form(flag=upload))
        self.assertContains(response, "the limit is")

    def test_flag_without_alt_text_is_refused(self):
        flag = SimpleUploadedFile("kz.png", image_bytes("PNG"), content_type="image/png")
        data = member_form(flag=flag, flag_alt_en="", flag_alt_ru="")
        response = self.client.post(reverse("admin:members_member_add"), data)
        self.assertContains(response, "Describe the image")

    def test_member_with_roles_inline(self):
        area = make_area()
        data = member_form(
            **{
                "roles-TOTAL_FORMS": "1",
                "roles-0-area": str(area.pk),
                "roles-0-role": "coordinator",
                "roles-0-as_of": "2024",
                "roles-0-verified": "on",
            }
        )
        response = self.client.post(reverse("admin:members_member_add"), data)
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Role.objects.filter(member__slug="kazakhstan", area=area, role="coordinator").exists())

    def test_pdf_document_upload_and_non_pdf_refused(self):
        event = make_event()
        url = reverse("admin:events_document_add")
        base = {
            "event": event.pk,
            "title_en": "Almaty Act",
            "kind": "act",
            "position": 0,
            "publication_status": PUBLISHED,
        }
        bad = SimpleUploadedFile("act.pdf", b"<html>not a pdf</html>", content_type="application/pdf")
        self.assertContains(self.client.post(url, {**base, "file": bad}), "not a PDF")
        good = SimpleUploadedFile("act.pdf", pdf_bytes(), content_type="application/pdf")
        self.assertEqual(self.client.post(url, {**base, "file": good}).status_code, 302)
        document = Document.objects.get(title="Almaty Act")
        self.assertTrue(document.file.name.endswith(".pdf"))

    def test_bulk_publish_and_unpublish_actions(self):
        drafts = [make_initiative(publication_status=DRAFT) for _ in range(3)]
        url = reverse("admin:initiatives_initiative_changelist")
        self.client.post(url, {"action": "publish", "_selected_action": [d.pk for d in drafts]})
        self.assertEqual(Initiative.objects.filter(pk__in=[d.pk for d in drafts]).published().count(), 3)
        self.client.post(url, {"action": "unpublish", "_selected_action": [drafts[0].pk]})
        self.assertEqual(Initiative.objects.get(pk=drafts[0].pk).publication_status, DRAFT)

    def test_view_on_site_link(self):
        member = Member.objects.first()
        response = self.client.get(reverse("admin:members_member_change", args=[member.pk]))
        self.assertContains(response, "View on site")

    def test_anonymous_is_sent_to_login(self):
        self.client.logout()
        response = self.client.get(reverse("admin:members_member_changelist"))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])


class AtomicAdminWriteTests(TestCase):
    """A failure half-way through an admin save leaves nothing half-saved."""

    def test_meeting_is_not_kept_when_its_document_cannot_be_stored(self):
        editor = get_user_model().objects.create_superuser("editor", "e@example.org", "a-long-password-123")
        self.client.force_login(editor)
        self.client.raise_request_exception = False
        blocker = Path(tempfile.mkdtemp(prefix="cica-atomic-")) / "a-file"
        blocker.write_text("media cannot live under a file")
        data = {
            "title_en": "Half-saved summit",
            "slug": "half-saved-summit",
            "kind": "summit",
            "status": "held",
            "start_date": "2022-10-12",
            "date_precision": "day",
            "publication_status": PUBLISHED,
            "verified": "on",
            "documents-TOTAL_FORMS": "1",
            "documents-INITIAL_FORMS": "0",
            "documents-0-title_en": "Astana Statement",
            "documents-0-kind": "statement",
            "documents-0-position": "0",
            "documents-0-publication_status": PUBLISHED,
            "documents-0-file": SimpleUploadedFile("statement.pdf", pdf_bytes(), content_type="application/pdf"),
        }
        # The meeting row is written first; storing the inline document's file then fails.
        with override_settings(MEDIA_ROOT=str(blocker / "media")):
            response = self.client.post(reverse("admin:events_event_add"), data)
        self.assertEqual(response.status_code, 500)
        self.assertFalse(Event.objects.filter(slug="half-saved-summit").exists())
        self.assertFalse(Document.objects.filter(title="Astana Statement").exists())
        shutil.rmtree(blocker.parent)
