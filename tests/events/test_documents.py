"""Outcome documents as pages of their own: /documents/, /documents/<slug>/ and its citations."""

import csv
import hashlib
import importlib
import io
import json
import re
import shutil
import tempfile
import xml.etree.ElementTree as ET
from datetime import date

import bibtexparser
import rispy
from django.apps import apps
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from events.filters import MEETING_CHOICES
from events.models import Document, Event, document_slug
from tests.factories import DRAFT, make_dimension, make_document, make_event, make_initiative

LIST = reverse("events:document-list")
MEDIA = tempfile.mkdtemp(prefix="cica-documents-test-")
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def titles(response):
    return [d.title for d in response.context["object_list"]]


def json_ld(response):
    return json.loads(
        re.search(r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S)[1]
    )


def cite_url(document, format, language="en"):
    with translation.override(language):
        return reverse("events:document-cite", kwargs={"slug": document.slug, "format": format})


class ArchiveMixin:
    """A summit (two documents, one with its own date and a Russian title), a ministerial meeting (one), a draft
    document and a published document of a draft meeting."""

    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic", name="Economic dimension")
        cls.summit = make_event(
            title="Sixth CICA Summit",
            slug="sixth-cica-summit-2022",
            kind=Event.Kind.SUMMIT,
            start_date=date(2022, 10, 12),
            end_date=date(2022, 10, 13),
        )
        cls.summit.dimensions.add(cls.economic)
        cls.ministerial = make_event(
            title="Sixth Ministerial Council",
            slug="sixth-ministerial-council-2021",
            start_date=date(2021, 10, 11),
            city="Nur-Sultan",
        )
        cls.statement = make_document(
            cls.summit,
            title="Astana Statement on CICA Transformation",
            title_ru="Астанинское заявление о трансформации СВМДА",
            kind=Document.Kind.STATEMENT,
            position=1,
        )
        cls.regulations = make_document(
            cls.summit,
            title="Regulations of the CICA Fund",
            kind=Document.Kind.RULES,
            date=date(2023, 1, 5),
            position=2,
        )
        cls.declaration = make_document(cls.ministerial, title="Joint Declaration", kind=Document.Kind.DECLARATION)
        cls.draft = make_document(cls.summit, title="Draft communique", publication_status=DRAFT)
        hidden_meeting = make_event(title="Hidden meeting", slug="hidden-meeting", publication_status=DRAFT)
        cls.orphan = make_document(hidden_meeting, title="Statement of a hidden meeting")


class SlugTests(TestCase):
    def test_a_new_document_gets_a_slug_from_its_title_and_year(self):
        meeting = make_event(start_date=date(2002, 6, 4))
        act = make_document(meeting, title="Almaty Act")
        self.assertEqual(act.slug, "almaty-act-2002")
        again = make_document(make_event(start_date=date(2002, 6, 5)), title="Almaty Act")
        self.assertEqual(again.slug, "almaty-act-2002-2")
        dated = make_document(meeting, title="Later text", date=date(2003, 1, 1))
        self.assertEqual(dated.slug, "later-text-2003")

    def test_an_editors_slug_is_kept_and_must_be_unique(self):
        document = make_document(slug="founding-act")
        self.assertEqual(Document.objects.get(pk=document.pk).slug, "founding-act")
        other = make_document(title="Other")
        other.slug = "founding-act"
        with self.assertRaisesMessage(Exception, "Another document has this slug"):
            other.full_clean()

    def test_long_titles_are_cut_at_a_word_and_keep_the_year(self):
        slug = document_slug("word " * 100, 2022)
        self.assertLessEqual(len(slug), 200)
        self.assertTrue(slug.endswith("word-2022"), slug)

    def test_the_migration_gives_every_existing_document_a_unique_slug(self):
        meeting = make_event(start_date=date(2022, 10, 12))
        first = make_document(meeting, title="Joint Statement")
        second = make_document(make_event(start_date=date(2022, 11, 1)), title="Joint Statement")
        for document in (first, second):  # as before the migration (where every slug was empty)
            Document.objects.filter(pk=document.pk).update(slug=f"old-{document.pk}")
        migration = importlib.import_module("events.migrations.0018_document_pages")
        migration.give_slugs(apps, None)
        slugs = {Document.objects.get(pk=first.pk).slug, Document.objects.get(pk=second.pk).slug}
        self.assertEqual(slugs, {"joint-statement-2022", "joint-statement-2022-2"})


