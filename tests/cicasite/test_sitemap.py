import io
import xml.etree.ElementTree as ET

from django.core.management import call_command
from django.test import TestCase, override_settings

from events.models import Event
from initiatives.models import Initiative
from members.models import Dimension, Member
from tests.factories import DRAFT, make_event, make_initiative, make_member

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


@override_settings(SITE_URL="https://cica.example", ALLOWED_HOSTS=["evil.example", "testserver"])
class SitemapTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_cica", stdout=io.StringIO())
        make_member(slug="hidden-member", publication_status=DRAFT)
        make_event(slug="hidden-meeting", publication_status=DRAFT)
        make_initiative(slug="hidden-idea", publication_status=DRAFT)

    def entries(self, **headers):
        response = self.client.get("/sitemap.xml", **headers)
        self.assertEqual(response.status_code, 200)
        root = ET.fromstring(response.content)
        return {
            url.find("s:loc", NS).text: getattr(url.find("s:lastmod", NS), "text", None)
            for url in root.findall("s:url", NS)
        }

    def test_lists_every_public_record_with_lastmod_and_no_draft(self):
        entries = self.entries()
        expected = (
            [f"https://cica.example{m.get_absolute_url()}" for m in Member.objects.published()]
            + [f"https://cica.example{e.get_absolute_url()}" for e in Event.objects.published()]
            + [f"https://cica.example{i.get_absolute_url()}" for i in Initiative.objects.published()]
        )
        for url in expected:
            self.assertIn(url, entries)
            self.assertIsNotNone(entries[url])  # lastmod
        for dimension in Dimension.objects.all():
            self.assertIn(f"https://cica.example{dimension.get_absolute_url()}", entries)
        self.assertIn("https://cica.example/", entries)
        self.assertEqual(len(entries), len(expected) + Dimension.objects.count() + 8)  # + 8 main pages
        self.assertIn("https://cica.example/timeline/", entries)
        self.assertFalse([url for url in entries if "hidden" in url])

    def test_urls_never_come_from_the_host_header(self):
        entries = self.entries(HTTP_HOST="evil.example")
        self.assertTrue(all(url.startswith("https://cica.example/") for url in entries))

    def test_query_count_is_fixed(self):
        # per record section (members, dimensions, meetings, initiatives): the paginator's COUNT, then the rows
        with self.assertNumQueries(8):
            self.client.get("/sitemap.xml")

    def test_robots_txt_points_at_the_sitemap(self):
        response = self.client.get("/robots.txt", headers={"host": "evil.example"})
        self.assertEqual(response["Content-Type"], "text/plain; charset=utf-8")
        self.assertIn("Sitemap: https://cica.example/sitemap.xml", response.content.decode())
        self.assertIn("Disallow: /admin/", response.content.decode())
