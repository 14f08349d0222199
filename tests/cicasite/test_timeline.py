"""/timeline/: CICA's history generated from the records."""

from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from events.models import Event
from initiatives.models import Chairmanship
from members.models import Member
from tests.content import load_content
from tests.factories import DRAFT, make_chairmanship, make_event, make_member

URL = reverse("timeline")


def year_of(response, number):
    return next(year for year in response.context["years"] if year["year"] == number)


class TimelineOnRealContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def setUp(self):
        self.response = self.client.get(URL)

    def test_page_answers_with_one_h1_and_years_oldest_first(self):
        self.assertEqual(self.response.status_code, 200)
        self.assertContains(self.response, "<h1", count=1)
        numbers = [year["year"] for year in self.response.context["years"]]
        self.assertEqual(numbers, sorted(numbers))
        self.assertEqual(numbers[0], 1992)
        self.assertContains(self.response, '<ol class="timeline">')

    def test_the_1992_proposal_is_under_1992(self):
        titles = [event.title for event in year_of(self.response, 1992)["meetings"]]
        self.assertEqual(titles, ["Proposal of CICA at the 47th UN General Assembly"])
        self.assertContains(self.response, '<h2 class="timeline__year-title" id="y1992">1992</h2>')
        self.assertContains(
            self.response, '<time class="timeline-entry__date" datetime="1992-10-05">5 October 1992</time>'
        )

    def test_every_published_summit_and_ministerial_appears(self):
        shown = {event.pk for year in self.response.context["years"] for event in year["meetings"]}
        expected = Event.objects.published().filter(kind__in=[Event.Kind.SUMMIT, Event.Kind.MINISTERIAL])
        self.assertGreaterEqual(expected.count(), 20)
        for event in expected:
            with self.subTest(event=event.title):
                self.assertIn(event.pk, shown)
                self.assertIn(event, year_of(self.response, event.start_date.year)["meetings"])
        self.assertContains(self.response, '<span class="badge badge--event-summit">Summit</span>', count=7)
        self.assertEqual(shown, set(Event.objects.published().values_list("pk", flat=True)))

    def test_the_six_chairmanship_changes_appear(self):
        chairs = [chair for year in self.response.context["years"] for chair in year["chairs"]]
        self.assertEqual(len(chairs), 6)
        self.assertEqual([c.start_year for c in chairs], [2002, 2010, 2014, 2018, 2020, 2024])
        self.assertContains(
            self.response, '<a href="/members/azerbaijan/">Azerbaijan</a></span> takes the chair (2024–2026)'
        )
        self.assertIn(Chairmanship.objects.get(slug="kazakhstan-2020-2024"), year_of(self.response, 2020)["chairs"])

    def test_accession_years_group_the_members(self):
        for member in Member.objects.published().filter(joined__isnull=False):
            with self.subTest(member=member.name):
                groups = year_of(self.response, member.joined)["accessions"]
                self.assertIn(member, [m for group in groups for m in group["members"]])
        members_2011 = year_of(self.response, 2011)["accessions"][0]["members"]
        self.assertEqual([m.name for m in members_2011], ["Bahrain", "Cambodia"])
        self.assertContains(self.response, "Joined as member states:")

    def test_year_only_meetings_are_shown_as_the_year(self):
        self.assertContains(self.response, '<time class="timeline-entry__date" datetime="2018">2018</time>')
        self.assertNotContains(self.response, "1 January 2018")
        self.assertContains(self.response, '<time class="timeline-entry__date" datetime="2026">2026</time>')

    def test_decade_navigation_jumps_to_the_first_year_of_each_decade(self):
        self.assertEqual(
            list(self.response.context["decades"]), [(1990, 1992), (2000, 2002), (2010, 2010), (2020, 2020)]
        )
        self.assertContains(self.response, '<a class="timeline-nav__link" href="#y1992">1990s</a>')

    def test_main_nav_marks_the_page_and_about_links_to_it(self):
        self.assertContains(self.response, 'href="/timeline/" aria-current="page">Timeline</a>')
        self.assertContains(self.client.get("/about/"), 'href="/timeline/"')


class TimelineDraftTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_event(title="Public summit", kind=Event.Kind.SUMMIT, start_date=date(2002, 6, 4))
        make_event(title="Secret summit", kind=Event.Kind.SUMMIT, publication_status=DRAFT)
        make_member(name="Hidden state", joined=2011, publication_status=DRAFT)
        make_member(name="Shown state", joined=2011)
        make_member(name="Undated state", joined=None)
        cls.draft_chair = make_member(name="Draft chair", joined=None, publication_status=DRAFT)
        make_chairmanship(member=cls.draft_chair)

    def test_drafts_never_appear_as_meetings_or_accessions(self):
        response = self.client.get(URL)
        self.assertContains(response, "Public summit")
        self.assertContains(response, "Shown state")
        self.assertNotContains(response, "Secret summit")
        self.assertNotContains(response, "Hidden state")
        self.assertNotContains(response, "Undated state")

    def test_the_chairmanship_of_a_draft_member_is_left_out(self):
        # A chairmanship is about its member: it is public only with it (Chairmanship.objects.published()).
        response = self.client.get(URL)
        self.assertNotContains(response, "Draft chair")
        self.assertNotContains(response, f'href="{self.draft_chair.get_absolute_url()}"')


class TimelineQueryCountTests(TestCase):
    def make_history(self, n):
        for i in range(n):
            member = make_member(joined=2000 + i % 20, status=list(Member.Status)[i % 3])
            make_event(kind=list(Event.Kind)[i % 6], start_date=date(1995 + i % 30, 1 + i % 12, 1))
            make_chairmanship(member=member, start_year=2000 + i, end_year=2001 + i)

    def test_query_count_is_fixed(self):
        self.make_history(10)
        # 1 chairmanships with their member (JOIN), 1 published members with a known year,
        # 1 published meetings, 1 site settings (the footer).
        with self.assertNumQueries(4):
            self.client.get(URL)

    def test_query_count_does_not_grow(self):
        self.make_history(3)
        with CaptureQueriesContext(connection) as small:
            self.client.get(URL)
        self.make_history(40)
        with CaptureQueriesContext(connection) as large:
            self.client.get(URL)
        self.assertEqual(len(small), len(large))


class TimelineBusyYearTests(TestCase):
    """However many meetings an archive holds, a year shows a few, summits and ministerials first."""

    @classmethod
    def setUpTestData(cls):
        cls.others = [make_event(kind=Event.Kind.SOC, start_date=date(2019, 1, day)) for day in range(1, 9)]
        cls.summit = make_event(kind=Event.Kind.SUMMIT, start_date=date(2019, 12, 1))
        cls.ministerial = make_event(kind=Event.Kind.MINISTERIAL, start_date=date(2019, 11, 1))
        cls.quiet = make_event(kind=Event.Kind.SOC, start_date=date(2020, 5, 1))

    def test_a_busy_year_shows_its_summit_and_ministerial_first_then_the_earliest_in_date_order(self):
        response = self.client.get(URL)
        shown = year_of(response, 2019)["meetings"]
        self.assertEqual(len(shown), 5)
        self.assertEqual(shown, sorted(shown, key=lambda event: event.start_date))
        self.assertEqual(set(shown), {*self.others[:3], self.summit, self.ministerial})

    def test_the_rest_of_the_year_is_a_link_to_its_meetings(self):
        response = self.client.get(URL)
        self.assertContains(response, '<a href="/events/?year=2019">and 5 more meetings in 2019</a>', html=True)
        self.assertEqual(year_of(response, 2020)["more"], 0)
        self.assertNotContains(response, "?year=2020")
        # The link leads to all ten of the year.
        self.assertEqual(self.client.get("/events/", {"year": 2019}).context["paginator"].count, 10)

    def test_in_russian_too(self):
        response = self.client.get("/ru" + URL)
        self.assertContains(response, '<a href="/ru/events/?year=2019">и ещё 5 мероприятий в 2019 г.</a>', html=True)
