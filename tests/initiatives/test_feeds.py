"""Atom feed of initiatives: the list page's items, with absolute URLs from SITE_URL."""

import re
from datetime import UTC, datetime, timedelta

import feedparser
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cicasite.core.models import SiteSettings
from initiatives.models import Initiative
from tests.factories import DRAFT, make_chairmanship, make_dimension, make_initiative, make_member

LIST_URL = reverse("initiatives:initiative-list")
FEED_URL = reverse("initiatives:initiative-feed")
SITE = "https://cica.example"


def parse_feed(response):
    return feedparser.parse(response.content)


@override_settings(SITE_URL=SITE)
class InitiativeFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        kazakhstan = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.chair = make_chairmanship(member=kazakhstan, start_year=2020, end_year=2024)
        human = make_dimension(name="Human dimension", slug="human")
        make_initiative(
            title="CICA Fund",
            slug="cica-fund",
            status=Initiative.Status.IN_PROGRESS,
            chairmanship=cls.chair,
            proposed_by="chairmanship",
            summary="A fund for joint projects.",
        )
        make_initiative(
            title="University network",
            slug="university-network",
            status=Initiative.Status.ACHIEVED,
            chairmanship=cls.chair,
            proposed_by="chairmanship",
        ).dimensions.add(human)
        make_initiative(title="Media Bank", status=Initiative.Status.PROPOSED, proposed_by="commentary")
        make_initiative(title="Draft idea", publication_status=DRAFT)

    def test_feed_items_are_the_list_page_items_for_the_same_filters(self):
        for params in (
            {},
            {"status": "in_progress"},
            {"chairmanship": "kazakhstan-2020-2024"},
            {"dimension": "human"},
            {"proposed_by": "commentary"},
            {"chairmanship": "kazakhstan-2020-2024", "status": "achieved"},
        ):
            with self.subTest(params=params):
                response = self.client.get(FEED_URL, params, follow=True)  # to the tidy address first
                self.assertEqual(response.status_code, 200)
                listed = self.client.get(LIST_URL, params, follow=True).context["object_list"]  # may tidy the query
                self.assertEqual(
                    {entry.link for entry in parse_feed(response).entries},
                    {SITE + initiative.get_absolute_url() for initiative in listed},
                )

    def test_filtered_feed(self):
        feed = parse_feed(self.client.get(FEED_URL, {"dimension": "human"}))
        self.assertEqual([entry.title for entry in feed.entries], ["University network"])

    def test_ideas_from_public_debate_have_their_own_feed(self):
        titles = [entry.title for entry in parse_feed(self.client.get(FEED_URL)).entries]
        self.assertEqual(sorted(titles), ["CICA Fund", "University network"])
        ideas = parse_feed(self.client.get(FEED_URL, {"proposed_by": "commentary"}))
        self.assertEqual([entry.title for entry in ideas.entries], ["Media Bank"])

    def test_the_feed_author_is_the_publisher_of_the_site_settings(self):
        SiteSettings.objects.create(publisher_name="CICA Secretariat", publisher_url="https://www.s-cica.org/")
        feed = parse_feed(self.client.get(FEED_URL))
        self.assertEqual(feed.feed.author_detail.name, "CICA Secretariat")
        self.assertEqual(feed.feed.author_detail.href, "https://www.s-cica.org/")
        self.assertNotContains(self.client.get(FEED_URL), "site team")

    def test_drafts_never_appear(self):
        self.assertNotContains(self.client.get(FEED_URL), "Draft idea")

    def test_invalid_parameters_are_ignored(self):
        for params in ({"status": "done"}, {"chairmanship": "nope-1-2"}, {"dimension": "x"}, {"page": "-1"}):
            with self.subTest(params=params):
                response = self.client.get(FEED_URL, params, follow=True)  # ?page=: 301 to the feed
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(parse_feed(response).entries), 2)

    def test_atom_feed_is_well_formed(self):
        response = self.client.get(FEED_URL)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        feed = parse_feed(response)
        self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))
        self.assertEqual(feed.version, "atom10")
        self.assertEqual(feed.feed.title, "CICA initiatives")

    def test_entry_fields(self):
        (entry,) = parse_feed(self.client.get(FEED_URL, {"status": "in_progress"})).entries
        url = f"{SITE}/initiatives/cica-fund/"
        self.assertEqual(entry.title, "CICA Fund")
        self.assertEqual(entry.link, url)
        self.assertEqual(entry.id, url)
        self.assertEqual(entry.summary, "<p>A fund for joint projects.</p>")
        self.assertEqual(datetime.fromisoformat(entry.updated), Initiative.objects.get(slug="cica-fund").updated_at)
        self.assertEqual([tag.term for tag in entry.tags], ["In progress"])
        (entry,) = parse_feed(self.client.get(FEED_URL, {"dimension": "human"})).entries
        self.assertEqual([tag.term for tag in entry.tags], ["Human dimension", "Achieved"])

    def test_newest_first_and_at_most_50(self):
        for i in range(55):
            make_initiative(title=f"Bulk initiative {i}")
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for i, pk in enumerate(Initiative.objects.order_by("pk").values_list("pk", flat=True)):
            Initiative.objects.filter(pk=pk).update(updated_at=start + timedelta(hours=i))
        entries = parse_feed(self.client.get(FEED_URL)).entries
        self.assertEqual(len(entries), 50)
        self.assertEqual(entries[0].title, "Bulk initiative 54")
        updated = [datetime.fromisoformat(entry.updated) for entry in entries]
        self.assertEqual(updated, sorted(updated, reverse=True))

    @override_settings(ALLOWED_HOSTS=["evil.example"])
    def test_absolute_urls_come_from_site_url_not_the_host_header(self):
        params = {"status": "achieved", "dimension": "x"}  # the self link keeps the valid filter only
        response = self.client.get(FEED_URL, params, headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "evil.example")
        feed = parse_feed(response)
        links = {link.rel: link.href for link in feed.feed.links}
        self.assertEqual(links["self"], f"{SITE}/initiatives/feed/?status=achieved")
        self.assertEqual(links["alternate"], f"{SITE}/initiatives/?status=achieved")
        self.assertEqual([entry.link for entry in feed.entries], [f"{SITE}/initiatives/university-network/"])

    def test_list_page_links_the_feed_with_the_current_filters(self):
        response = self.client.get(LIST_URL, {"status": "achieved", "page": "1"}, follow=True)
        self.assertContains(response, 'href="/initiatives/feed/?status=achieved"', count=2)  # <link> and visible
        self.assertContains(response, '<link rel="alternate" type="application/atom+xml"', count=1)
        self.assertContains(response, "Atom feed")
        feed_hrefs = re.findall(r'href="(/initiatives/feed/[^"]*)"', response.content.decode())
        self.assertEqual(feed_hrefs, ["/initiatives/feed/?status=achieved"] * 2)


class InitiativeFeedQueryCountTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension(slug=f"dimension-of-{n}")
        chair = make_chairmanship()
        for _ in range(n):
            initiative = make_initiative(chairmanship=chair, proposed_by="chairmanship", lead=chair.member)
            initiative.dimensions.add(dimension)
        return dimension, chair

    def count_queries(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(FEED_URL).status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        self.make_rows(3)
        small = self.count_queries()
        self.make_rows(60)
        self.assertEqual(self.count_queries(), small)

    def test_feed_query_count(self):
        dimension, chair = self.make_rows(30)
        # 1 site settings (the feed's author), 1 latest 50 initiatives with chairmanship, its member and
        # lead (JOINs), 1 prefetch of dimensions.
        with self.assertNumQueries(3):
            self.client.get(FEED_URL)
        # and 1 chairmanship lookup, 1 dimension lookup to validate the filters' values.
        with self.assertNumQueries(5):
            self.client.get(FEED_URL, {"chairmanship": chair.slug, "dimension": dimension.slug})
