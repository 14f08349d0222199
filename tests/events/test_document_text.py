"""An outcome document's PDFs in English and Russian, their text read at upload, and site search finding it.

Real PDFs (tests.factories.text_pdf_bytes, encrypted ones by pypdf), uploaded through the admin's
real forms; the text read by the real reader in its child process (cicasite.core.pdftext); the
public search page and media on the database the suite runs on (SQLite: the fallback, PostgreSQL:
full text), so both runs together cover both.
"""

import hashlib
import io
import shutil
import tempfile

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.template.defaultfilters import filesizeformat
from django.test import TestCase, override_settings
from django.urls import reverse
from pypdf import PdfReader, PdfWriter

from cicasite.core import pdftext
from cicasite.core.models import WorkingCopy
from events.models import Document
from tests.cicasite.review_helpers import approve
from tests.cicasite.staff import changeform_data, staff
from tests.factories import DRAFT, PUBLISHED, make_document, make_event, text_pdf_bytes

MEDIA = tempfile.mkdtemp(prefix="cica-test-document-text-")
SEARCH = reverse("search")

ENGLISH = text_pdf_bytes(
    "Almaty Act\nThe Member States of the Conference",
    "reaffirm their commitment to the peaceful settlement of disputes\nthrough dialogue and consultation.",
)
RUSSIAN = text_pdf_bytes(
    "Алматинский акт\nГосударства-члены Совещания",
    "подтверждают приверженность мирному урегулированию споров\nпутём диалога и консультаций.",
)


def encrypted(data, password="secret"):
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(data)))
    writer.encrypt(user_password=password, algorithm="RC4-128")  # RC4: no optional dependency needed
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def hits(response, key="documents"):
    group = next((g for g in response.context["groups"] if g.key == key), None)
    return group.hits if group else []


