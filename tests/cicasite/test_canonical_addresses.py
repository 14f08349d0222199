"""One address per set of filters: lists, feeds, calendars and data files send an untidy query
(unknown or empty parameters, another order, a page where there are none) to the tidy one, for good."""

import feedparser
from django.test import TestCase, override_settings

from tests.content import load_content

SITE_URL = "https://cica.example"

# (untidy address, its tidy address)
UNTIDY = [
    ("/members/?status=member&dimension=economic&utm_source=x", "/members/?dimension=economic&status=member"),
    ("/events/?kind=&year=2022&kind=summit", "/events/?kind=summit&year=2022"),
    ("/initiatives/?status=+achieved+", "/initiatives/?status=achieved"),
    ("/events/feed/?host=kazakhstan&kind=summit", "/events/feed/?kind=summit&host=kazakhstan"),
    ("/events/feed/?kind=summit&page=2", "/events/feed/?kind=summit"),
    ("/initiatives/feed/?status=&fbclid=1", "/initiatives/feed/"),
    ("/events/calendar.ics?when=past&kind=summit", "/events/calendar.ics?kind=summit&when=past"),
    ("/events/sixth-cica-summit-2022/calendar.ics?utm_source=mail", "/events/sixth-cica-summit-2022/calendar.ics"),
    ("/members/data.csv?region=central-asia&status=member", "/members/data.csv?status=member&region=central-asia"),
    ("/members/data.json?page=3", "/members/data.json"),
    ("/roles/data.csv?member=kazakhstan&dimension=economic", "/roles/data.csv?dimension=economic&member=kazakhstan"),
    ("/events/data.csv?kind=summit&kind=ministerial", "/events/data.csv?kind=ministerial"),
    ("/initiatives/data.json?dimension=&status=achieved", "/initiatives/data.json?status=achieved"),
    ("/data/datapackage.json?x=1", "/data/datapackage.json"),
]


@override_settings(SITE_URL=SITE_URL)
class CanonicalAddressTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def test_untidy_addresses_redirect_permanently_to_the_tidy_one(self):
        for untidy, tidy in UNTIDY + [("/ru" + untidy, "/ru" + tidy) for untidy, tidy in UNTIDY]:
            with self.subTest(url=untidy):
                response = self.client.get(untidy)
                self.assertEqual(response.status_code, 301)
                self.assertEqual(response["Location"], tidy)
                self.assertEqual(self.client.get(tidy).status_code, 200)  # and no further redirect

    def test_tidy_addresses_are_served_as_they_are(self):
        for _untidy, tidy in UNTIDY:
            with self.subTest(url=tidy):
                self.assertEqual(self.client.get(tidy).status_code, 200)

    def test_feed_id_and_self_link_carry_the_cleaned_filters(self):
        """An invalid value stays in the address (the list page explains it), but not in the feed's identity."""
        for url, expected in (
            ("/events/feed/?kind=summit&host=atlantis", f"{SITE_URL}/events/feed/?kind=summit"),
            ("/events/feed/?kind=party", f"{SITE_URL}/events/feed/"),
            ("/ru/initiatives/feed/?status=done&dimension=human", f"{SITE_URL}/ru/initiatives/feed/?dimension=human"),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                feed = feedparser.parse(response.content)
                links = {link.rel: link.href for link in feed.feed.links}
                self.assertEqual(feed.feed.id, expected)
                self.assertEqual(links["self"], expected)
                self.assertEqual(links["alternate"], expected.replace("/feed/", "/"))