class DocumentListTests(ArchiveMixin, TestCase):
    def test_lists_public_documents_latest_meeting_first_in_their_order(self):
        response = self.client.get(LIST)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            titles(response),
            ["Astana Statement on CICA Transformation", "Regulations of the CICA Fund", "Joint Declaration"],
        )
        self.assertNotContains(response, "Draft communique")
        self.assertNotContains(response, "hidden meeting")
        self.assertContains(response, f'href="{self.statement.get_absolute_url()}"')
        self.assertContains(response, "<h1", count=1)

    def test_each_filter(self):
        cases = {
            (("kind", "rules"),): ["Regulations of the CICA Fund"],
            # Its own date (2023), else its meeting's (2022).
            (("year", "2023"),): ["Regulations of the CICA Fund"],
            (("year", "2022"),): ["Astana Statement on CICA Transformation"],
            (("meeting", "sixth-ministerial-council-2021"),): ["Joint Declaration"],
            (("dimension", "economic"),): ["Astana Statement on CICA Transformation", "Regulations of the CICA Fund"],
            (("language", "ru"),): ["Astana Statement on CICA Transformation"],
            (("language", "en"),): [
                "Astana Statement on CICA Transformation",
                "Regulations of the CICA Fund",
                "Joint Declaration",
            ],
            (("kind", "statement"), ("dimension", "economic")): ["Astana Statement on CICA Transformation"],
        }
        for params, expected in cases.items():
            with self.subTest(params=params):
                self.assertEqual(titles(self.client.get(LIST, dict(params))), expected)

    @override_settings(MEDIA_ROOT=MEDIA)
    def test_a_russian_pdf_without_a_russian_title_counts_as_russian(self):
        self.declaration.file_ru = SimpleUploadedFile("zayavlenie.pdf", PDF, content_type="application/pdf")
        self.declaration.save()
        self.assertEqual(self.declaration.languages, ["en", "ru"])
        self.assertEqual(
            titles(self.client.get(LIST, {"language": "ru"})),
            ["Astana Statement on CICA Transformation", "Joint Declaration"],
        )

    def test_facet_counts_count_what_each_choice_would_give(self):
        form = self.client.get(LIST, {"kind": "statement"}).context["filter_form"]
        self.assertEqual(form.fields["kind"].widget.counts, {"statement": 1, "rules": 1, "declaration": 1})
        self.assertEqual(form.fields["year"].widget.counts, {"2022": 1})
        self.assertEqual(form.fields["language"].widget.counts, {"en": 1, "ru": 1})
        html = self.client.get(LIST).content.decode()
        self.assertIn('<option value="ru">Русский (1)</option>', html)
        self.assertIn('<option value="sixth-cica-summit-2022">Sixth CICA Summit (2)</option>', html)
        self.assertNotIn("hidden-meeting", html)  # a draft meeting is no choice

    def test_year_choices_are_the_years_of_public_documents(self):
        choices = [value for value, _label in self.client.get(LIST).context["filter_form"].fields["year"].choices]
        self.assertEqual(choices, ["", "2023", "2022", "2021"])

    def test_bad_values_are_ignored_and_explained(self):
        for params in ({"kind": "nope"}, {"year": "1066"}, {"meeting": "atlantis"}, {"language": "xx"}, {"x": "1"}):
            with self.subTest(params=params):
                response = self.client.get(LIST, params, follow=True)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(titles(response)), 3)
        self.assertTrue(self.client.get(LIST, {"meeting": "atlantis"}).context["invalid_fields"])
        for page in ("abc", "99", "0"):
            self.assertEqual(self.client.get(LIST, {"page": page}).status_code, 404)

    def test_russian_list(self):
        response = self.client.get("/ru/documents/")
        self.assertContains(response, "Астанинское заявление о трансформации СВМДА")
        self.assertContains(response, 'href="/ru/documents/astana-statement-on-cica-transformation-2022/"')
        self.assertContains(response, '<h1 class="page-header__title">Итоговые документы</h1>', html=False)


class DocumentListQueryTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension()
        for i in range(n):
            event = make_event(start_date=date(2000 + i % 20, 1, 1))
            event.dimensions.add(dimension)
            make_document(event, kind=Document.Kind.STATEMENT, title_ru=f"Заявление {i}" if i % 2 else None)

    def count_queries(self, params=None):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(LIST, params or {}).status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        self.make_rows(30)
        small = self.count_queries()
        filtered = self.count_queries({"kind": "statement", "language": "ru"})
        second_page = self.count_queries({"page": "2"})
        self.make_rows(90)
        self.assertEqual(self.count_queries(), small)
        self.assertEqual(self.count_queries({"kind": "statement", "language": "ru"}), filtered)
        self.assertEqual(self.count_queries({"page": "2"}), second_page)
        self.assertEqual(self.count_queries({"page": "5"}), second_page)

    def test_query_count(self):
        self.make_rows(30)
        # 1 year choices, 1 latest meetings with a document, 1 total and page boundaries (one window query),
        # 1 UNION ALL of the facet counts (kind, year, meeting, dimension, one per language), 1 page of
        # documents with their meetings (JOIN), 1 meeting choices, 1 dimension choices, 1 site settings.
        with self.assertNumQueries(8):
            self.client.get(LIST)

    def meeting_options(self, response):
        return [value for value, _label in response.context["filter_form"].fields["meeting"].choices if value]

    def test_a_long_archive_offers_the_latest_meetings_and_says_so(self):
        self.make_rows(MEETING_CHOICES + 5)  # a meeting a document, 2000 to 2019
        response = self.client.get(LIST)
        self.assertEqual(len(self.meeting_options(response)), MEETING_CHOICES)
        latest = Event.objects.order_by("-start_date", "title_en", "pk")[:MEETING_CHOICES]
        self.assertEqual({str(option) for option in self.meeting_options(response)}, {e.slug for e in latest})
        self.assertContains(response, 'aria-describedby="id_meeting_help"')
        self.assertContains(response, f"The {MEETING_CHOICES} latest meetings; choose a year for earlier ones.")
        # A year narrows the choice to its meetings: all of them, and no note.
        response = self.client.get(LIST, {"year": "2003"})
        self.assertEqual(
            {str(option) for option in self.meeting_options(response)},
            set(Event.objects.filter(start_date__year=2003).values_list("slug", flat=True)),
        )
        self.assertNotContains(response, "filter-form__help")

    def test_a_meeting_left_out_of_the_choice_is_still_a_filter_from_its_page(self):
        self.make_rows(MEETING_CHOICES + 5)
        oldest = Event.objects.order_by("start_date", "pk").first()
        response = self.client.get(LIST, {"meeting": oldest.slug})
        self.assertEqual([d.event for d in response.context["object_list"]], [oldest])
        self.assertContains(response, f'<option value="{oldest.slug}" selected>')
        self.assertEqual(
            self.client.get(LIST, {"meeting": "no-such-meeting"}).context["invalid_fields"][0].name, "meeting"
        )

    def test_pages_hold_every_document_once(self):
        self.make_rows(30)
        seen = []
        for page in (1, 2):
            seen += [d.pk for d in self.client.get(LIST, {"page": page} if page > 1 else {}).context["object_list"]]
        self.assertEqual(sorted(seen), sorted(Document.objects.values_list("pk", flat=True)))


