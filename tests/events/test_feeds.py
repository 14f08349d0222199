"""Atom feed and iCalendar files of meetings: the list page's items, with absolute URLs from SITE_URL."""

import re
from datetime import UTC, date, datetime, timedelta

import feedparser
from django.db import connection
from django.test import SimpleTestCase, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from hypothesis import given, settings
from hypothesis import strategies as st
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from events.feeds import ical_line, ical_text, meetings_calendar
from events.models import Event
from tests.factories import DRAFT, make_dimension, make_event, make_member

LIST_URL = reverse("events:event-list")
FEED_URL = reverse("events:event-feed")
CALENDAR_URL = reverse("events:event-calendar")
SITE = "https://cica.example"


def list_links(client, params=None):
    """Absolute URLs of the meetings the list page shows for these parameters."""
    response = client.get(LIST_URL, params or {}, follow=True)  # the list may tidy its query string
    return {SITE + event.get_absolute_url() for event in response.context["object_list"]}


def parse_feed(response):
    return feedparser.parse(response.content)


def parse_calendar(response):
    return Calendar.from_ical(response.content)


def uids(calendar):
    return {str(vevent["UID"]) for vevent in calendar.walk("VEVENT")}


@override_settings(SITE_URL=SITE)
class EventFeedTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(name="Economic dimension", slug="economic")
        cls.kazakhstan = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.china = make_member(name="China", slug="china")
        cls.summit_2022 = make_event(
            title="Sixth CICA Summit",
            slug="sixth-cica-summit-2022",
            kind=Event.Kind.SUMMIT,
            start_date=date(2022, 10, 12),
            end_date=date(2022, 10, 13),
            host=cls.kazakhstan,
            summary="Held in Astana & <b>30 years</b> on.",
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

    def test_feed_items_are_the_list_page_items_for_the_same_filters(self):
        for params in (
            {},
            {"kind": "summit"},
            {"kind": "summit", "host": "kazakhstan"},
            {"year": "2022"},
            {"dimension": "economic"},
            {"when": "upcoming"},
            {"when": "past", "host": "kazakhstan"},
        ):
            with self.subTest(params=params):
                response = self.client.get(FEED_URL, params, follow=True)  # to the tidy address first
                self.assertEqual(response.status_code, 200)
                links = {entry.link for entry in parse_feed(response).entries}
                self.assertEqual(links, list_links(self.client, params))

    def test_filtered_feed(self):
        feed = parse_feed(self.client.get(FEED_URL, {"kind": "summit", "host": "kazakhstan"}))
        self.assertEqual([entry.title for entry in feed.entries], ["Sixth CICA Summit"])

    def test_drafts_never_appear(self):
        for params in ({}, {"kind": "forum"}, {"year": "2023"}):
            with self.subTest(params=params):
                response = self.client.get(FEED_URL, params)
                self.assertNotContains(response, "Draft forum")

    def test_invalid_parameters_are_ignored(self):
        for params in (
            {"kind": "party"},
            {"year": "2023"},  # only a draft that year: not a choice
            {"year": "99999999999999999999"},
            {"host": "atlantis"},
            {"dimension": "\x00"},
            {"when": "yesterday"},
            {"page": "abc"},
        ):
            with self.subTest(params=params):
                response = self.client.get(FEED_URL, params, follow=True)  # ?page=: 301 to the feed
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(parse_feed(response).entries), 4)

    def test_atom_feed_is_well_formed(self):
        response = self.client.get(FEED_URL)
        self.assertEqual(response["Content-Type"], "application/atom+xml; charset=utf-8")
        feed = parse_feed(response)
        self.assertEqual(feed.bozo, 0, feed.get("bozo_exception"))
        self.assertEqual(feed.version, "atom10")
        self.assertEqual(feed.feed.title, "CICA meetings")
        self.assertTrue(feed.feed.author)

    def test_entry_fields(self):
        feed = parse_feed(self.client.get(FEED_URL, {"dimension": "economic"}))
        (entry,) = feed.entries
        url = f"{SITE}/events/sixth-cica-summit-2022/"
        self.assertEqual(entry.title, "Sixth CICA Summit")
        self.assertEqual(entry.link, url)
        self.assertEqual(entry.id, url)
        self.assertEqual(entry.summary, "<p>Held in Astana &amp; &lt;b&gt;30 years&lt;/b&gt; on.</p>")  # text, escaped
        self.summit_2022.refresh_from_db()
        self.assertEqual(datetime.fromisoformat(entry.updated), self.summit_2022.updated_at)
        self.assertEqual([tag.term for tag in entry.tags], ["Summit", "Economic dimension", "Held"])

    def test_newest_first_and_at_most_50(self):
        for i in range(55):
            make_event(title=f"Bulk meeting {i}")
        start = datetime(2025, 1, 1, tzinfo=UTC)
        for i, pk in enumerate(Event.objects.order_by("pk").values_list("pk", flat=True)):
            Event.objects.filter(pk=pk).update(updated_at=start + timedelta(hours=i))
        entries = parse_feed(self.client.get(FEED_URL)).entries
        self.assertEqual(len(entries), 50)
        self.assertEqual(entries[0].title, "Bulk meeting 54")
        updated = [datetime.fromisoformat(entry.updated) for entry in entries]
        self.assertEqual(updated, sorted(updated, reverse=True))

    @override_settings(ALLOWED_HOSTS=["evil.example"])
    def test_absolute_urls_come_from_site_url_not_the_host_header(self):
        # Valid and invalid filters: the self link and id carry the valid ones only.
        response = self.client.get(FEED_URL, {"kind": "summit", "host": "atlantis"}, headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "evil.example")
        feed = parse_feed(response)
        links = {link.rel: link.href for link in feed.feed.links}
        self.assertEqual(links["self"], f"{SITE}/events/feed/?kind=summit")
        self.assertEqual(links["alternate"], f"{SITE}/events/?kind=summit")
        self.assertEqual(feed.feed.id, f"{SITE}/events/feed/?kind=summit")
        for entry in feed.entries:
            self.assertTrue(entry.link.startswith(SITE + "/events/"))
            self.assertEqual(entry.id, entry.link)


