"""Open data: meetings and initiatives as CSV and JSON matching the list pages, the /data/ page that
documents every download, query counts and fuzzing. Members and roles: test_open_data_members.py."""

import csv
import io
import json
from datetime import date
from urllib.parse import urlencode

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cicasite.core.models import Source
from events.feeds import meetings_calendar
from events.models import Event
from initiatives.models import Initiative
from members.models import Role
from tests.cicasite.open_data_helpers import (
    DATASET_URLS,
    SITE_URL,
    DownloadTestCase,
    body,
    csv_rows,
    data_url,
    json_records,
)
from tests.content import load_content
from tests.factories import (
    DRAFT,
    PUBLISHED,
    make_area,
    make_chairmanship,
    make_dimension,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
)
from tests.test_fuzz import EXAMPLES, PARAMS


@override_settings(SITE_URL=SITE_URL)
class MeetingDataTests(DownloadTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic")
        cls.kazakhstan = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.draft_host = make_member(name="Draft host", slug="draft-host", publication_status=DRAFT)
        cls.summit = make_event(
            title="Sixth CICA Summit",
            slug="sixth-summit",
            kind=Event.Kind.SUMMIT,
            ordinal=6,
            start_date=date(2022, 10, 12),
            end_date=date(2022, 10, 13),
            host=cls.kazakhstan,
        )
        cls.summit.dimensions.add(cls.economic)
        make_event(
            title="Seventh CICA Summit",
            slug="seventh-summit",
            kind=Event.Kind.SUMMIT,
            start_date=date(2026, 1, 1),
            date_precision=Event.Precision.YEAR,
            status=Event.Status.PLANNED,
            city="",
        )
        make_event(
            title="Forum", slug="forum", kind=Event.Kind.FORUM, start_date=date(2021, 6, 1), date_precision="month"
        )
        make_event(title="Hosted by a draft", slug="draft-hosted", start_date=date(2019, 3, 4), host=cls.draft_host)
        make_event(title="Draft meeting", slug="draft-meeting", publication_status=DRAFT)

    def test_same_records_in_the_same_order_as_the_list_page(self):
        for params in (
            {},
            {"kind": "summit"},
            {"year": "2022"},
            {"dimension": "economic"},
            {"host": "kazakhstan"},
            {"when": "upcoming"},
            {"when": "past"},
            {"kind": "summit", "when": "past"},
        ):
            with self.subTest(params=params):
                self.assert_matches_list_page("events:event-data", "events:event-list", params)

    def test_dates_keep_their_precision(self):
        rows = {row["slug"]: row for row in self.csv("events:event-data")}
        self.assertEqual(rows["seventh-summit"]["start_date"], "2026")
        self.assertEqual(rows["seventh-summit"]["date_precision"], "year")
        self.assertEqual(rows["forum"]["start_date"], "2021-06")
        self.assertEqual(rows["forum"]["date_precision"], "month")
        self.assertEqual(rows["sixth-summit"]["start_date"], "2022-10-12")
        self.assertEqual(rows["sixth-summit"]["date_precision"], "day")
        records = {record["slug"]: record for record in self.json("events:event-data")["records"]}
        self.assertEqual(records["seventh-summit"]["start_date"], "2026")

    def test_columns(self):
        summit = next(row for row in self.csv("events:event-data") if row["slug"] == "sixth-summit")
        self.assertEqual(summit["kind"], "summit")
        self.assertEqual(summit["ordinal"], "6")
        self.assertEqual(summit["status"], "held")
        self.assertEqual(summit["host_slug"], "kazakhstan")
        self.assertEqual(summit["host_name"], "Kazakhstan")
        self.assertEqual(summit["dimensions"], "economic")
        self.assertEqual(summit["url"], "https://cica.example/events/sixth-summit/")
        self.assertEqual(self.json("events:event-data", {"kind": "summit"})["filters"], {"kind": "summit"})

    def test_drafts_never_appear(self):
        rows = {row["slug"]: row for row in self.csv("events:event-data")}
        self.assertNotIn("draft-meeting", rows)
        self.assertEqual(rows["draft-hosted"]["host_slug"], "")  # a draft host is not named
        self.assertEqual(rows["draft-hosted"]["host_name"], "")
        response = self.client.get(data_url("events:event-data", "json"))
        self.assertNotIn(b'"draft-host"', response.content)
        self.assertNotIn(b"Draft host", response.content)
        self.assertNotIn(b"Draft meeting", response.content)

    def test_invalid_filters_are_ignored(self):
        for params in ({"kind": "party"}, {"year": "1066"}, {"host": "draft-host"}, {"when": "never"}):
            with self.subTest(params=params):
                self.assertEqual(len(self.csv("events:event-data", params)), 4)
                self.assertEqual(self.json("events:event-data", params)["filters"], {})

    def test_file_name(self):
        response = self.client.get(data_url("events:event-data", "csv"))
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="cica-meetings.csv"')


@override_settings(SITE_URL=SITE_URL)
class InitiativeDataTests(DownloadTestCase):
    @classmethod
    def setUpTestData(cls):
        human = make_dimension(slug="human")
        azerbaijan = make_member(name="Azerbaijan", slug="azerbaijan")
        chair = make_chairmanship(member=azerbaijan, start_year=2024, end_year=2026)
        summit = make_event(slug="summit-2024", start_date=date(2024, 10, 1))
        forum = make_event(slug="forum-2020", start_date=date(2020, 1, 1))
        draft_meeting = make_event(slug="secret-meeting", publication_status=DRAFT)
        cls.council = make_initiative(
            title="Women's Council",
            slug="womens-council",
            status=Initiative.Status.IN_PROGRESS,
            proposed_by=Initiative.ProposedBy.CHAIRMANSHIP,
            chairmanship=chair,
            lead=azerbaijan,
        )
        cls.council.dimensions.add(human)
        cls.council.events.set([summit, forum, draft_meeting])
        make_initiative(title="Anchored idea", slug="idea", lead=make_member(slug="draftia", publication_status=DRAFT))
        make_initiative(title="Achieved fund", slug="fund", status=Initiative.Status.ACHIEVED)
        make_initiative(title="Secret plan", slug="secret-plan", publication_status=DRAFT)

    def test_same_records_in_the_same_order_as_the_list_page(self):
        for params in (
            {},
            {"status": "achieved"},
            {"chairmanship": "azerbaijan-2024-2026"},
            {"dimension": "human"},
            {"proposed_by": "commentary"},
            {"status": "nope"},
        ):
            with self.subTest(params=params):
                self.assert_matches_list_page("initiatives:initiative-data", "initiatives:initiative-list", params)

    def test_columns_and_drafts(self):
        rows = {row["slug"]: row for row in self.csv("initiatives:initiative-data")}
        self.assertEqual(list(rows), ["fund", "idea", "womens-council"])
        council = rows["womens-council"]
        self.assertEqual(council["status"], "in_progress")
        self.assertEqual(council["proposed_by"], "chairmanship")
        self.assertEqual(council["chairmanship_slug"], "azerbaijan-2024-2026")
        self.assertEqual(council["chairmanship_name"], "Azerbaijan 2024–2026")
        self.assertEqual(council["lead_slug"], "azerbaijan")
        self.assertEqual(council["dimensions"], "human")
        self.assertEqual(council["meetings"], "forum-2020;summit-2024")  # published only, oldest first
        self.assertEqual(rows["idea"]["lead_slug"], "")  # a draft lead is not named
        records = {record["slug"]: record for record in self.json("initiatives:initiative-data")["records"]}
        self.assertEqual(records["womens-council"]["meetings"], ["forum-2020", "summit-2024"])
        self.assertIsNone(records["idea"]["lead_slug"])
        self.assertIsNone(records["fund"]["chairmanship_slug"])


class DataPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        # One record of each kind, so that every download has a header row to check.
        member = make_member(slug="kazakhstan")
        make_role(member=member)
        make_event()
        make_initiative()

    def test_page_answers_with_one_h1_and_the_licence(self):
        with self.assertNumQueries(1):  # the site settings (footer, citation); everything else is fixed text
            response = self.client.get(reverse("data"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(
            response,
            "The data compiled for this site is published under the Creative Commons Attribution 4.0 "
            "International licence (CC BY 4.0)",
            html=False,
        )
        self.assertContains(response, 'href="https://creativecommons.org/licenses/by/4.0/"')
        self.assertContains(response, "How to cite")
        self.assertContains(response, "remain with their authors")

    def test_documents_every_column_the_downloads_contain(self):
        page = self.client.get(reverse("data"))
        for dataset, (data_name, _) in DATASET_URLS.items():
            header = list(self.client_csv_header(data_name))
            self.assertGreater(len(header), 5)
            for column in header:
                with self.subTest(dataset=dataset, column=column):
                    self.assertContains(page, f"<code>{column}</code>")
            with self.subTest(dataset=dataset):
                self.assertContains(page, f'href="{data_url(data_name, "csv")}"')
                self.assertContains(page, f'href="{data_url(data_name, "json")}"')

    def client_csv_header(self, data_name):
        response = self.client.get(data_url(data_name, "csv"))
        return next(csv.reader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))

    def test_footer_links_to_the_page(self):
        self.assertContains(self.client.get("/"), f'<a href="{reverse("data")}">Open data</a>', html=True)

    def test_list_pages_link_to_their_download_with_the_current_filters(self):
        for dataset, (data_name, list_name) in DATASET_URLS.items():
            if list_name is None:
                continue
            with self.subTest(dataset=dataset):
                response = self.client.get(reverse(list_name), {"dimension": "economic", "page": "1"}, follow=True)
                self.assertContains(response, f'href="{data_url(data_name, "csv")}?dimension=economic"')
                self.assertContains(response, f'href="{data_url(data_name, "json")}?dimension=economic"')


class DataQueryCountTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension()
        region = make_region()
        area = make_area(dimension)
        source = Source.objects.create(code=f"S{dimension.pk}-{n}", title="Source")
        host = make_member(region=region)
        chair = make_chairmanship(member=host, start_year=2000 + n, end_year=2001 + n)
        for i in range(n):
            member = make_member(region=region)
            member.sources.add(source)
            make_role(member=member, area=area, role=Role.Kind.COORDINATOR if i % 2 else Role.Kind.CO_COORDINATOR)
            make_role(member=member).sources.add(source)
            event = make_event(host=host, kind=Event.Kind.SUMMIT)
            event.dimensions.add(dimension)
            event.sources.add(source)
            initiative = make_initiative(chairmanship=chair, lead=member, proposed_by="chairmanship")
            initiative.dimensions.add(dimension)
            initiative.events.add(event)
            initiative.sources.add(source)
        return {"dimension": dimension, "region": region, "host": host, "chair": chair}

    def params(self, objects):
        return {
            "members:member-data": {"dimension": objects["dimension"].slug, "region": objects["region"].slug},
            "events:event-data": {"dimension": objects["dimension"].slug, "host": objects["host"].slug},
            "initiatives:initiative-data": {"chairmanship": objects["chair"].slug},
            "members:role-data": {"dimension": objects["dimension"].slug, "role": "coordinator"},
        }

    def count_queries(self, name, format, params):
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(data_url(name, format), params)
            body(response)  # a streamed CSV reads its rows while it is sent
        self.assertEqual(response.status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        small = self.params(self.make_rows(3))
        counts = {(n, f): self.count_queries(n, f, p) for n, p in small.items() for f in ("csv", "json")}
        large = self.params(self.make_rows(40))
        for (name, format), count in counts.items():
            with self.subTest(name=name, format=format):
                self.assertEqual(self.count_queries(name, format, large[name]), count)

    def test_query_counts(self):
        params = self.params(self.make_rows(30))
        expected = {
            # dimension and region lookups (form validation), members with region (JOIN),
            # roles with area and dimension, sources
            "members:member-data": 5,
            # years that have a meeting (the year filter's choices), dimension and host lookups,
            # meetings with host (JOIN, EXISTS public) and the ids of their dimensions and sources (subqueries),
            # the order of dimensions, of sources (cicasite.core.opendata.in_order)
            "events:event-data": 6,
            # chairmanship lookup, initiatives with lead (JOIN, EXISTS public) and the ids of their
            # dimensions, meetings and sources (subqueries), public chairmanships with member (JOIN), the
            # order of dimensions, of sources, of the published meetings they name
            "initiatives:initiative-data": 6,
            # dimension lookup, roles with member, region, area and dimension (JOIN), sources
            "members:role-data": 3,
        }
        for name, queries in expected.items():
            for format in ("csv", "json"):
                with self.subTest(name=name, format=format), self.assertNumQueries(queries):
                    body(self.client.get(data_url(name, format), params[name]))


class DownloadFuzzTests(HypothesisTestCase):
    """Any query on any download, on the real content: never a server error, always a parseable file."""

    @classmethod
    def setUpTestData(cls):
        load_content()

    @settings(max_examples=min(EXAMPLES, 150), deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(name=st.sampled_from([name for name, _ in DATASET_URLS.values()]), params=PARAMS)
    def test_downloads_with_any_query(self, name, params):
        query = urlencode(params, doseq=True)
        # An untidy query is sent, once and for good, to the tidy address.
        csv_response = self.client.get(f"{data_url(name, 'csv')}?{query}", follow=True)
        self.assertEqual(csv_response.status_code, 200, query)
        self.assertIn([status for _url, status in csv_response.redirect_chain], ([], [301]), query)
        rows = csv_rows(csv_response)  # reading the stream runs the queries
        json_response = self.client.get(f"{data_url(name, 'json')}?{query}", follow=True)
        self.assertEqual(json_response.status_code, 200, query)
        self.assertEqual(len(json_records(json_response)), len(rows))


@override_settings(SITE_URL=SITE_URL)
class LargeDownloadTests(DownloadTestCase):
    """Downloads over 1 MB (WHOLE_BODY_MAX): written while they are sent, the same bytes as a whole file."""

    N = 800  # meetings of about 2.2 KB of JSON and 1.6 KB of iCalendar each: 1.8 MB and 1.2 MB

    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic", position=2)
        cls.human = make_dimension(slug="human", position=1)
        s1 = Source.objects.create(code="S01", title="Official site")
        s2 = Source.objects.create(code="S02", title="News article")
        host = make_member(name="Kazakhstan", slug="kazakhstan")
        draft_host = make_member(name="Hidden host", slug="hidden-host", publication_status=DRAFT)
        texts = {
            "title": "Meeting {i}, with a comma; a semicolon, a backslash \\ and a long title " + "x" * 200,
            "city": "Astana, " + "c" * 80,
            "country": "Kazakhstan; " + "k" * 80,
            "summary": "A summary, long enough. " * 40,
            "notes": "Research notes. " * 70,
        }
        events = Event.objects.bulk_create(
            Event(
                slug=f"large-{i:04d}",
                kind=Event.Kind.MINISTERIAL,
                start_date=date(1993 + i % 30, 1 + i % 12, 1 + i % 28),
                status=Event.Status.HELD,
                publication_status=PUBLISHED,
                host=draft_host if i % 7 == 0 else host,
                date_precision=Event.Precision.YEAR if i % 10 == 0 else Event.Precision.DAY,
                **{f"{name}{suffix}": text.format(i=i) for name, text in texts.items() for suffix in ("", "_en")},
            )
            for i in range(cls.N)
        )
        links = [event for i, event in enumerate(events) if i % 3 == 0]
        Event.dimensions.through.objects.bulk_create(
            Event.dimensions.through(event=event, dimension=dimension)
            for event in links
            for dimension in (cls.economic, cls.human)
        )
        Event.sources.through.objects.bulk_create(
            Event.sources.through(event=event, source=source) for event in links for source in (s2, s1)
        )
        make_event(title="Secret draft meeting", slug="secret-draft", publication_status=DRAFT)

    def get(self, url, params=None):
        response = self.client.get(url, params or {})
        self.assertEqual(response.status_code, 200)
        return response, body(response)

    def test_json_streams_as_json_dumps_writes_it(self):
        response, content = self.get(data_url("events:event-data", "json"))
        self.assertTrue(response.streaming)
        self.assertGreater(len(content), 1024 * 1024)
        data = json.loads(content)
        self.assertEqual(data["count"], self.N)
        self.assertEqual(len(data["records"]), self.N)
        self.assertEqual(content, json.dumps(data, ensure_ascii=False, indent=1).encode())

    def test_json_and_csv_hold_the_same_rows_in_the_list_order(self):
        _response, content = self.get(data_url("events:event-data", "json"))
        records = json.loads(content)["records"]
        rows = self.csv("events:event-data")
        self.assertEqual([row["slug"] for row in rows], [record["slug"] for record in records])
        expected = list(
            Event.objects.published().order_by("-start_date", "title_en", "pk").values_list("slug", flat=True)
        )
        self.assertEqual([record["slug"] for record in records], expected)
        by_slug = {record["slug"]: record for record in records}
        self.assertEqual(by_slug["large-0003"]["dimensions"], ["human", "economic"])  # in dimension order
        self.assertEqual(by_slug["large-0003"]["sources"], ["S01", "S02"])  # by code
        self.assertEqual(by_slug["large-0001"]["dimensions"], [])
        self.assertEqual(by_slug["large-0001"]["host_slug"], "kazakhstan")
        self.assertEqual(by_slug["large-0007"]["host_slug"], None)  # a draft host is not named
        self.assertEqual(by_slug["large-0007"]["url"], f"{SITE_URL}/events/large-0007/")

    def test_drafts_never_appear(self):
        for format in ("csv", "json"):
            with self.subTest(format=format):
                _response, content = self.get(data_url("events:event-data", format))
                self.assertNotIn(b"secret-draft", content)
                self.assertNotIn(b"Hidden host", content)
                self.assertNotIn(b"hidden-host", content)
        _response, content = self.get(reverse("events:event-calendar"))
        self.assertNotIn(b"secret-draft", content)

    def test_query_count_is_that_of_a_small_download(self):
        def count(url, params):
            with CaptureQueriesContext(connection) as ctx:
                self.get(url, params)
            return len(ctx)

        for url in (data_url("events:event-data", "csv"), data_url("events:event-data", "json")):
            with self.subTest(url=url):
                self.assertEqual(count(url, {}), count(url, {"kind": "summit"}))  # 800 rows, then none
        calendar = reverse("events:event-calendar")
        self.assertEqual(count(calendar, {}), count(calendar, {"when": "upcoming"}))

    def test_calendar_streams_the_bytes_icalendar_writes(self):
        response, content = self.get(reverse("events:event-calendar"))
        self.assertTrue(response.streaming)
        self.assertGreater(len(content), 1024 * 1024)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="cica-meetings.ics"')
        events = Event.objects.published().order_by("start_date", "pk")
        self.assertEqual(content, meetings_calendar(events).to_ical())
        self.assertIn(b"X-CICA-OMITTED-UNDATED:80\r\n", content)  # every tenth is dated to the year only

    def test_whole_file_below_one_megabyte_is_not_streamed(self):
        # The page cache keeps what is sent whole (with its ETag), as before.
        for url in (data_url("events:event-data", "json"), reverse("events:event-calendar")):
            with self.subTest(url=url):
                response, _content = self.get(url, {"year": "2000"})
                self.assertFalse(response.streaming)