@override_settings(MEDIA_ROOT=MEDIA, SITE_URL="https://cica.example")
class DocumentPageTests(ArchiveMixin, TestCase):
    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.statement.file = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
        cls.statement.body_en = "<p>The Heads of State <strong>agreed</strong> to transform CICA.</p>"
        cls.statement.save()
        make_initiative(title="Transformation of CICA", slug="transformation").events.add(cls.summit)
        make_initiative(title="Hidden idea", slug="hidden-idea", publication_status=DRAFT).events.add(cls.summit)

    def test_the_page_shows_title_date_meeting_kind_file_text_and_initiatives(self):
        response = self.client.get(self.statement.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "Astana Statement on CICA Transformation")
        self.assertContains(response, "12 October 2022 – 13 October 2022")
        self.assertContains(response, f'href="{self.summit.get_absolute_url()}"')
        self.assertContains(response, "Statement")
        self.assertContains(response, f'<code class="document__sha256">{hashlib.sha256(PDF).hexdigest()}</code>')
        self.assertContains(response, f"PDF in English ({len(PDF)}\xa0bytes)")
        self.assertContains(response, "<strong>agreed</strong>")
        self.assertContains(response, "Transformation of CICA")
        self.assertNotContains(response, "Hidden idea")
        self.assertContains(response, "English, Russian")

    def test_the_meeting_page_links_each_document_page(self):
        response = self.client.get(self.summit.get_absolute_url())
        self.assertContains(response, f'<a href="{self.statement.get_absolute_url()}">')
        self.assertContains(response, f'id="document-{self.statement.pk}"')  # old links to the anchor still land

    def test_drafts_and_documents_of_draft_meetings_are_404_on_every_address(self):
        for document in (self.draft, self.orphan):
            for url in (
                document.get_absolute_url(),
                f"/ru{document.get_absolute_url()}",
                cite_url(document, "bib"),
                cite_url(document, "ris", "ru"),
                cite_url(document, "json"),
            ):
                with self.subTest(url=url):
                    self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get("/documents/no-such-document/").status_code, 404)

    def test_staff_preview_a_draft_with_a_banner_never_cached(self):
        user = User.objects.create_superuser("editor", "editor@example.com", "pw")
        self.client.force_login(user)
        for document in (self.draft, self.orphan):
            response = self.client.get(document.get_absolute_url())
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response["Cache-Control"], "private, no-store")
            self.assertIn("preview", response.context)

    def test_russian_page(self):
        path = "/ru/documents/astana-statement-on-cica-transformation-2022/"
        response = self.client.get(path)
        self.assertContains(response, "Астанинское заявление о трансформации СВМДА")
        self.assertContains(response, "Процитировать документ")
        self.assertContains(response, f'<a class="cite__url" href="https://cica.example{path}">')
        # The text exists in English only: shown with the notice and its language marked.
        self.assertContains(response, 'lang="en"')

    def test_json_ld_describes_the_document_its_meeting_and_its_file(self):
        data = json_ld(self.client.get(self.statement.get_absolute_url()))
        self.assertEqual(data["@type"], "DigitalDocument")
        self.assertEqual(data["url"], f"https://cica.example{self.statement.get_absolute_url()}")
        self.assertEqual(data["isPartOf"]["url"], "https://cica.example/events/sixth-cica-summit-2022/")
        self.assertEqual(data["dateCreated"], "2022-10-12")
        self.assertEqual(data["encoding"][0]["sha256"], hashlib.sha256(PDF).hexdigest())
        self.assertEqual(data["encoding"][0]["contentSize"], f"{len(PDF)} B")
        rules = json_ld(self.client.get(self.regulations.get_absolute_url()))
        self.assertEqual(rules["@type"], "Legislation")
        self.assertEqual(rules["legislationDate"], "2023-01-05")
        self.assertNotIn("encoding", rules)