@override_settings(SITE_URL=SITE)
class EventCalendarTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.summit = make_event(
            title="Sixth CICA Summit",
            slug="sixth-cica-summit-2022",
            kind=Event.Kind.SUMMIT,
            start_date=date(2022, 10, 12),
            end_date=date(2022, 10, 13),
            city="Astana",
            country="Kazakhstan",
            summary="The 30th anniversary summit.",
        )
        cls.soc = make_event(title="SOC meeting", slug="soc-2022", kind=Event.Kind.SOC, start_date=date(2022, 6, 1))
        cls.planned = make_event(
            title="Ministerial Council 2026",
            slug="ministerial-2026",
            start_date=date(2026, 9, 25),
            status=Event.Status.PLANNED,
            city="",
            country="",
        )
        cls.year_only = make_event(
            title="Seventh CICA Summit",
            slug="seventh-cica-summit-2026",
            kind=Event.Kind.SUMMIT,
            start_date=date(2026, 1, 1),
            date_precision="year",
            status=Event.Status.PLANNED,
        )
        cls.month_only = make_event(
            title="Forum 2024", slug="forum-2024", start_date=date(2024, 6, 1), date_precision="month"
        )
        cls.draft = make_event(
            title="Draft forum", slug="draft-forum", start_date=date(2023, 1, 1), publication_status=DRAFT
        )

    def test_calendar_headers(self):
        response = self.client.get(CALENDAR_URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="cica-meetings.ics"')

    def test_calendar_properties(self):
        calendar = parse_calendar(self.client.get(CALENDAR_URL))
        self.assertEqual(calendar.name, "VCALENDAR")
        self.assertEqual(str(calendar["VERSION"]), "2.0")
        self.assertTrue(str(calendar["PRODID"]))
        self.assertEqual(str(calendar["CALSCALE"]), "GREGORIAN")
        self.assertEqual(str(calendar["METHOD"]), "PUBLISH")
        self.assertEqual(str(calendar["X-WR-CALNAME"]), "CICA meetings")

    def test_calendar_has_the_published_meetings_dated_to_the_day(self):
        calendar = parse_calendar(self.client.get(CALENDAR_URL))
        self.assertEqual(
            uids(calendar),
            {"sixth-cica-summit-2022@cica.example", "soc-2022@cica.example", "ministerial-2026@cica.example"},
        )

    def test_meetings_dated_to_the_month_or_year_are_left_out_and_counted(self):
        response = self.client.get(CALENDAR_URL)
        self.assertNotContains(response, "Seventh CICA Summit")
        self.assertNotContains(response, "Forum 2024")
        calendar = parse_calendar(response)
        self.assertEqual(str(calendar["X-CICA-OMITTED-UNDATED"]), "2")
        self.assertIn("known only to the month or year", str(calendar["X-WR-CALDESC"]))

    def test_drafts_never_appear(self):
        self.assertNotContains(self.client.get(CALENDAR_URL), "Draft forum")

    def test_vevent_fields(self):
        calendar = parse_calendar(self.client.get(CALENDAR_URL, {"kind": "summit"}))
        (vevent,) = calendar.walk("VEVENT")
        url = f"{SITE}/events/sixth-cica-summit-2022/"
        self.assertEqual(str(vevent["UID"]), "sixth-cica-summit-2022@cica.example")
        self.assertEqual(vevent["DTSTART"].dt, date(2022, 10, 12))
        self.assertNotIsInstance(vevent["DTSTART"].dt, datetime)  # an all-day VALUE=DATE
        self.assertEqual(vevent["DTSTART"].params["VALUE"], "DATE")
        self.assertEqual(vevent["DTEND"].dt, date(2022, 10, 14))  # the day after the last day
        self.assertEqual(str(vevent["SUMMARY"]), "Sixth CICA Summit")
        self.assertEqual(str(vevent["LOCATION"]), "Astana, Kazakhstan")
        self.assertEqual(str(vevent["DESCRIPTION"]), f"The 30th anniversary summit.\n\n{url}")
        self.assertEqual(str(vevent["URL"]), url)
        self.assertEqual(str(vevent["STATUS"]), "CONFIRMED")
        self.summit.refresh_from_db()
        self.assertEqual(vevent["DTSTAMP"].dt, self.summit.updated_at.astimezone(UTC).replace(microsecond=0))
        self.assertEqual(vevent["DTSTAMP"].dt.utcoffset(), timedelta(0))

    def test_one_day_meeting_ends_the_next_day_and_planned_is_tentative(self):
        calendar = parse_calendar(self.client.get(CALENDAR_URL, {"when": "upcoming"}))
        (vevent,) = calendar.walk("VEVENT")
        self.assertEqual(vevent["DTSTART"].dt, date(2026, 9, 25))
        self.assertEqual(vevent["DTEND"].dt, date(2026, 9, 26))
        self.assertEqual(str(vevent["STATUS"]), "TENTATIVE")
        self.assertNotIn("LOCATION", vevent)  # no place known
        self.assertEqual(str(vevent["DESCRIPTION"]), f"{SITE}/events/ministerial-2026/")

    def test_filtered_calendar_is_the_list_page_slice(self):
        for params in ({"kind": "soc"}, {"year": "2022"}, {"when": "past"}, {"kind": "summit", "year": "2026"}):
            with self.subTest(params=params):
                calendar = parse_calendar(self.client.get(CALENDAR_URL, params))
                dated_to_the_day = {
                    f"{event.slug}@cica.example"
                    for event in self.client.get(LIST_URL, params, follow=True).context["object_list"]
                    if event.date_precision == "day"
                }
                self.assertEqual(uids(calendar), dated_to_the_day)

    def test_invalid_parameters_are_ignored(self):
        for params in ({"kind": "party"}, {"year": "abc"}, {"host": "\x00"}, {"when": "yesterday"}, {"page": "0"}):
            with self.subTest(params=params):
                response = self.client.get(CALENDAR_URL, params, follow=True)  # ?page=: 301 to the calendar
                self.assertEqual(response.status_code, 200)
                self.assertEqual(len(parse_calendar(response).walk("VEVENT")), 3)

    @override_settings(ALLOWED_HOSTS=["evil.example"])
    def test_absolute_urls_come_from_site_url_not_the_host_header(self):
        for url in (CALENDAR_URL, reverse("events:event-ics", kwargs={"slug": "soc-2022"})):
            with self.subTest(url=url):
                response = self.client.get(url, headers={"host": "evil.example"})
                self.assertEqual(response.status_code, 200)
                self.assertNotContains(response, "evil.example")
                for vevent in parse_calendar(response).walk("VEVENT"):
                    self.assertTrue(str(vevent["URL"]).startswith(f"{SITE}/events/"))

    def test_meeting_ics(self):
        response = self.client.get("/events/sixth-cica-summit-2022/calendar.ics")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Type"], "text/calendar; charset=utf-8")
        self.assertEqual(response["Content-Disposition"], 'inline; filename="sixth-cica-summit-2022.ics"')
        calendar = parse_calendar(response)
        self.assertEqual(str(calendar["METHOD"]), "PUBLISH")
        (vevent,) = calendar.walk("VEVENT")
        self.assertEqual(str(vevent["UID"]), "sixth-cica-summit-2022@cica.example")
        self.assertEqual(vevent["DTEND"].dt, date(2022, 10, 14))

    def test_meeting_ics_for_a_date_known_only_to_the_month_or_year_is_404(self):
        for event in (self.year_only, self.month_only):
            with self.subTest(event=event.slug):
                response = self.client.get(reverse("events:event-ics", kwargs={"slug": event.slug}))
                self.assertContains(response, "The date of this meeting is not yet known to the day", status_code=404)

    def test_meeting_ics_for_a_draft_or_unknown_meeting_is_404(self):
        for slug in ("draft-forum", "nope"):
            with self.subTest(slug=slug):
                self.assertEqual(self.client.get(f"/events/{slug}/calendar.ics").status_code, 404)


class EventDiscoveryLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.day = make_event(slug="soc-2022", start_date=date(2022, 6, 1))
        cls.year_only = make_event(slug="summit-2026", start_date=date(2026, 1, 1), date_precision="year")

    def test_list_page_links_the_feed_and_calendar_with_the_current_filters(self):
        response = self.client.get(LIST_URL, {"kind": "summit", "year": "2026", "page": "1"}, follow=True)
        for url in ("/events/feed/?kind=summit&amp;year=2026", "/events/calendar.ics?kind=summit&amp;year=2026"):
            with self.subTest(url=url):
                self.assertContains(response, f'href="{url}"', count=2)  # <link> in the head and a visible link
        self.assertContains(response, '<link rel="alternate" type="application/atom+xml"', count=1)
        self.assertContains(response, '<link rel="alternate" type="text/calendar"', count=1)
        self.assertContains(response, "Atom feed")
        self.assertContains(response, "Calendar (.ics)")
        feed_hrefs = re.findall(r'href="(/events/(?:feed/|calendar\.ics)[^"]*)"', response.content.decode())
        self.assertEqual(len(feed_hrefs), 4)
        self.assertFalse([href for href in feed_hrefs if "page" in href])

    def test_detail_page_links_its_ics_only_when_the_day_is_known(self):
        self.assertContains(self.client.get(self.day.get_absolute_url()), 'href="/events/soc-2022/calendar.ics"')
        response = self.client.get(self.year_only.get_absolute_url())
        self.assertNotContains(response, "calendar.ics")
        self.assertNotContains(response, "Add to calendar")


class EventFeedQueryCountTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension(slug=f"dimension-of-{n}")
        host = make_member(slug=f"host-of-{n}")
        for i in range(n):
            event = make_event(host=host, start_date=date(2000 + i % 20, 1, 1 + i % 28))
            event.dimensions.add(dimension)
        return dimension, host

    def count_queries(self, url, params=None):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(url, params or {}).status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        self.make_rows(3)
        small = {url: self.count_queries(url) for url in (FEED_URL, CALENDAR_URL)}
        self.make_rows(60)
        self.assertEqual({url: self.count_queries(url) for url in (FEED_URL, CALENDAR_URL)}, small)

    def test_feed_query_count(self):
        dimension, host = self.make_rows(30)
        # 1 year choices (the FilterSet's), 1 site settings (the feed's author), 1 latest 50 meetings with
        # host (JOIN), 1 prefetch of dimensions.
        with self.assertNumQueries(4):
            self.client.get(FEED_URL)
        # and 1 dimension lookup, 1 host lookup to validate the filters' values.
        with self.assertNumQueries(6):
            self.client.get(FEED_URL, {"dimension": dimension.slug, "host": host.slug})

    def test_calendar_query_count(self):
        self.make_rows(30)
        # 1 year choices (the FilterSet's), 1 meetings (no host, no dimensions: the calendar shows neither).
        with self.assertNumQueries(2):
            self.client.get(CALENDAR_URL)

    def test_meeting_ics_query_count(self):
        event = make_event()
        # 1 meeting.
        with self.assertNumQueries(1):
            self.client.get(reverse("events:event-ics", kwargs={"slug": event.slug}))


class CalendarTextTests(SimpleTestCase):
    """The streamed calendar writes each VEVENT itself: its escaping and folding are icalendar's, on any text."""

    def icalendar_lines(self, name, value):
        vevent = CalendarEvent()
        vevent.add(name, value)
        return vevent.to_ical().decode().removeprefix("BEGIN:VEVENT\r\n").removesuffix("END:VEVENT\r\n")

    @settings(max_examples=300, deadline=None)
    @given(text=st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=400))
    def test_text_is_escaped_and_folded_as_icalendar_does(self, text):
        for name, value in (
            ("summary", text),
            ("location", "x" * 60 + text),
            ("description", f"{text}\n\nhttps://a/"),
        ):
            self.assertEqual(ical_line(f"{name.upper()}:{ical_text(value)}"), self.icalendar_lines(name, value), name)

    def test_escapes_at_the_fold_move_to_the_next_line(self):
        for text in ("a" * 64 + ",", "a" * 65 + ",b", "й" * 40 + "\\", "b" * 70 + "\r\n" + "é" * 80, "\\N" * 50):
            with self.subTest(text=text):
                self.assertEqual(ical_line(f"SUMMARY:{ical_text(text)}"), self.icalendar_lines("summary", text))

    def test_a_leading_byte_order_mark_is_dropped_as_icalendar_drops_it(self):
        for text in ("\ufeff", "\ufeffSummit", "\ufeff\ufeffSummit", "Summit\ufeff", " \ufeffSummit"):
            with self.subTest(text=text):
                self.assertEqual(ical_line(f"SUMMARY:{ical_text(text)}"), self.icalendar_lines("summary", text))

    def test_url_is_not_escaped(self):
        url = "https://cica.example/events/" + "a-b" * 30 + "/"
        self.assertEqual(ical_line(f"URL:{url}"), self.icalendar_lines("url", url))


