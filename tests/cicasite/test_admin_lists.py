"""The admin's lists with a large archive in mind: the capped paginator, indexed search, the year
filter, and autocompletes whose labels tell records apart (issue 13)."""

from datetime import date
from unittest import skipIf, skipUnless

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import TestCase
from django.urls import reverse

from cicasite.core.admin_lists import LargeTablePaginator, search
from events.models import Event
from members.models import Member
from tests.factories import make_document, make_event, make_member

POSTGRESQL = connection.vendor == "postgresql"
CHANGELIST = reverse("admin:events_event_changelist")
AUTOCOMPLETE = reverse("admin:autocomplete")


class SmallCap(LargeTablePaginator):
    CAP = 5


class AdminListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("admin", "admin@example.org", "a-long-password-123")
        cls.host = make_member(name="Kazakhstan", slug="kazakhstan", status=Member.Status.OBSERVER_STATE)
        for day in range(1, 13):
            make_event(title=f"Meeting {day:02d}", start_date=date(2020, 1, day), host=cls.host)
        make_event(title="Шестой саммит СВМДА", start_date=date(2022, 10, 12), city="Astana", country="Kazakhstan")

    def setUp(self):
        self.client.force_login(self.user)

    def events(self):
        return Event.objects.order_by("-start_date", "-id")

    def test_the_paginator_counts_exactly_up_to_its_cap(self):
        paginator = SmallCap(Event.objects.filter(title__startswith="Meeting 1"), 2)
        self.assertEqual(paginator.count, 3)
        self.assertFalse(paginator.estimated)

    @skipIf(POSTGRESQL, "without PostgreSQL's estimate")
    def test_without_postgresql_it_counts_exactly_beyond_its_cap(self):
        paginator = SmallCap(self.events(), 2)
        self.assertEqual(paginator.count, 13)
        self.assertFalse(paginator.estimated)

    @skipUnless(POSTGRESQL, "the planner's estimate exists on PostgreSQL only")
    def test_beyond_its_cap_the_count_is_an_estimate_and_the_last_page_counts_exactly(self):
        paginator = SmallCap(self.events(), 2)
        self.assertGreaterEqual(paginator.count, SmallCap.CAP + 1)
        self.assertTrue(paginator.estimated)
        # The last page by the estimate (an error if the estimate overshot and this were not handled):
        # the count is now exact.
        last = paginator.page(paginator.num_pages)
        self.assertLessEqual(last.number, 7)
        self.assertFalse(paginator.estimated)
        self.assertEqual((paginator.count, paginator.num_pages), (13, 7))
        self.assertEqual([e.title for e in paginator.page(7).object_list], ["Meeting 01"])

    @skipUnless(POSTGRESQL, "the planner's estimate exists on PostgreSQL only")
    def test_an_estimate_above_the_true_count_still_ends_on_the_true_last_page(self):
        # Statistics of a table that since lost most of its rows: the planner expects about 213.
        for number in range(200):
            make_event(title=f"Gone {number:03d}", start_date=date(2019, 1, 1), host=self.host)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE events_event")
        Event.objects.filter(title__startswith="Gone").delete()
        paginator = SmallCap(self.events(), 2)
        self.assertGreater(paginator.num_pages, 7)  # the estimate's pages
        last = paginator.page(paginator.num_pages)  # a link to the last page, as the estimate has it
        self.assertEqual((last.number, paginator.num_pages, paginator.count), (7, 7, 13))
        self.assertEqual([event.title for event in last.object_list], ["Meeting 01"])

    def test_pages_read_their_keys_first_and_keep_the_order(self):
        rows = list(self.events())
        paginator = SmallCap(self.events(), 2)
        # The true pages (the estimate may promise more; beyond the true end a page is empty).
        for number in range(1, -(-len(rows) // 2) + 1):
            with self.subTest(page=number):
                titles = [event.title for event in paginator.page(number).object_list]
                self.assertEqual(titles, [event.title for event in rows[(number - 1) * 2 : number * 2]])

    def test_search_finds_every_word_in_either_language(self):
        fields = ["title_en", "title_ru", "city_en", "country_en"]
        # Every word somewhere: "meeting" and "1" (Meeting 01, 10, 11, 12); a "quoted phrase" as one.
        cases = [("meeting 1", 4), ('"meeting 1"', 3), ("саммит", 1), ("ASTANA", 13), ("kazakh", 13), ("zzz", 0)]
        if POSTGRESQL:
            cases.append(("САММИТ", 1))  # SQLite's LIKE folds the case of ASCII letters only
        for term, expected in cases:
            with self.subTest(term):
                self.assertEqual(search(Event.objects.all(), fields, term).count(), expected)

    def test_search_through_a_relation_repeats_no_row(self):
        event = Event.objects.get(title="Meeting 01")
        make_document(event=event, title="Declaration")
        make_document(event=event, title="Statement")
        documents = search(event.documents.model.objects.all(), ["title_en", "event__title_en"], "meeting 01")
        self.assertEqual(documents.count(), 2)

    @skipUnless(POSTGRESQL, "trigram indexes exist on PostgreSQL only")
    def test_the_admin_search_of_meetings_is_served_by_trigram_indexes(self):
        model_admin = admin.site._registry[Event]
        request = self.client.get(CHANGELIST).wsgi_request
        queryset, _duplicates = model_admin.get_search_results(request, Event.objects.order_by(), "summit")
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL enable_seqscan = off")
            plan = queryset.explain()
        self.assertNotIn("Seq Scan", plan)
        for index in ("event_trgm_title", "event_trgm_city", "event_trgm_country"):
            self.assertIn(f"Bitmap Index Scan on {index}", plan)

    def test_the_changelist_filters_by_year_and_ignores_a_year_that_is_none(self):
        response = self.client.get(CHANGELIST, {"year": "2022"})
        self.assertEqual([e.title for e in response.context["cl"].result_list], ["Шестой саммит СВМДА"])
        self.assertContains(self.client.get(CHANGELIST), "?year=2020")
        for bad in ("abc", "99999", "-1", "２０２２"):
            with self.subTest(bad):
                response = self.client.get(CHANGELIST, {"year": bad})
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(response.context["cl"].result_list), 13)

    def test_the_changelist_sorts_by_every_column_and_shows_the_last_page(self):
        for column in range(1, 8):
            with self.subTest(column=column):
                self.assertEqual(self.client.get(CHANGELIST, {"o": str(column)}).status_code, 200)
        self.assertEqual(self.client.get(CHANGELIST, {"p": "1"}).status_code, 200)

    def test_a_meeting_autocomplete_shows_its_date_and_place(self):
        query = {"app_label": "initiatives", "model_name": "initiative", "field_name": "events", "term": "саммит"}
        results = self.client.get(AUTOCOMPLETE, query).json()["results"]
        self.assertEqual([r["text"] for r in results], ["Шестой саммит СВМДА: 12 October 2022, Astana, Kazakhstan"])

    def test_a_member_autocomplete_shows_its_status(self):
        query = {"app_label": "events", "model_name": "event", "field_name": "host", "term": "kazakh"}
        results = self.client.get(AUTOCOMPLETE, query).json()["results"]
        self.assertEqual([r["text"] for r in results], ["Kazakhstan (Observer state)"])
