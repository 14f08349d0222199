"""The folded filters' summary on every list: "Filters (n active)", n = the active filter chips, in both languages."""

import re

from django.test import TestCase

from tests.content import load_content

SUMMARY = re.compile(r'<summary class="filter-panel__toggle">([^<]*)</summary>')


class FilterSummaryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def summary(self, path):
        response = self.client.get(path)
        self.assertEqual(response.status_code, 200, path)
        found = SUMMARY.findall(response.content.decode())
        self.assertEqual(len(found), 1, path)
        return found[0], len(response.context["active_filters"])

    def test_the_count_is_the_number_of_active_filters_on_every_list(self):
        cases = {
            "/members/": "Filters",
            "/members/?q=a&dimension=economic&role=coordinator&status=member": "Filters (4 active)",
            "/events/?kind=summit": "Filters (1 active)",
            "/events/?kind=summit&when=past": "Filters (2 active)",
            "/initiatives/?dimension=economic": "Filters (1 active)",
            "/dimensions/?dimension=economic&status=member": "Filters (2 active)",
        }
        for path, expected in cases.items():
            with self.subTest(path):
                shown, chips = self.summary(path)
                self.assertEqual(shown, expected)
                self.assertEqual(re.findall(r"\d+", shown), [str(chips)] if chips else [])  # the chips' number

    def test_invalid_values_are_not_counted(self):
        shown, chips = self.summary("/members/?dimension=nowhere&role=coordinator")
        self.assertEqual((shown, chips), ("Filters (1 active)", 1))

    def test_russian_uses_its_plural_forms(self):
        cases = {
            "/ru/members/": "Фильтры",
            "/ru/events/?kind=summit": "Фильтры (1 активен)",
            "/ru/members/?dimension=economic&role=coordinator": "Фильтры (2 активно)",
            "/ru/members/?q=a&dimension=economic&role=coordinator&status=member&region=west-asia": (
                "Фильтры (5 активно)"
            ),
        }
        for path, expected in cases.items():
            with self.subTest(path):
                self.assertEqual(self.summary(path)[0], expected)