@override_settings(SITE_URL=SITE)
class AwkwardCalendarTests(TestCase):
    """The whole calendar, in both languages, is the one icalendar writes for the same meetings."""

    @classmethod
    def setUpTestData(cls):
        make_event(
            title="Summit, the 6th; \\ with a backslash\r\nand a line break, " + "ю" * 50,
            title_ru="Саммит; шестой, " + "я" * 60,
            start_date=date(2022, 10, 12),
            end_date=date(2022, 10, 13),
            summary="Line one\nline two, with; everything \\N " * 5,
            city="Astana",
            country="Kazakhstan",
        )
        make_event(title="Online meeting", start_date=date(2021, 5, 5), online=True, city="", country="Azerbaijan")
        make_event(title="Online, nowhere", start_date=date(2021, 5, 6), online=True, city="", country="")
        make_event(title="Planned", start_date=date(2031, 1, 2), status=Event.Status.PLANNED, summary="")
        make_event(title="Year only", start_date=date(2026, 1, 1), date_precision="year")

    def test_calendar_is_what_icalendar_writes(self):
        events = Event.objects.published().order_by("start_date", "pk")
        for prefix, language in (("", "en"), ("/ru", "ru")):
            with self.subTest(language=language):
                response = self.client.get(prefix + CALENDAR_URL)
                with translation.override(language):
                    self.assertEqual(response.content, meetings_calendar(events).to_ical())
