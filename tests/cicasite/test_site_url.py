"""Absolute links follow the address served in development (`make run PORT=8101`), SITE_URL in production.

Every place that writes an absolute URL is read: the sitemap index and a section, robots.txt, a
page's canonical, hreflang, og:url, og:image and JSON-LD, the feeds, the calendars, the data files
and their Link header, and the data package.
"""

import json
import shutil
import tempfile
import xml.etree.ElementTree as ET

from django.test import TestCase, override_settings

from cicasite.core import pagecache
from tests.factories import make_event, make_initiative, make_member

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
DEV_HOST = "127.0.0.1:8101"
PAGES = [
    "/robots.txt",
    "/",
    "/ru/",
    "/members/",
    "/members/kazakhstan/",
    "/events/sixth-summit/",
    "/events/feed/",
    "/initiatives/feed/",
    "/events/calendar.ics",
    "/events/sixth-summit/calendar.ics",
    "/members/data.json",
    "/data/",
    "/data/datapackage.json",
]


class SiteUrlTestCase(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.member = make_member(name="Kazakhstan", slug="kazakhstan")
        make_event(title="Sixth Summit", slug="sixth-summit", host=cls.member)
        make_initiative(slug="an-initiative")

    def get(self, path, host):
        response = self.client.get(path, headers={"host": host})
        self.assertEqual(response.status_code, 200, path)
        return response

    def sitemap_locations(self, host):
        """The index's locations, then those of its first section, as written."""
        index = [loc.text for loc in ET.fromstring(self.get("/sitemap.xml", host).content).findall(".//s:loc", NS)]
        section = self.get(index[0].split("://", 1)[1].removeprefix(host).removeprefix("cica.example"), host)
        return index + [loc.text for loc in ET.fromstring(section.content).findall(".//s:loc", NS)]

    def everything(self, host):
        """Each page's body and Link header, by path."""
        return {
            path: response.content.decode() + response.get("Link", "")
            for path in PAGES
            for response in [self.get(path, host)]
        }


@override_settings(DEBUG=True, SITE_URL="https://cica.example", ALLOWED_HOSTS=["127.0.0.1", "localhost"])
class DevelopmentTests(SiteUrlTestCase):
    def test_sitemap_links_use_the_address_served(self):
        locations = self.sitemap_locations(DEV_HOST)
        self.assertGreater(len(locations), 5)
        for location in locations:
            self.assertTrue(location.startswith(f"http://{DEV_HOST}/"), location)

    def test_every_absolute_link_uses_the_address_served(self):
        for path, body in self.everything(DEV_HOST).items():
            with self.subTest(path):
                self.assertIn(f"http://{DEV_HOST}/", body)
                self.assertNotIn("cica.example", body)
                self.assertNotIn("127.0.0.1:8000", body)

    def test_page_links_name_the_port(self):
        page = self.get("/members/kazakhstan/", DEV_HOST)
        url = f"http://{DEV_HOST}/members/kazakhstan/"
        self.assertContains(page, f'<link rel="canonical" href="{url}">')
        self.assertContains(page, f'<meta property="og:url" content="{url}">')
        self.assertContains(page, f'hreflang="ru" href="http://{DEV_HOST}/ru/members/kazakhstan/"')
        self.assertContains(page, f'"url": "{url}"')  # JSON-LD
        self.assertContains(self.get("/robots.txt", DEV_HOST), f"Sitemap: http://{DEV_HOST}/sitemap.xml", count=1)
        self.assertIn(b"UID:sixth-summit@127.0.0.1", self.get("/events/sixth-summit/calendar.ics", DEV_HOST).content)

    def test_another_address_gets_its_own_links(self):
        self.assertContains(self.get("/members/", "localhost:8102"), 'href="http://localhost:8102/members/"')

    def test_a_host_not_allowed_is_refused(self):
        self.assertEqual(self.client.get("/sitemap.xml", headers={"host": "evil.example"}).status_code, 400)


@override_settings(DEBUG=False, SITE_URL="https://cica.example", ALLOWED_HOSTS=["127.0.0.1", "evil.example"])
class ProductionTests(SiteUrlTestCase):
    def test_links_use_site_url_whatever_the_host(self):
        for host in (DEV_HOST, "evil.example"):
            for location in self.sitemap_locations(host):
                self.assertTrue(location.startswith("https://cica.example/"), location)
            for path, body in self.everything(host).items():
                with self.subTest(path, host=host):
                    self.assertIn("https://cica.example/", body)
                    self.assertNotIn(host, body)


@override_settings(DEBUG=True, ALLOWED_HOSTS=["127.0.0.1", "localhost"], PAGE_CACHE=True)
class DevelopmentPageCacheTests(SiteUrlTestCase):
    """With the page cache on in development, a page cached for one address is never served to another."""

    @classmethod
    def setUpClass(cls):
        cls.cache_dir = tempfile.mkdtemp(prefix="cica-test-pages-")
        cls.caches = override_settings(
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": cls.cache_dir},
            }
        )
        cls.caches.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.caches.disable()
        shutil.rmtree(cls.cache_dir, ignore_errors=True)

    def setUp(self):
        pagecache.page_cache().clear()

    def test_each_address_gets_its_own_cached_page(self):
        first = self.get("/members/", DEV_HOST)
        other = self.get("/members/", "localhost:8102")
        again = self.get("/members/", DEV_HOST)
        self.assertEqual([r["X-Page-Cache"] for r in (first, other, again)], ["miss", "miss", "hit"])
        self.assertContains(other, 'href="http://localhost:8102/members/"')
        self.assertNotContains(other, DEV_HOST)
        self.assertContains(again, f'href="http://{DEV_HOST}/members/"')
        self.assertNotContains(again, "localhost:8102")

    def test_data_package_paths_follow_the_address(self):
        package = json.loads(self.get("/data/datapackage.json", "localhost:8102").content)
        self.assertTrue(all(r["path"].startswith("http://localhost:8102/") for r in package["resources"]))