class ExtractionTests(TestCase):
    """The reader itself, on real PDFs: text in both scripts, and every hostile input a status, never an error."""

    def test_english_and_cyrillic_text_is_read_page_by_page(self):
        english, russian = pdftext.extract(ENGLISH), pdftext.extract(RUSSIAN)
        self.assertEqual((english.status, english.pages), (pdftext.Status.OK, 2))
        self.assertIn("peaceful settlement of disputes", english.text)
        self.assertIn("мирному урегулированию споров", russian.text)

    def test_a_password_protected_pdf_gives_no_text(self):
        self.assertEqual(pdftext.extract(encrypted(ENGLISH)), pdftext.Extraction("", pdftext.Status.ENCRYPTED))

    def test_a_pdf_protected_only_against_editing_is_read(self):
        # An owner password alone (printing or copying restricted): readers open it without asking.
        self.assertIn("peaceful settlement", pdftext.extract(encrypted(ENGLISH, password="")).text)

    def test_a_damaged_file_or_no_pdf_gives_no_text(self):
        for data in (b"%PDF-1.7\nnot really a PDF\n", b"<html>not a PDF</html>", b"", ENGLISH[: len(ENGLISH) // 3]):
            with self.subTest(data=data[:20]):
                result = pdftext.extract(data)
                self.assertIn(result.status, (pdftext.Status.BROKEN, pdftext.Status.NO_TEXT))
                self.assertEqual(result.text, "")

    def test_pages_and_characters_are_capped(self):
        pages = [f"Page {n} of the catalogue of confidence building measures" for n in range(5)]
        result = pdftext.extract(text_pdf_bytes(*pages), max_pages=2)
        self.assertEqual((result.status, result.pages), (pdftext.Status.TRUNCATED, 5))
        self.assertIn("Page 1", result.text)
        self.assertNotIn("Page 2", result.text)
        result = pdftext.extract(text_pdf_bytes(*pages), max_chars=100)
        self.assertEqual(result.status, pdftext.Status.TRUNCATED)
        self.assertLessEqual(len(result.text), 100)

    def test_a_pdf_that_takes_too_long_is_stopped(self):
        # No CPU second at all: the child is stopped by its resource limit, as a slow PDF would be.
        self.assertEqual(pdftext.extract(ENGLISH, timeout=0).status, pdftext.Status.TOO_SLOW)

    def test_text_is_cleaned_for_the_database(self):
        self.assertEqual(pdftext.clean("a\x00b  c\n\n\n\nd\ud800"), "a b c\n\nd?")


@override_settings(MEDIA_ROOT=MEDIA)
class DocumentTextTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.admin = get_user_model().objects.create_superuser("paula", "paula@example.org", "a-long-password-123")
        cls.event = make_event(title="Fifth CICA Summit", slug="fifth-summit")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def add_document(self, **files):
        """Add a published document through the admin's add form, as a Publisher would; the text is
        read when the save is committed (captureOnCommitCallbacks runs what the commit would)."""
        self.client.force_login(self.admin)
        data = {
            "event": self.event.pk,
            "title_en": "Almaty Act",
            "title_ru": "Алматинский акт",
            "kind": "act",
            "position": 0,
            "publication_status": PUBLISHED,
            **files,
        }
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(reverse("admin:events_document_add"), data)
        self.client.logout()
        return response

    def test_an_uploaded_pdf_is_found_by_a_phrase_from_inside_it(self):
        response = self.add_document(file=upload("act.pdf", ENGLISH), file_ru=upload("акт.pdf", RUSSIAN))
        self.assertEqual(response.status_code, 302)
        document = Document.objects.get()
        self.assertIn("peaceful settlement of disputes", document.text_en)
        self.assertIn("мирному урегулированию споров", document.text_ru)

        response = self.client.get(SEARCH, {"q": "peaceful settlement of disputes"})
        [hit] = hits(response)
        self.assertEqual(hit.object, document)
        # The snippet is the passage, marked, not the title.
        self.assertIn("<mark>settlement</mark>", hit.snippet_html)
        self.assertContains(response, "<mark>settlement</mark>", html=False)

        response = self.client.get("/ru" + SEARCH, {"q": "мирному урегулированию"})
        [hit] = hits(response)
        self.assertEqual(hit.object, document)
        self.assertRegex(hit.snippet_html, "<mark>урегулировани(ю)?</mark>")  # SQLite marks the stem it matched
        self.assertContains(response, "Алматинский акт")

    def test_the_search_runs_in_the_page_language(self):
        self.add_document(file=upload("act.pdf", ENGLISH), file_ru=upload("акт.pdf", RUSSIAN))
        # The English pages search the English PDF; the Russian pages the Russian one, and English too.
        self.assertEqual(hits(self.client.get(SEARCH, {"q": "мирному урегулированию"})), [])
        self.assertEqual(len(hits(self.client.get("/ru" + SEARCH, {"q": "peaceful settlement"}))), 1)

    def test_a_draft_document_is_not_found_by_its_text(self):
        self.add_document(file=upload("act.pdf", ENGLISH))
        Document.objects.update(publication_status=DRAFT)
        self.assertEqual(hits(self.client.get(SEARCH, {"q": "peaceful settlement"})), [])

    def test_the_admin_shows_sizes_hashes_and_the_length_of_the_text(self):
        self.add_document(file=upload("act.pdf", ENGLISH), file_ru=upload("акт.pdf", RUSSIAN))
        document = Document.objects.get()
        self.client.force_login(self.admin)
        response = self.client.get(reverse("admin:events_document_change", args=[document.pk]))
        self.assertContains(response, hashlib.sha256(ENGLISH).hexdigest())
        self.assertContains(response, hashlib.sha256(RUSSIAN).hexdigest())
        self.assertContains(response, filesizeformat(len(ENGLISH)))
        self.assertContains(response, f"{len(document.text_en)} characters of text from 2 pages")
        self.assertContains(response, f"{len(document.text_ru)} characters, found by site search.")
        self.assertContains(response, "подтверждают приверженность")
        # The meeting's change form shows them on the document's row too.
        response = self.client.get(reverse("admin:events_event_change", args=[self.event.pk]))
        self.assertContains(response, hashlib.sha256(RUSSIAN).hexdigest())
        self.assertNotContains(response, "text not read yet")

    def test_the_meeting_page_offers_both_files(self):
        self.add_document(file=upload("act.pdf", ENGLISH), file_ru=upload("акт.pdf", RUSSIAN))
        document = Document.objects.get()
        for prefix in ("", "/ru"):
            response = self.client.get(prefix + self.event.get_absolute_url())
            self.assertContains(response, f'href="{document.file.url}" hreflang="en"')
            self.assertContains(response, f'href="{document.file_ru.url}" hreflang="ru"')
            self.assertContains(response, '(<span lang="ru">Русский</span>, ')
            self.assertContains(response, hashlib.sha256(RUSSIAN).hexdigest())
        self.assertEqual(
            [(f.language, f.language_name, f.size) for f in document.files()],
            [("en", "English", len(ENGLISH)), ("ru", "Русский", len(RUSSIAN))],
        )

    def test_a_russian_pdf_alone_is_listed_alone(self):
        self.add_document(file_ru=upload("акт.pdf", RUSSIAN))
        document = Document.objects.get()
        self.assertEqual([f.language for f in document.files()], ["ru"])
        self.assertEqual(document.readiness_warnings(), [])  # a file, its text read

    def test_a_file_that_is_not_a_pdf_is_refused_with_the_reason(self):
        response = self.add_document(file_ru=upload("акт.pdf", b"<html><script>alert(1)</script></html>"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Upload a PDF document; this file is not a PDF.")
        self.assertFalse(Document.objects.exists())

    def test_a_password_protected_pdf_is_kept_with_a_warning_and_found_by_its_title(self):
        response = self.add_document(file=upload("act.pdf", encrypted(ENGLISH)))
        self.assertEqual(response.status_code, 302)
        document = Document.objects.get()
        self.assertEqual((document.text_en, document.text_extraction["en"]["status"]), ("", "encrypted"))
        self.assertEqual(document.file_size, len(encrypted(ENGLISH)) and document.file.size)
        self.client.force_login(self.admin)
        response = self.client.get(reverse("admin:events_document_change", args=[document.pk]))
        self.assertContains(response, "The English PDF is protected by a password")
        response = self.client.get(reverse("admin:events_event_change", args=[self.event.pk]))
        self.assertContains(response, "The English PDF is protected by a password")
        self.client.logout()
        self.assertEqual(hits(self.client.get(SEARCH, {"q": "peaceful settlement"})), [])
        self.assertEqual(len(hits(self.client.get(SEARCH, {"q": "Almaty Act"}))), 1)

    def test_a_damaged_pdf_is_kept_with_a_warning(self):
        response = self.add_document(file=upload("act.pdf", b"%PDF-1.7\nthe rest is missing\n"))
        self.assertEqual(response.status_code, 302)
        document = Document.objects.get()
        self.assertEqual(document.text_extraction["en"]["status"], pdftext.Status.BROKEN)
        self.assertTrue(document.file)
        self.assertIn("could not be read", str(document.readiness_warnings()[0]))

    def test_a_long_text_is_cut_below_the_limit_and_still_searchable(self):
        line = "confidence building measures in the economic dimension and beyond, "
        pages = ["\n".join(f"{n} {line}" for n in range(page * 60, page * 60 + 60)) for page in range(30)]
        pages[0] = "Preamble on the zebrafish protocol\n" + pages[0]
        response = self.add_document(file=upload("catalogue.pdf", text_pdf_bytes(*pages)))
        self.assertEqual(response.status_code, 302)
        document = Document.objects.get()
        self.assertEqual(document.text_extraction["en"]["status"], pdftext.Status.TRUNCATED)
        self.assertLessEqual(len(document.text_en), pdftext.MAX_CHARS)
        self.assertGreater(len(document.text_en), pdftext.MAX_CHARS * 0.9)  # less what cleaning removed
        self.assertIn("search finds the first 100000 characters", str(document.readiness_warnings()[0]))
        self.assertEqual(len(hits(self.client.get(SEARCH, {"q": "zebrafish protocol"}))), 1)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:  # the search vector stays far below PostgreSQL's 1 MB
                cursor.execute(
                    "SELECT pg_column_size(to_tsvector('english', text_en)) FROM events_document WHERE id = %s",
                    [document.pk],
                )
                self.assertLess(cursor.fetchone()[0], 256 * 1024)

    def test_a_changed_file_is_read_again_and_a_removed_one_forgets_its_text(self):
        self.add_document(file=upload("act.pdf", ENGLISH))
        document = Document.objects.get()
        self.client.force_login(self.admin)
        url = reverse("admin:events_document_change", args=[document.pk])
        data = changeform_data(self.client, url)
        data.pop("file", None)
        data["file"] = upload("act-v2.pdf", text_pdf_bytes("Revised: the zebrafish protocol"))
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(url, data).status_code, 302)
        document.refresh_from_db()
        self.assertEqual(document.text_en, "Revised: the zebrafish protocol")
        data = changeform_data(self.client, url)
        data["file-clear"] = "on"
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(url, data).status_code, 302)
        document.refresh_from_db()
        self.assertEqual((document.file.name, document.text_en, document.text_extraction), ("", "", {}))

    def test_the_text_is_read_after_the_commit_not_before(self):
        document = make_document(event=self.event)
        with self.captureOnCommitCallbacks(execute=False) as callbacks:
            document.file.save("act.pdf", ContentFile(ENGLISH), save=True)
        document.refresh_from_db()
        self.assertEqual(document.text_en, "")
        self.assertIn("its text is being read", str(document.readiness_warnings()[0]))
        for callback in callbacks:  # the commit: the page cache's second bump, then the reading
            callback()
        document.refresh_from_db()
        self.assertIn("peaceful settlement", document.text_en)
        self.assertEqual(document.readiness_warnings(), [])

    def test_the_command_reads_every_file_again_or_only_the_pending(self):
        document = make_document(event=self.event)
        document.file.save("act.pdf", ContentFile(ENGLISH), save=True)  # its task never runs (no commit)
        out = io.StringIO()
        call_command("extract_document_texts", "--pending", stdout=out)
        self.assertEqual(out.getvalue(), f"1 documents read ({pdftext.READER}): 1 ok.\n")
        document.refresh_from_db()
        self.assertIn("peaceful settlement", document.text_en)
        out = io.StringIO()
        call_command("extract_document_texts", "--pending", stdout=out)
        self.assertEqual(out.getvalue(), f"0 documents read ({pdftext.READER}): nothing to read.\n")
        out = io.StringIO()
        call_command("extract_document_texts", stdout=out)
        self.assertEqual(out.getvalue(), f"1 documents read ({pdftext.READER}): 1 ok.\n")


@override_settings(MEDIA_ROOT=MEDIA)
class RussianFileAccessTests(TestCase):
    """The Russian PDF follows its document's visibility exactly as the English one (cicasite.core.media)."""

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_the_russian_pdf_of_a_draft_is_404_until_the_document_is_published(self):
        staff = get_user_model().objects.create_superuser("ivan", "ivan@example.org", "a-long-password-123")
        document = make_document(event=make_event(), publication_status=DRAFT)
        document.file_ru.save("Проект (секретно).pdf", ContentFile(RUSSIAN), save=True)
        self.assertRegex(document.file_ru.name, r"^documents/[0-9a-f]{32}\.pdf$")
        self.assertEqual(self.client.get(document.file_ru.url).status_code, 404)
        self.client.force_login(staff)
        response = self.client.get(document.file_ru.url)
        self.assertEqual((response.status_code, response["Cache-Control"]), (200, "private, no-store"))
        self.client.logout()
        document.publication_status = PUBLISHED
        document.save()
        response = self.client.get(document.file_ru.url)
        self.assertEqual((response.status_code, response["Content-Type"]), (200, "application/pdf"))
        self.assertEqual(b"".join(response.streaming_content), RUSSIAN)

    def test_the_russian_pdf_of_a_document_of_a_draft_meeting_is_404(self):
        document = make_document(event=make_event(publication_status=DRAFT))
        document.file_ru.save("акт.pdf", ContentFile(RUSSIAN), save=True)
        self.assertEqual(self.client.get(document.file_ru.url).status_code, 404)


@override_settings(MEDIA_ROOT=MEDIA)
class WorkingCopyTests(TestCase):
    """An Editor's new Russian PDF for a live document waits in the working copy: not served, not
    searchable, its text not read; a Publisher's approval makes it public and has its text read."""

    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.publisher = staff("paul", "Publisher")
        cls.event = make_event(title="Sixth summit")
        cls.document = make_document(event=cls.event, title="Astana Statement")

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def test_a_pdf_added_in_a_working_copy_goes_public_and_searchable_on_approval(self):
        self.client.force_login(self.editor)
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data["documents-0-file_ru"] = upload("заявление.pdf", RUSSIAN)
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(url, data).status_code, 302)
        self.document.refresh_from_db()
        self.assertEqual((self.document.file_ru.name, self.document.text_ru), ("", ""))  # live: unchanged
        copy = WorkingCopy.objects.get()
        [pending] = [row["fields"]["file_ru"] for row in copy.data["objects"] if row["model"] == "events.document"]
        self.client.logout()
        self.assertEqual(self.client.get(f"/media/{pending}").status_code, 404)
        self.assertEqual(hits(self.client.get("/ru" + SEARCH, {"q": "мирному урегулированию"})), [])

        self.client.force_login(self.publisher)
        review = reverse("admin:events_event_review", args=[self.event.pk])
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(approve(self.client, review).status_code, 302)
        self.client.logout()
        self.document.refresh_from_db()
        self.assertEqual(self.document.file_ru.name, pending)
        self.assertIn("мирному урегулированию", self.document.text_ru)
        self.assertEqual(self.client.get(f"/media/{pending}").status_code, 200)
        [hit] = hits(self.client.get("/ru" + SEARCH, {"q": "мирному урегулированию"}))
        self.assertEqual(hit.object, self.document)
