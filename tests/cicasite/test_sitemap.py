import xml.etree.ElementTree as ET

from django.test import TestCase, override_settings

from events.models import Document, Event
from events.sitemaps import EventSitemap
from initiatives.models import Initiative
from members.models import Dimension, Member
from tests.content import load_content
from tests.factories import DRAFT, make_event, make_initiative, make_member

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9", "x": "http://www.w3.org/1999/xhtml"}


def russian(url):
    return url.replace("https://cica.example/", "https://cica.example/ru/", 1)


@override_settings(SITE_URL="https://cica.example", ALLOWED_HOSTS=["evil.example", "testserver"])
class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()
        make_member(slug="hidden-member", publication_status=DRAFT)
        make_event(slug="hidden-meeting", publication_status=DRAFT)
        make_initiative(slug="hidden-idea", publication_status=DRAFT)

    def sections(self, **headers):
        response = self.client.get("/sitemap.xml", **headers)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/xml")
        return [loc.text for loc in ET.fromstring(response.content).findall("s:sitemap/s:loc", NS)]

    def entries(self, **headers):
        """Every URL of every section listed in the index."""
        entries = {}
        for section in self.sections(**headers):
            self.assertTrue(section.startswith("https://cica.example/sitemap-"), section)
            response = self.client.get(section.removeprefix("https://cica.example"), **headers)
            self.assertEqual(response.status_code, 200)
            root = ET.fromstring(response.content)
            entries |= {
                url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
                for url in root.findall("s:url", NS)
            }
        return entries

    def test_lists_every_public_record_with_lastmod_and_no_draft(self):
        entries = self.entries()
        expected = (
            [f"https://cica.example{m.get_absolute_url()}" for m in Member.objects.published()]
            + [f"https://cica.example{e.get_absolute_url()}" for e in Event.objects.published()]
            + [f"https://cica.example{d.get_absolute_url()}" for d in Document.objects.published()]
            + [f"https://cica.example{i.get_absolute_url()}" for i in Initiative.objects.published()]
        )
        for url in expected:
            for version in (url, russian(url)):  # every page in both languages
                self.assertIn(version, entries)
                self.assertIsNotNone(entries[version])  # lastmod
        for dimension in Dimension.objects.all():
            self.assertIn(f"https://cica.example{dimension.get_absolute_url()}", entries)
            self.assertIn(russian(f"https://cica.example{dimension.get_absolute_url()}"), entries)
        self.assertIn("https://cica.example/", entries)
        self.assertIn("https://cica.example/ru/", entries)
        # + 9 main pages, each page in 2 languages
        self.assertEqual(len(entries), 2 * (len(expected) + Dimension.objects.count() + 9))
        self.assertIn("https://cica.example/timeline/", entries)
        self.assertFalse([url for url in entries if "hidden" in url])

    def test_each_entry_names_its_language_versions(self):
        root = ET.fromstring(self.client.get("/sitemap.xml").content)
        for url in root.findall("s:url", NS):
            loc = url.find("s:loc", NS).text
            english = loc.replace("https://cica.example/ru/", "https://cica.example/", 1)
            links = {link.get("hreflang"): link.get("href") for link in url.findall("x:link", NS)}
            self.assertEqual(links, {"en": english, "ru": russian(english), "x-default": english}, loc)

    def test_urls_never_come_from_the_host_header(self):
        entries = self.entries(HTTP_HOST="evil.example")
        self.assertTrue(all(url.startswith("https://cica.example/") for url in entries))

    def test_urls_of_the_index_never_come_from_the_host_header(self):
        sections = self.sections(HTTP_HOST="evil.example")
        self.assertEqual(len(sections), 7)
        self.assertTrue(all(url.startswith("https://cica.example/sitemap-") for url in sections))

    def test_query_count_is_fixed(self):
        # the index: one COUNT per record section (members, dimensions, meetings, documents, initiatives, ideas)
        with self.assertNumQueries(6):
            self.client.get("/sitemap.xml")
        # a section page: the paginator's COUNT, then the rows of the page, each paired with every
        # language (cicasite.core.sitemaps.LanguagePairs)
        with self.assertNumQueries(2):
            self.client.get("/sitemap-events.xml")

    def test_robots_txt_points_at_the_sitemap(self):
        response = self.client.get("/robots.txt", headers={"host": "evil.example"})
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("Sitemap: https://cica.example/sitemap.xml", response.content.decode())
        self.assertIn("Disallow: /admin/", response.content.decode())

    def test_language_pairs_slice_like_the_full_list(self):
        from cicasite.core.sitemaps import LanguagePairs

        members = Member.objects.published().order_by("pk")
        full = [(member, language) for member in members for language in ("en", "ru")]
        pairs = LanguagePairs(members, ["en", "ru"])
        self.assertEqual(len(pairs), len(full))
        for start, stop in ((0, 5), (5, 6), (3, 10), (1, 2), (len(full) - 3, len(full) + 4)):
            with self.subTest(start=start, stop=stop):
                self.assertEqual(pairs[start:stop], full[start:stop])


@override_settings(SITE_URL="https://cica.example")
class LargeSitemapTests(TestCase):
    def test_a_section_over_the_limit_gets_more_pages_and_every_record_is_listed(self):
        for i in range(7):
            make_event(slug=f"meeting-{i}")
        EventSitemap.limit = 3
        try:
            response = self.client.get("/sitemap.xml")
            sections = [loc.text for loc in ET.fromstring(response.content).findall("s:sitemap/s:loc", NS)]
            event_pages = [url for url in sections if "/sitemap-events.xml" in url]
            # 7 meetings in 2 languages: 14 entries, 5 pages of 3
            self.assertEqual(
                event_pages,
                ["https://cica.example/sitemap-events.xml"]
                + [f"https://cica.example/sitemap-events.xml?p={n}" for n in range(2, 6)],
            )
            listed = set()
            for url in event_pages:
                page = self.client.get(url.removeprefix("https://cica.example"))
                listed |= {loc.text for loc in ET.fromstring(page.content).findall("s:url/s:loc", NS)}
            self.assertEqual(len(listed), 14)
            self.assertEqual(len({url.replace("/ru/", "/") for url in listed}), 7)
            self.assertEqual(self.client.get("/sitemap-events.xml?p=6").status_code, 404)
        finally:
            del EventSitemap.limit
