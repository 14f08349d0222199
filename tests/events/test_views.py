from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from tests.factories import DRAFT, make_dimension, make_document, make_event, make_initiative, make_member

URL = reverse("events:event-list")


def titles(response):
    return [e.title for e in response.context["object_list"]]


class EventListFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic")
        cls.kazakhstan = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.china = make_member(name="China", slug="china")
        cls.summit_2022 = make_event(
            title="Sixth CICA Summit", kind=Event.Kind.SUMMIT, start_date=date(2022, 10, 12), host=cls.kazakhstan
        )
        cls.summit_2022.dimensions.add(cls.economic)
        cls.summit_2014 = make_event(
            title="Fourth CICA Summit", kind=Event.Kind.SUMMIT, start_date=date(2014, 5, 21), host=cls.china
        )
        cls.soc = make_event(
            title="SOC meeting", kind=Event.Kind.SOC, start_date=date(2022, 6, 1), host=cls.kazakhstan
        )
        cls.planned = make_event(
            title="Seventh CICA Summit",
            kind=Event.Kind.SUMMIT,
            start_date=date(2026, 1, 1),
            date_precision="year",
            status=Event.Status.PLANNED,
        )
        make_event(title="Draft forum", kind=Event.Kind.FORUM, start_date=date(2023, 1, 1), publication_status=DRAFT)

    def test_lists_published_meetings_latest_first(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            titles(response), ["Seventh CICA Summit", "Sixth CICA Summit", "SOC meeting", "Fourth CICA Summit"]
        )
        self.assertNotContains(response, "Draft forum")

    def test_kind_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"kind": "soc"})), ["SOC meeting"])
        self.assertEqual(len(titles(self.client.get(URL, {"kind": "summit"}))), 3)

    def test_year_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"year": "2022"})), ["Sixth CICA Summit", "SOC meeting"])

    def test_year_choices_come_from_published_meetings(self):
        response = self.client.get(URL)
        choices = [value for value, _ in response.context["filter_form"].fields["year"].choices if value]
        self.assertEqual(choices, ["2026", "2022", "2014"])  # not 2023: only a draft is there

    def test_dimension_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"dimension": "economic"})), ["Sixth CICA Summit"])

    def test_host_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"host": "kazakhstan"})), ["Sixth CICA Summit", "SOC meeting"])

    def test_when_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"when": "upcoming"})), ["Seventh CICA Summit"])
        self.assertEqual(
            titles(self.client.get(URL, {"when": "past"})), ["Sixth CICA Summit", "SOC meeting", "Fourth CICA Summit"]
        )

    def test_filters_combine(self):
        self.assertEqual(
            titles(self.client.get(URL, {"kind": "summit", "year": "2022", "host": "kazakhstan"})),
            ["Sixth CICA Summit"],
        )

    def test_facets_count_what_each_option_would_give(self):
        html = self.client.get(URL, {"kind": "summit"}).content.decode()
        self.assertIn('<option value="2022">2022 (1)</option>', html)
        self.assertIn('<option value="2026">2026 (1)</option>', html)
        self.assertIn('<option value="upcoming">Upcoming (1)</option>', html)
        self.assertIn('<option value="past">Past (2)</option>', html)
        self.assertIn('<option value="soc">Senior Officials Committee (1)</option>', html)
        self.assertIn('<option value="forum" disabled>Think Tank Forum (0)</option>', html)

    def test_year_only_meeting_shown_as_its_year(self):
        self.assertContains(self.client.get(URL, {"when": "upcoming"}), "2026")

    def test_invalid_values_are_ignored_with_a_message(self):
        for params in (
            {"kind": "party"},
            {"year": "-1"},
            {"year": "99999999999999999999"},
            {"year": "2022.5"},
            {"year": "abc"},
            {"dimension": "nope"},
            {"host": "atlantis"},
            {"when": "yesterday"},
            {"host": "\x00"},
        ):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["invalid_fields"])
                self.assertEqual(len(titles(response)), 4)

    def test_bad_pages_are_404(self):
        for page in ("abc", "99999", "0"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(URL, {"page": page}).status_code, 404)


class EventListQueryCountTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension()
        host = make_member()
        for i in range(n):
            event = make_event(host=host, start_date=date(2000 + i % 20, 1, 1))
            event.dimensions.add(dimension)

    def count_queries(self, params=None):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(URL, params or {}).status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        self.make_rows(3)
        small = self.count_queries()
        self.make_rows(60)
        self.assertEqual(self.count_queries(), small)

    def test_query_count(self):
        self.make_rows(30)
        # 1 year choices, 1 total and page boundaries (one window query, no COUNT(*) of its own),
        # 1 UNION ALL of the 5 facet counts (when, kind, year, dimension, host), 1 page of meetings with
        # host (JOIN), 1 prefetch of dimensions, 1 dimension and 1 host choices, 1 site settings (the footer),
        # 1 members' slugs (the host counts are by key; in production that and the counts come from the data
        # cache, which a member's edit leaves alone: tests/cicasite/test_page_cache.py).
        with self.assertNumQueries(9):
            self.client.get(URL)


class EventPaginationTests(TestCase):
    """?page=N seeks to the first key of page N (cicasite.core.pagination): the same rows as an OFFSET would give."""

    @classmethod
    def setUpTestData(cls):
        # Ties on date and on title, so that the seek has to use every column of the order.
        for i in range(60):
            make_event(title=f"Meeting {i % 7}", start_date=date(2000 + i % 5, 1, 1))
        make_event(title="Draft meeting", publication_status=DRAFT)

    def test_every_page_shows_the_rows_an_offset_would(self):
        expected = list(Event.objects.published().order_by("-start_date", "title", "pk").values_list("pk", flat=True))
        seen = []
        for number in (1, 2, 3):
            response = self.client.get(URL, {"page": number})
            self.assertEqual(response.status_code, 200)
            page = [event.pk for event in response.context["object_list"]]
            self.assertEqual(page, expected[(number - 1) * 24 : number * 24])
            seen += page
            self.assertEqual(response.context["paginator"].count, 60)
        self.assertEqual(seen, expected)
        self.assertContains(self.client.get(URL, {"page": 3}), "Page 3 of 3")

    def test_filtered_pages_seek_within_the_filter(self):
        expected = list(
            Event.objects.published()
            .filter(start_date__year=2001)
            .order_by("-start_date", "title", "pk")
            .values_list("pk", flat=True)
        )
        response = self.client.get(URL, {"year": "2001"})
        self.assertEqual([event.pk for event in response.context["object_list"]], expected)
        self.assertEqual(response.context["result_count"], 12)

    def test_no_offset_and_no_count_star_on_a_deep_page(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(URL, {"page": 3}).status_code, 200)
        sql = " ".join(query["sql"].upper() for query in ctx.captured_queries)
        self.assertNotIn("OFFSET", sql)
        self.assertNotIn("COUNT(*)", sql)

    def test_page_out_of_range_or_not_a_number_is_a_404(self):
        for page in ("4", "0", "-1", "two"):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(URL, {"page": page}).status_code, 404)

    def test_last_page_by_name(self):
        response = self.client.get(URL, {"page": "last"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.context["page_obj"].number, 3)
        self.assertEqual(len(response.context["object_list"]), 12)


class EventDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.event = make_event(title="Sixth CICA Summit", slug="sixth-cica-summit-2022", start_date=date(2022, 10, 12))
        make_document(event=cls.event, title="Astana Statement on CICA Transformation")
        make_document(event=cls.event, title="Unreleased draft document", publication_status=DRAFT)
        make_initiative(title="CICA Fund").events.add(cls.event)

    def test_shows_the_meeting_and_its_public_documents(self):
        response = self.client.get("/events/sixth-cica-summit-2022/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "12 October 2022")
        self.assertContains(response, "Astana Statement on CICA Transformation")
        self.assertNotContains(response, "Unreleased draft document")
        self.assertContains(response, "CICA Fund")

    def test_draft_meeting_is_404(self):
        draft = make_event(publication_status=DRAFT)
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)

    def test_unknown_meeting_is_404(self):
        self.assertEqual(self.client.get("/events/nope/").status_code, 404)
