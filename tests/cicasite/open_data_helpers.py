"""What the open-data tests share: download helpers, and the check that a download matches its list page."""

import csv
import io
import json

from django.test import TestCase
from django.urls import reverse

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
