"""OpenGraph: what a shared link shows, read by extruct from every kind of page."""

import re
import shutil
import tempfile

import extruct
from django.core.files.base import ContentFile
from django.test import TestCase, override_settings

from tests.content import load_content
from tests.factories import image_bytes, make_event, make_member

SITE_URL = "https://cica.example"
MEDIA = tempfile.mkdtemp(prefix="cica-test-og-")
CANONICAL = re.compile(r'<link rel="canonical" href="([^"]*)">')
GENERIC = "Members, dimensions, meetings and initiatives of the Conference on Interaction"
PAGES = [
    "/",
    "/members/",
    "/members/?status=observer_state",
    "/members/kazakhstan/",
    "/members/osce/",
    "/dimensions/",
    "/dimensions/military-political/",
    "/events/",
    "/events/sixth-cica-summit-2022/",
    "/initiatives/",
    "/initiatives/transformation-of-cica-into-a-full-fledged-international-organization/",
    "/about/",
    "/timeline/",
    "/data/",
    "/search/?q=summit",
]


@override_settings(SITE_URL=SITE_URL, MEDIA_ROOT=MEDIA, ALLOWED_HOSTS=["evil.example", "testserver"])
class OpenGraphTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def og(self, url, status=200):
        """The page's og: properties, each a list of values in document order, and its canonical URL."""
        response = self.client.get(url, headers={"host": "evil.example"})
        self.assertEqual(response.status_code, status, url)
        html = response.content.decode()
        (found,) = extruct.extract(html, base_url=SITE_URL + url, syntaxes=["opengraph"])["opengraph"]
        properties = {}
        for name, value in found["properties"]:
            properties.setdefault(name, []).append(value)
        (canonical,) = CANONICAL.findall(html)
        return properties, canonical

    def test_every_page_has_an_absolute_image_with_size_and_alt(self):
        for url in PAGES + ["/ru" + url for url in PAGES] + ["/no-such-page/"]:
            with self.subTest(url=url):
                og, _canonical = self.og(url, status=404 if url == "/no-such-page/" else 200)
                (image,) = og["og:image"]
                self.assertTrue(image.startswith("https://cica.example/"), image)
                self.assertTrue(og["og:image:width"][0].isdigit() and og["og:image:height"][0].isdigit())
                self.assertTrue(og["og:image:alt"][0].strip())

    def test_og_url_is_the_canonical_url(self):
        for url in PAGES + ["/ru" + url for url in PAGES]:
            with self.subTest(url=url):
                og, canonical = self.og(url)
                self.assertEqual(og["og:url"], [canonical])
        og, canonical = self.og("/members/?status=observer_state&page=1")
        self.assertEqual(og["og:url"], ["https://cica.example/members/?status=observer_state"])
        self.assertEqual(canonical, "https://cica.example/members/?status=observer_state")

    def test_locale_and_its_alternates(self):
        og, _ = self.og("/events/")
        self.assertEqual((og["og:locale"], og["og:locale:alternate"]), (["en_GB"], ["ru_RU"]))
        og, _ = self.og("/ru/events/")
        self.assertEqual((og["og:locale"], og["og:locale:alternate"]), (["ru_RU"], ["en_GB"]))

    def test_the_emblem_is_the_default_image_in_the_page_language(self):
        og, _ = self.og("/about/")
        self.assertRegex(og["og:image"][0], r"/static/img/cica-emblem(\.[0-9a-f]+)?\.png$")
        self.assertEqual((og["og:image:width"], og["og:image:height"]), (["1200"], ["630"]))
        self.assertEqual(og["og:image:alt"], ["Emblem of CICA"])
        og, _ = self.og("/ru/about/")
        self.assertIn("cica-emblem-ru", og["og:image"][0])
        self.assertEqual(og["og:image:alt"], ["Эмблема СВМДА"])

    def test_a_member_page_shows_its_flag(self):
        member = make_member(slug="flagged", flag_alt="Flag of Flagland")
        member.flag.save("flag.png", ContentFile(image_bytes("PNG", size=(1500, 1000))))
        og, _ = self.og("/members/flagged/")
        self.assertRegex(og["og:image"][0], r"^https://cica\.example/media/members/flags/renditions/.+-960\.png$")
        self.assertEqual((og["og:image:width"], og["og:image:height"]), (["960"], ["640"]))
        self.assertEqual(og["og:image:alt"], ["Flag of Flagland"])
        small = make_member(slug="small-flag", flag_alt="Small flag")
        small.flag.save("small.png", ContentFile(image_bytes("PNG", size=(300, 200))))
        og, _ = self.og("/members/small-flag/")
        self.assertEqual((og["og:image:width"], og["og:image:height"]), (["300"], ["200"]))  # never upscaled
        self.assertIn("cica-emblem", self.og("/members/kazakhstan/")[0]["og:image"][0])  # no flag: the emblem

    def test_a_meeting_page_shows_its_photo(self):
        event = make_event(slug="pictured", image_alt="Leaders at the summit")
        event.image.save("photo.jpg", ContentFile(image_bytes("JPEG", size=(1200, 800))))
        og, _ = self.og("/events/pictured/")
        self.assertRegex(og["og:image"][0], r"^https://cica\.example/media/events/renditions/.+-960\.jpg$")
        self.assertEqual(og["og:image:alt"], ["Leaders at the summit"])

    def test_member_pages_describe_the_member_not_the_site(self):
        for url, expected in (
            ("/members/kazakhstan/", "Kazakhstan: member state of CICA."),
            ("/members/osce/", "OSCE"),
            ("/dimensions/military-political/", "armed forces"),
        ):
            og, _ = self.og(url)
            (description,) = og["og:description"]
            self.assertNotIn(GENERIC, description, url)
            self.assertIn(expected, description, url)
        event = make_event(slug="no-summary", title="Quiet meeting", summary="")
        og, _ = self.og(event.get_absolute_url())
        self.assertIn("Quiet meeting", og["og:description"][0])
