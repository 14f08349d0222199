from django.db import IntegrityError, transaction
from django.test import TestCase

from cicasite.core.models import LegacyRedirect
from events.models import Event
from tests.content import load_content


class LegacyRedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def test_old_summit_and_ministerial_pages_redirect_permanently(self):
        for key, target in (
            ("first-summit", "/events/first-cica-summit-2002/"),
            ("sixth-summit", "/events/sixth-cica-summit-2022/"),
            ("second-ministerial", "/events/second-meeting-of-cica-ministers-of-foreign-affairs-2004/"),
            ("military-political-dimension", "/dimensions/military-political/"),
        ):
            with self.subTest(key=key):
                response = self.client.get("/index.php", {"view": "page", "t": key})
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], target)
                self.assertEqual(self.client.get(target).status_code, 200)

    def test_every_seeded_redirect_leads_to_a_page(self):
        self.assertEqual(LegacyRedirect.objects.count(), 15)
        for redirect in LegacyRedirect.objects.all():
            with self.subTest(key=redirect.key):
                self.assertEqual(self.client.get(redirect.target.split("#")[0]).status_code, 200)

    def test_news_and_speech_ids_redirect_when_editors_add_them(self):
        LegacyRedirect.objects.create(kind="news", key="1228", target="/events/sixth-cica-summit-2022/")
        LegacyRedirect.objects.create(kind="speech", key="77", target="/about/")
        self.assertRedirects(
            self.client.get("/news_detail/", {"newsid": "1228"}), "/events/sixth-cica-summit-2022/", status_code=301
        )
        self.assertRedirects(self.client.get("/speeches_detail/", {"id": "77"}), "/about/", status_code=301)

    def test_a_redirect_to_a_record_the_public_may_not_see_is_not_followed(self):
        # An editor's redirect must not reveal a draft's address (issue 11): the visitor gets the helpful 404.
        Event.objects.filter(slug="sixth-cica-summit-2022").update(publication_status="draft")
        response = self.client.get("/index.php", {"view": "page", "t": "sixth-summit"})
        self.assertEqual(response.status_code, 404)
        self.assertFalse(response.has_header("Location"))
        self.assertNotContains(response, "sixth-cica-summit-2022", status_code=404)
        # Nor its calendar, nor a file (found by the second outsider attack).
        for target in ("/events/sixth-cica-summit-2022/calendar.ics", "/media/events/photo.png"):
            LegacyRedirect.objects.filter(key="sixth-summit").update(target=target)
            with self.subTest(target=target):
                response = self.client.get("/index.php", {"view": "page", "t": "sixth-summit"})
                self.assertEqual(response.status_code, 404)

    def test_unknown_old_addresses_get_a_helpful_page(self):
        for url in (
            "/index.php?view=page&t=nope",
            "/news_detail/?newsid=99999",
            "/speeches_detail/",
            "/index.php",
            "/news_detail/?newsid=%00",
            "/index.php?t=" + "x" * 5000,
        ):
            with self.subTest(url=url[:50]):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 404)
                self.assertContains(response, "old CICA site", status_code=404)
                self.assertContains(response, "/events/", status_code=404)

    def test_targets_must_be_paths_on_this_site(self):
        for target in ("https://evil.example/", "//evil.example/", "events/"):
            with self.subTest(target=target), self.assertRaises(IntegrityError), transaction.atomic():
                LegacyRedirect.objects.create(key=f"k-{target}", target=target)
