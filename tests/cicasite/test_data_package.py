"""/data/datapackage.json and the CSV files it describes, read by the tools people use on them:
frictionless (against the live server), Python's csv, and a spreadsheet's expectations (BOM, separator)."""

import csv
import io
import json

import frictionless
import pandas
from django.test import LiveServerTestCase, TestCase, override_settings
from django.utils import translation

from cicasite.core.opendata import LICENCE_URL
from cicasite.views import DATASETS
from events.models import Event
from initiatives.models import Initiative
from members.models import Member, Role
from members.opendata import MEMBERS
from tests.content import load_content

SITE_URL = "https://cica.example"
BOM = "\ufeff".encode()


def content(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


class DataPackageValidationTests(LiveServerTestCase):
    """`frictionless validate` on the package as a client gets it: over HTTP, every CSV fetched."""

    def setUp(self):
        load_content()

    def test_frictionless_validate_passes_in_every_language(self):
        with self.settings(SITE_URL=self.live_server_url):
            for prefix in ("", "/ru"):
                with self.subTest(language=prefix or "en"):
                    report = frictionless.validate(f"{self.live_server_url}{prefix}/data/datapackage.json")
                    self.assertEqual(report.flatten(["resourcePath", "type", "message"]), [])
                    self.assertTrue(report.valid)
                    self.assertEqual([task.name for task in report.tasks], [d.slug for d in DATASETS])
                    self.assertTrue(all(task.stats["rows"] > 0 for task in report.tasks))

    def test_frictionless_finds_a_broken_reference(self):
        """The foreign keys are checked: a host missing from the members file is an error."""
        with self.settings(SITE_URL=self.live_server_url):
            package = json.loads(self.client.get("/data/datapackage.json").content)
            # Only the observer states as the members file: the meetings' member-state hosts are missing.
            package["resources"][0]["path"] = f"{self.live_server_url}/members/data.csv?status=observer_state"
            report = frictionless.validate(package)
        self.assertFalse(report.valid)
        self.assertIn("foreign-key", {error[0] for error in report.flatten(["type"])})


@override_settings(SITE_URL=SITE_URL)
class DataPackageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def package(self, prefix=""):
        response = self.client.get(f"{prefix}/data/datapackage.json")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "application/json")
        self.assertEqual(response["Access-Control-Allow-Origin"], "*")
        return json.loads(response.content)

    def csv_header(self, url):
        response = self.client.get(url)
        self.assertEqual(response.status_code, 200, url)
        text = content(response).decode("utf-8-sig")
        return text.splitlines()[0]

    def test_package_describes_every_csv_column_in_order(self):
        package = self.package()
        self.assertEqual(package["profile"], "tabular-data-package")
        self.assertEqual(package["licenses"][0]["path"], LICENCE_URL)
        self.assertEqual(package["homepage"], "https://cica.example/data/")
        for resource in package["resources"]:
            with self.subTest(resource=resource["name"]):
                path = resource["path"].removeprefix(SITE_URL)
                header = self.csv_header(path).split(",")
                self.assertEqual([field["name"] for field in resource["schema"]["fields"]], header)
                self.assertEqual(resource["licenses"][0]["path"], LICENCE_URL)
                self.assertEqual(resource["schema"]["missingValues"], [""])
                self.assertEqual(resource["dialect"]["delimiter"], ",")
                self.assertTrue(set(resource["schema"]["primaryKey"]) <= set(header))

    def test_choices_keys_and_types(self):
        resources = {resource["name"]: resource for resource in self.package()["resources"]}

        def field(resource, name):
            return next(f for f in resources[resource]["schema"]["fields"] if f["name"] == name)

        self.assertEqual(field("members", "status")["constraints"]["enum"], list(Member.Status.values))
        self.assertEqual(field("meetings", "kind")["constraints"]["enum"], list(Event.Kind.values))
        self.assertEqual(field("roles", "role")["constraints"]["enum"], list(Role.Kind.values))
        proposed_by = field("initiatives", "proposed_by")["constraints"]["enum"]
        self.assertEqual(proposed_by, list(Initiative.ProposedBy.values))
        self.assertEqual(field("meetings", "start_date")["type"], "string")  # 2026 is not 2026-01-01
        self.assertEqual(field("meetings", "ordinal")["type"], "integer")
        self.assertEqual(field("members", "joined")["type"], "year")
        self.assertEqual(field("members", "verified")["type"], "boolean")
        self.assertEqual(field("members", "sources")["delimiter"], ";")
        self.assertEqual(resources["members"]["schema"]["primaryKey"], ["slug"])
        self.assertEqual(resources["roles"]["schema"]["primaryKey"], ["member_slug", "dimension_slug", "area_slug"])
        for name, column in (("roles", "member_slug"), ("meetings", "host_slug"), ("initiatives", "lead_slug")):
            self.assertEqual(
                resources[name]["schema"]["foreignKeys"],
                [{"fields": [column], "reference": {"resource": "members", "fields": ["slug"]}}],
            )

    def test_russian_package_points_at_the_russian_files(self):
        package = self.package("/ru")
        members = package["resources"][0]
        self.assertEqual(members["path"], "https://cica.example/ru/members/data.csv")
        with translation.override("ru"):
            self.assertEqual(members["title"], str(MEMBERS.title))
        self.assertNotEqual(members["title"], "Members and observers")
        self.assertEqual(members["dialect"]["delimiter"], ";")

    def test_every_csv_starts_with_a_byte_order_mark_and_parses_with_utf_8_sig(self):
        paths = {dataset.slug: dataset.csv_url for dataset in DATASETS}  # in English: a request may change it
        for dataset in DATASETS:
            for prefix in ("", "/ru"):
                with self.subTest(dataset=dataset.slug, language=prefix or "en"):
                    raw = content(self.client.get(prefix + paths[dataset.slug]))
                    self.assertTrue(raw.startswith(BOM))
                    self.assertFalse(raw[len(BOM) :].startswith(BOM))
                    delimiter = ";" if prefix else ","
                    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline=""), delimiter=delimiter))
                    self.assertEqual(rows[0], [column.name for column in dataset.columns])
                    self.assertGreater(len(rows), 1)
                    self.assertEqual({len(row) for row in rows}, {len(dataset.columns)})

    def test_russian_csv_is_what_a_russian_spreadsheet_expects(self):
        """Excel opens a CSV by double-click with the locale's list separator: ";" in Russian."""
        raw = content(self.client.get("/ru/members/data.csv"))
        rows = {row["slug"]: row for row in csv.DictReader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";")}
        self.assertEqual(rows["kazakhstan"]["name"], "Казахстан")
        self.assertEqual(rows["kazakhstan"]["status"], "member")

    def test_no_column_is_empty_in_every_row(self):
        """A column no record fills says nothing: drop it, or fill it from the records."""
        for dataset in DATASETS:
            with self.subTest(dataset=dataset.slug):
                raw = content(self.client.get(dataset.csv_url)).decode("utf-8-sig")
                rows = list(csv.DictReader(io.StringIO(raw, newline="")))
                empty = [name for name in rows[0] if not any(row[name] for row in rows)]
                self.assertEqual(empty, [])

    def test_pandas_reads_every_file_as_the_package_describes_it(self):
        """What a researcher types: pandas.read_csv with the package's separator, every column typed."""
        for prefix in ("", "/ru"):
            for resource in self.package(prefix)["resources"]:
                with self.subTest(language=prefix or "en", resource=resource["name"]):
                    body = content(self.client.get(resource["path"].removeprefix(SITE_URL)))
                    frame = pandas.read_csv(
                        io.BytesIO(body),
                        encoding="utf-8-sig",
                        sep=resource["dialect"]["delimiter"],
                        keep_default_na=False,
                        dtype=str,
                    )
                    fields = resource["schema"]["fields"]
                    self.assertEqual(list(frame.columns), [field["name"] for field in fields])
                    rows = list(
                        csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=resource["dialect"]["delimiter"])
                    )
                    self.assertEqual(len(frame), len(rows) - 1)
                    for field in fields:
                        if field.get("constraints", {}).get("required"):
                            self.assertFalse((frame[field["name"]] == "").any(), field["name"])
                        if field["type"] == "boolean":
                            self.assertLessEqual(set(frame[field["name"]]), {"true", "false"}, field["name"])

    def test_data_page_links_to_the_package(self):
        response = self.client.get("/data/")
        self.assertContains(response, 'href="/data/datapackage.json"')
        self.assertContains(self.client.get("/ru/data/"), 'href="/ru/data/datapackage.json"')
