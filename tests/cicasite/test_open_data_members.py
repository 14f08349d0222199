"""Open data of the members app: members and observers, their roles; CSV injection."""

from datetime import datetime

import time_machine
from django.test import override_settings

from cicasite.core.models import Source
from members.models import Member, Role
from tests.cicasite.open_data_helpers import SITE_URL, DownloadTestCase, body, data_url
from tests.factories import (
    DRAFT,
    make_area,
    make_dimension,
    make_member,
    make_region,
    make_role,
)


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