@override_settings(MEDIA_ROOT=MEDIA, SITE_URL="https://cica.example")
class CitationTests(ArchiveMixin, TestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.statement.file = SimpleUploadedFile("statement.pdf", PDF, content_type="application/pdf")
        cls.statement.save()
        cls.sha256 = hashlib.sha256(PDF).hexdigest()
        cls.url = f"https://cica.example{cls.statement.get_absolute_url()}"

    def get(self, format, language="en"):
        response = self.client.get(cite_url(self.statement, format, language))
        self.assertEqual(response.status_code, 200)
        return response

    def test_the_page_shows_the_citation_and_links_the_downloads(self):
        response = self.client.get(self.statement.get_absolute_url())
        self.assertContains(
            response,
            "Conference on Interaction and Confidence Building Measures in Asia (CICA). "
            "<cite>Astana Statement on CICA Transformation</cite>. Statement, Sixth CICA Summit, Astana, Kazakhstan, "
            "12 October 2022 – 13 October 2022.",
        )
        self.assertContains(response, f'<a class="cite__url" href="{self.url}">{self.url}</a>')
        self.assertContains(response, f'<code class="cite__hash">{self.sha256}</code>')
        for format in ("bib", "ris", "json"):
            self.assertContains(response, f'href="{cite_url(self.statement, format)}"')

    def test_bibtex_parses(self):
        response = self.get("bib")
        self.assertEqual(response["Content-Type"], "application/x-bibtex; charset=utf-8")
        self.assertIn("attachment", response["Content-Disposition"])
        entries = bibtexparser.loads(response.content.decode()).entries
        self.assertEqual(len(entries), 1)
        entry = entries[0]
        self.assertEqual(entry["ID"], self.statement.slug)
        self.assertEqual(entry["ENTRYTYPE"], "misc")
        self.assertEqual(entry["title"], "Astana Statement on CICA Transformation")
        self.assertEqual(
            entry["author"], "{Conference on Interaction and Confidence Building Measures in Asia (CICA)}"
        )
        self.assertEqual(entry["year"], "2022")
        self.assertEqual(entry["month"], "October")  # the month macro, oct, read as reference managers do
        self.assertEqual(entry["url"], self.url)
        self.assertEqual(entry["note"], f"SHA-256 (PDF, en): {self.sha256}")
        self.assertEqual(entry["howpublished"], "Sixth CICA Summit")

    def test_bibtex_escapes_special_characters(self):
        self.statement.title = "Plan of 50% & more_{x}"
        self.statement.save()
        entry = bibtexparser.loads(self.get("bib").content.decode()).entries[0]
        self.assertEqual(entry["title"], r"Plan of 50\% \& more\_\{x\}")

    def test_ris_parses(self):
        response = self.get("ris")
        self.assertEqual(response["Content-Type"], "application/x-research-info-systems; charset=utf-8")
        (entry,) = rispy.loads(response.content.decode())
        self.assertEqual(entry["type_of_reference"], "GOVDOC")
        self.assertEqual(entry["title"], "Astana Statement on CICA Transformation")
        self.assertEqual(
            entry["authors"], ["Conference on Interaction and Confidence Building Measures in Asia (CICA)"]
        )
        self.assertEqual(entry["urls"], [self.url])
        self.assertEqual(entry["date"], "2022/10/12/")
        self.assertEqual(entry["notes"], [f"SHA-256 (PDF, en): {self.sha256}"])
        self.assertEqual(entry["place_published"], "Astana, Kazakhstan")

    def test_csl_json_parses(self):
        response = self.get("json")
        self.assertEqual(response["Content-Type"], "application/vnd.citationstyles.csl+json; charset=utf-8")
        (item,) = json.loads(response.content)
        self.assertEqual(item["id"], self.statement.slug)
        self.assertEqual(item["type"], "document")
        self.assertEqual(item["title"], "Astana Statement on CICA Transformation")
        self.assertEqual(item["issued"], {"date-parts": [[2022, 10, 12]]})
        self.assertEqual(item["URL"], self.url)
        self.assertEqual(item["note"], f"SHA-256 (PDF, en): {self.sha256}")

    def test_russian_citations_have_the_russian_title_and_address(self):
        russian_url = f"https://cica.example/ru{self.statement.get_absolute_url()}"
        entry = bibtexparser.loads(self.get("bib", "ru").content.decode()).entries[0]
        self.assertEqual(entry["title"], "Астанинское заявление о трансформации СВМДА")
        self.assertEqual(entry["url"], russian_url)
        self.assertEqual(entry["language"], "ru")
        self.assertIn("Совещание по взаимодействию и мерам доверия в Азии", entry["author"])
        (ris_entry,) = rispy.loads(self.get("ris", "ru").content.decode())
        self.assertEqual(ris_entry["urls"], [russian_url])
        (item,) = json.loads(self.get("json", "ru").content)
        self.assertEqual(item["title"], "Астанинское заявление о трансформации СВМДА")

    def test_a_date_known_only_to_the_year_is_cited_to_the_year(self):
        meeting = make_event(start_date=date(1999, 1, 1), date_precision="year")
        document = make_document(meeting, title="Declaration on Principles")
        (item,) = json.loads(self.client.get(cite_url(document, "json")).content)
        self.assertEqual(item["issued"], {"date-parts": [[1999]]})
        entry = bibtexparser.loads(self.client.get(cite_url(document, "bib")).content.decode()).entries[0]
        self.assertNotIn("month", entry)
        (ris_entry,) = rispy.loads(self.client.get(cite_url(document, "ris")).content.decode())
        self.assertEqual(ris_entry["date"], "1999///")


@override_settings(SITE_URL="https://cica.example")
class ChannelTests(ArchiveMixin, TestCase):
    """Sitemap, feed, open data and search carry public documents and never a draft."""

    hidden = ("Draft communique", "Statement of a hidden meeting")

    def test_sitemap(self):
        response = self.client.get("/sitemap-documents.xml")
        self.assertEqual(response.status_code, 200)
        locations = {
            node.text
            for node in ET.fromstring(response.content).iterfind(".//{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
        }
        expected = {f"https://cica.example{d.get_absolute_url()}" for d in (self.statement, self.declaration)}
        expected |= {url.replace("cica.example/", "cica.example/ru/") for url in expected}
        self.assertLessEqual(expected, locations)
        self.assertEqual(len(locations), 6)
        self.assertIn("https://cica.example/documents/", self.client.get("/sitemap-pages.xml").content.decode())
        self.assertIn("sitemap-documents.xml", self.client.get("/sitemap.xml").content.decode())

    def test_feed(self):
        response = self.client.get(reverse("events:document-feed"))
        self.assertEqual(response.status_code, 200)
        feed = response.content.decode()
        self.assertIn(f"https://cica.example{self.statement.get_absolute_url()}", feed)
        for title in self.hidden:
            self.assertNotIn(title, feed)
        kind = self.client.get(reverse("events:document-feed"), {"kind": "declaration"}).content.decode()
        self.assertIn("Joint Declaration", kind)
        self.assertNotIn("Astana Statement", kind)
        self.assertContains(self.client.get(LIST), 'type="application/atom+xml"')

    def test_open_data(self):
        response = self.client.get(reverse("events:document-data", kwargs={"format": "csv"}))
        rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
        self.assertEqual(
            [row["slug"] for row in rows], [self.statement.slug, self.regulations.slug, self.declaration.slug]
        )
        self.assertEqual(rows[0]["url"], f"https://cica.example{self.statement.get_absolute_url()}")
        self.assertEqual(rows[0]["meeting_slug"], "sixth-cica-summit-2022")
        self.assertEqual(rows[0]["languages"], "en;ru")
        self.assertEqual(rows[1]["date"], "2023-01-05")
        data = self.client.get(reverse("events:document-data", kwargs={"format": "json"}), {"language": "ru"}).json()
        self.assertEqual([r["slug"] for r in data["records"]], [self.statement.slug])
        self.assertEqual(data["filters"], {"language": "ru"})
        package = self.client.get(reverse("datapackage")).json()
        self.assertIn("documents", [resource["name"] for resource in package["resources"]])
        self.assertContains(
            self.client.get(reverse("data")), reverse("events:document-data", kwargs={"format": "csv"})
        )

    def test_search_hits_lead_to_the_document_page(self):
        response = self.client.get(reverse("search"), {"q": "Astana Statement"})
        self.assertContains(response, f'href="{self.statement.get_absolute_url()}"')
        response = self.client.get(reverse("search"), {"q": "communique"})
        self.assertNotContains(response, "Draft communique")

    def test_navigation_links_the_list(self):
        response = self.client.get(LIST)
        self.assertContains(response, f'<a class="site-nav__link" href="{LIST}" aria-current="page">Documents</a>')


class DocumentAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = User.objects.create_superuser("admin", "admin@example.com", "pw")
        cls.document = make_document(make_event(start_date=date(2002, 6, 4)), title="Almaty Act")

    def test_the_change_form_edits_the_slug_and_the_text_in_both_languages(self):
        self.client.force_login(self.user)
        response = self.client.get(reverse("admin:events_document_change", args=[self.document.pk]))
        self.assertEqual(response.status_code, 200)
        html = response.content.decode()
        self.assertIn('name="slug" value="almaty-act-2002"', html)
        self.assertEqual(html.count("data-django-prose-editor-configurable="), 2)  # body_en and body_ru
        add = self.client.get(reverse("admin:events_document_add")).content.decode()
        # On a new document the slug follows the English title as it is typed.
        self.assertIn(
            "&quot;name&quot;: &quot;slug&quot;, &quot;dependency_ids&quot;: [&quot;#id_title_en&quot;]", add
        )

    def test_view_on_site_leads_to_the_documents_own_page(self):
        self.client.force_login(self.user)
        content_type = ContentType.objects.get_for_model(Document)
        response = self.client.get(reverse("admin:view_on_site", args=[content_type.pk, self.document.pk]))
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].endswith("/documents/almaty-act-2002/"), response["Location"])
