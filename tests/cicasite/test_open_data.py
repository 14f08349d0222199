"""Open data: CSV and JSON downloads that match the list pages, and the /data/ page that documents them."""

import csv
import io
import json
from datetime import date, datetime
from urllib.parse import urlencode

import time_machine
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from cicasite.models import Source
from events.models import Event
from initiatives.models import Initiative
from members.models import Member, Role
from tests.content import load_content
from tests.factories import (
    DRAFT,
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

SITE_URL = "https://cica.example"
DATASET_URLS = {
    "members": ("members:member-data", "members:member-list"),
    "meetings": ("events:event-data", "events:event-list"),
    "initiatives": ("initiatives:initiative-data", "initiatives:initiative-list"),
    "roles": ("members:role-data", None),
}


def data_url(name, format):
    return reverse(name, kwargs={"format": format})


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def csv_rows(response):
    return list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"), newline="")))


def json_records(response):
    return json.loads(response.content)["records"]


class DownloadTestCase(TestCase):
    """Helpers: a download's slugs, in CSV and in JSON, against the list page's for the same filters."""

    def csv(self, name, params=None, **extra):
        # follow: parameters in another order than the filters' are first sent to the tidy address
        response = self.client.get(data_url(name, "csv"), params or {}, follow=True, **extra)
        self.assertEqual(response.status_code, 200)
        return csv_rows(response)

    def json(self, name, params=None, **extra):
        response = self.client.get(data_url(name, "json"), params or {}, follow=True, **extra)
        self.assertEqual(response.status_code, 200)
        return json.loads(response.content)

    def assert_matches_list_page(self, data_name, list_name, params):
        page = self.client.get(reverse(list_name), params, follow=True)  # the list may tidy its address first
        shown = [obj.slug for obj in page.context["object_list"]]
        self.assertFalse(page.context["is_paginated"])  # one page: it is the whole list
        self.assertEqual([row["slug"] for row in self.csv(data_name, params)], shown)
        self.assertEqual([record["slug"] for record in self.json(data_name, params)["records"]], shown)
        return shown


@override_settings(SITE_URL=SITE_URL)
class MemberDataTests(DownloadTestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic", name="Economic dimension", short_name="Economic")
        cls.human = make_dimension(slug="human", name="Human dimension", short_name="Human")
        central_asia = make_region(name="Central Asia", slug="central-asia")
        s1 = Source.objects.create(code="S01", title="Official site")
        s2 = Source.objects.create(code="S02", title="News article")
        cls.kazakhstan = make_member(
            name="Kazakhstan", slug="kazakhstan", iso_code="KZ", capital="Astana", region=central_asia, joined=1992
        )
        cls.kazakhstan.sources.set([s2, s1])
        cls.kyrgyzstan = make_member(name="Kyrgyzstan", slug="kyrgyzstan", iso_code="KG", region=central_asia)
        cls.japan = make_member(
            name="Japan", slug="japan", iso_code="JP", status=Member.Status.OBSERVER_STATE, joined=None, verified=False
        )
        cls.un = make_member(name="United Nations", slug="un", status=Member.Status.OBSERVER_ORG)
        cls.draft = make_member(name="Hidden draft", slug="hidden-draft", publication_status=DRAFT)
        econ, other_econ, human = make_area(cls.economic), make_area(cls.economic), make_area(cls.human)
        make_role(member=cls.kazakhstan, area=econ, role=Role.Kind.COORDINATOR)
        make_role(member=cls.kazakhstan, area=other_econ, role=Role.Kind.CO_COORDINATOR)
        make_role(member=cls.kazakhstan, area=human, role=Role.Kind.CO_COORDINATOR)
        make_role(member=cls.kyrgyzstan, area=econ, role=Role.Kind.CO_COORDINATOR)
        make_role(member=cls.draft, area=econ)

    def test_same_records_in_the_same_order_as_the_list_page(self):
        for params in (
            {},
            {"dimension": "economic"},
            {"role": "coordinator"},
            {"region": "central-asia", "status": "member"},
            {"q": "kaz"},
            {"status": "observer_org"},
            {"page": "1"},
        ):
            with self.subTest(params=params):
                self.assert_matches_list_page("members:member-data", "members:member-list", params)

    def test_csv_columns_and_values(self):
        rows = {row["slug"]: row for row in self.csv("members:member-data")}
        self.assertEqual(list(rows), ["japan", "kazakhstan", "kyrgyzstan", "un"])
        kazakhstan = rows["kazakhstan"]
        self.assertEqual(kazakhstan["name"], "Kazakhstan")
        self.assertEqual(kazakhstan["status"], "member")
        self.assertEqual(kazakhstan["iso_code"], "KZ")
        self.assertEqual(kazakhstan["region_slug"], "central-asia")
        self.assertEqual(kazakhstan["region_name"], "Central Asia")
        self.assertEqual(kazakhstan["joined"], "1992")
        self.assertEqual(kazakhstan["capital"], "Astana")
        self.assertEqual(kazakhstan["dimensions"], "economic;human")  # each dimension once, in dimension order
        self.assertEqual(kazakhstan["verified"], "true")
        self.assertEqual(kazakhstan["sources"], "S01;S02")
        self.assertEqual(kazakhstan["url"], "https://cica.example/members/kazakhstan/")
        self.assertEqual(rows["japan"]["joined"], "")
        self.assertEqual(rows["japan"]["verified"], "false")
        self.assertEqual(rows["japan"]["dimensions"], "")
        self.assertEqual(rows["un"]["region_slug"], "")

    @time_machine.travel(datetime(2026, 6, 15, 12, 30, 5, 999), tick=False)
    def test_json_document(self):
        data = self.json("members:member-data", {"dimension": "economic", "region": "atlantis"})
        self.assertEqual(data["licence"], "CC BY 4.0")
        self.assertEqual(data["source"], "https://cica.example/data/")
        self.assertEqual(data["generated"], "2026-06-15T12:30:05+00:00")
        self.assertEqual(data["count"], 2)
        self.assertEqual(data["filters"], {"dimension": "economic"})  # the invalid region was ignored
        kazakhstan = data["records"][0]
        self.assertEqual(kazakhstan["slug"], "kazakhstan")
        self.assertEqual(kazakhstan["joined"], 1992)
        self.assertEqual(kazakhstan["dimensions"], ["economic", "human"])
        self.assertIs(kazakhstan["verified"], True)
        self.assertEqual(kazakhstan["sources"], ["S01", "S02"])
        self.assertEqual(list(data), ["licence", "source", "generated", "count", "filters", "records"])

    def test_json_and_csv_have_the_same_fields(self):
        header = list(self.csv("members:member-data")[0])
        self.assertEqual(list(self.json("members:member-data")["records"][0]), header)

    def test_filters_of_the_json_document_name_related_records_by_slug(self):
        params = {"dimension": "economic", "role": "coordinator", "status": "member", "region": "central-asia"}
        self.assertEqual(self.json("members:member-data", params)["filters"], params)
        self.assertEqual(self.json("members:member-data")["filters"], {})

    def test_drafts_never_appear(self):
        for format in ("csv", "json"):
            with self.subTest(format=format):
                response = self.client.get(data_url("members:member-data", format))
                self.assertNotIn(b"hidden-draft", body(response))
                self.assertNotIn(b"Hidden draft", body(response))

    def test_invalid_filters_are_ignored(self):
        for params in (
            {"dimension": "nope"},
            {"status": "emperor"},
            {"region": "<script>alert(1)</script>"},
            {"role": "chair"},
            {"dimension": "x" * 5000},
            {"q": "x" * 500},
            {"q": "nul\x00byte"},
            {"dimension": "'; DROP TABLE members_member; --"},
            {"page": "abc"},
        ):
            with self.subTest(params=params):
                self.assertEqual(len(self.csv("members:member-data", params)), 4)
                data = self.json("members:member-data", params)
                self.assertEqual(data["count"], 4)
                self.assertEqual(data["filters"], {})

    def test_csv_is_an_attachment_and_json_inline(self):
        response = self.client.get(data_url("members:member-data", "csv"))
        self.assertEqual(response["Content-Type"], "text/csv; charset=utf-8; header=present")
        self.assertEqual(response["Content-Disposition"], 'attachment; filename="cica-members.csv"')
        content = body(response)
        self.assertTrue(content.startswith("\ufeffslug,name,status,".encode()))  # a BOM: Excel reads UTF-8
        self.assertIn(b"\r\n", content)  # RFC 4180 line breaks
        response = self.client.get(data_url("members:member-data", "json"))
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="cica-members.json"')
        self.assertIn('<https://creativecommons.org/licenses/by/4.0/>; rel="license"', response["Link"])
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")  # open data: other sites' scripts may read it

    def test_only_csv_and_json_and_only_reading(self):
        for path in ("/members/data.xml", "/members/data.csv/", "/members/data.", "/members/data.CSV"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path).status_code, 404)
        self.assertEqual(self.client.post(data_url("members:member-data", "csv")).status_code, 405)
        self.assertEqual(self.client.head(data_url("members:member-data", "json")).status_code, 200)

    @override_settings(ALLOWED_HOSTS=["evil.example", "testserver"])
    def test_absolute_urls_come_from_site_url_never_the_host_header(self):
        rows = self.csv("members:member-data", headers={"host": "evil.example"})
        self.assertEqual(rows[1]["url"], "https://cica.example/members/kazakhstan/")
        data = self.json("members:member-data", headers={"host": "evil.example"})
        self.assertEqual(data["source"], "https://cica.example/data/")
        self.assertTrue(all(record["url"].startswith("https://cica.example/") for record in data["records"]))
        for format in ("csv", "json"):
            response = self.client.get(data_url("members:member-data", format), headers={"host": "evil.example"})
            self.assertNotIn(b"evil.example", body(response))
            self.assertNotIn("evil.example", response["Link"])


@override_settings(SITE_URL=SITE_URL)
class CsvInjectionTests(DownloadTestCase):
    PAYLOADS = {
        "name": '=HYPERLINK("http://evil.example","Click")',
        "capital": "+1+2",
        "notes": "@SUM(A1:A2)",
        "iso_code": "",
    }

    @classmethod
    def setUpTestData(cls):
        make_member(slug="formula", **cls.PAYLOADS)
        make_member(slug="carriage", name="\rcarriage return", capital="-2+3", notes="safe = text, with comma")
        make_member(slug="tab", name="\tstarts with a tab")

    def test_cells_that_spreadsheets_would_run_are_defused(self):
        rows = {row["slug"]: row for row in self.csv("members:member-data")}
        for field, value in self.PAYLOADS.items():
            with self.subTest(field=field):
                self.assertEqual(rows["formula"][field], "'" + value if value else "")
        self.assertEqual(rows["carriage"]["name"], "'\rcarriage return")
        self.assertEqual(rows["carriage"]["capital"], "'-2+3")
        self.assertEqual(rows["tab"]["name"], "'\tstarts with a tab")
        self.assertEqual(rows["carriage"]["notes"], "safe = text, with comma")  # quoted, not altered

    def test_json_keeps_the_text_as_written(self):
        records = {record["slug"]: record for record in self.json("members:member-data")["records"]}
        self.assertEqual(records["formula"]["name"], self.PAYLOADS["name"])
        self.assertEqual(records["carriage"]["name"], "\rcarriage return")


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


@override_settings(SITE_URL=SITE_URL)
class RoleDataTests(DownloadTestCase):
    @classmethod
    def setUpTestData(cls):
        economic = make_dimension(slug="economic", name="Economic dimension", position=1)
        human = make_dimension(slug="human", name="Human dimension", position=2)
        energy = make_area(economic, name="Energy security", slug="energy", position=1)
        transport = make_area(economic, name="Transport", slug="transport", position=2)
        tourism = make_area(human, name="Tourism", slug="tourism", position=1)
        russia = make_member(name="Russia", slug="russia")
        china = make_member(name="China", slug="china")
        azerbaijan = make_member(name="Azerbaijan", slug="azerbaijan")
        draft = make_member(name="Draftland", slug="draftland", publication_status=DRAFT)
        role = make_role(member=china, area=energy, role=Role.Kind.CO_COORDINATOR, as_of=2024)
        role.sources.add(Source.objects.create(code="S07", title="Report"))
        make_role(member=azerbaijan, area=energy, role=Role.Kind.CO_COORDINATOR)
        make_role(member=russia, area=energy, role=Role.Kind.COORDINATOR)
        make_role(member=azerbaijan, area=transport, role=Role.Kind.COORDINATOR, verified=False)
        make_role(member=russia, area=tourism, role=Role.Kind.COORDINATOR, as_of=None)
        make_role(member=draft, area=energy, role=Role.Kind.COORDINATOR)
        make_role(member=draft, area=tourism, role=Role.Kind.CO_COORDINATOR)

    def pairs(self, params=None):
        return [(row["area_slug"], row["member_slug"]) for row in self.csv("members:role-data", params)]

    def test_every_role_of_a_published_member_in_dimension_order_coordinators_first(self):
        expected = [
            ("energy", "russia"),
            ("energy", "azerbaijan"),
            ("energy", "china"),
            ("transport", "azerbaijan"),
            ("tourism", "russia"),
        ]
        self.assertEqual(self.pairs(), expected)
        records = self.json("members:role-data")["records"]
        self.assertEqual([(r["area_slug"], r["member_slug"]) for r in records], expected)

    def test_columns(self):
        china = self.csv("members:role-data", {"member": "china"})
        self.assertEqual(len(china), 1)
        self.assertEqual(
            china[0],
            {
                "member_slug": "china",
                "member_name": "China",
                "dimension_slug": "economic",
                "dimension_name": "Economic dimension",
                "area_slug": "energy",
                "area_name": "Energy security",
                "role": "co-coordinator",
                "as_of": "2024",
                "verified": "true",
                "sources": "S07",
                "member_url": "https://cica.example/members/china/",
                "area_url": "https://cica.example/dimensions/economic/#energy",
            },
        )
        russia = self.json("members:role-data", {"dimension": "human"})["records"][0]
        self.assertIsNone(russia["as_of"])
        self.assertEqual(russia["sources"], [])

    def test_filters(self):
        self.assertEqual(self.pairs({"dimension": "human"}), [("tourism", "russia")])
        self.assertEqual(
            self.pairs({"role": "coordinator"}),
            [("energy", "russia"), ("transport", "azerbaijan"), ("tourism", "russia")],
        )
        self.assertEqual(self.pairs({"role": "coordinator", "member": "azerbaijan"}), [("transport", "azerbaijan")])
        data = self.json("members:role-data", {"dimension": "economic", "member": "russia"})
        self.assertEqual(data["filters"], {"dimension": "economic", "member": "russia"})
        self.assertEqual(data["count"], 1)

    def test_a_draft_members_roles_never_appear(self):
        self.assertNotIn("draftland", [member for _, member in self.pairs()])
        # Naming a draft is an invalid filter: ignored, and its roles still stay out.
        self.assertEqual(len(self.pairs({"member": "draftland"})), 5)
        response = self.client.get(data_url("members:role-data", "json"), {"member": "draftland"})
        self.assertNotIn(b"draftland", response.content)
        self.assertNotIn(b"Draftland", response.content)

    def test_invalid_filters_are_ignored(self):
        for params in ({"dimension": "nope"}, {"role": "chair"}, {"member": "x" * 3000}, {"member": "\x00"}):
            with self.subTest(params=params):
                self.assertEqual(len(self.pairs(params)), 5)


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
            # meetings with host (JOIN), dimensions, sources
            "events:event-data": 6,
            # chairmanship lookup, initiatives with chairmanship, its member and lead (JOIN),
            # dimensions, sources, published related meetings
            "initiatives:initiative-data": 5,
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
