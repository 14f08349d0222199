"""JSON-LD as a search engine reads it: extracted by extruct from the rendered pages."""

import re
from datetime import date

import extruct
from django.contrib.staticfiles import finders
from django.test import TestCase, override_settings

from events.models import Event
from members.models import Member
from tests.content import load_content
from tests.factories import make_event, make_member

SITE_URL = "https://cica.example"
FULL_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def nodes(data):
    """Every JSON object in a JSON-LD tree, the top one included."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from nodes(value)


@override_settings(SITE_URL=SITE_URL, ALLOWED_HOSTS=["evil.example", "testserver"])
class StructuredDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def json_ld(self, url):
        response = self.client.get(url, headers={"host": "evil.example"})
        self.assertEqual(response.status_code, 200, url)
        blocks = extruct.extract(response.content.decode(), base_url=SITE_URL + url, syntaxes=["json-ld"])["json-ld"]
        self.assertEqual(len(blocks), 1, url)
        return blocks[0]

    def test_home_describes_cica_as_a_government_organisation_with_logo_and_same_as(self):
        data = self.json_ld("/")
        self.assertEqual((data["@context"], data["@type"]), ("https://schema.org", "GovernmentOrganization"))
        self.assertEqual(data["name"], "Conference on Interaction and Confidence Building Measures in Asia")
        self.assertEqual(data["alternateName"], "CICA")
        self.assertEqual(data["url"], "https://cica.example/")
        self.assertEqual(data["@id"], "https://cica.example/#organization")
        self.assertTrue(data["logo"]["url"].startswith("https://cica.example/static/img/cica-emblem"), data["logo"])
        self.assertEqual((data["logo"]["width"], data["logo"]["height"]), (1200, 630))
        self.assertTrue(finders.find("img/cica-emblem.png"))
        self.assertIn(
            "https://en.wikipedia.org/wiki/Conference_on_Interaction_and_Confidence-Building_Measures_in_Asia",
            data["sameAs"],
        )
        self.assertIn("https://www.s-cica.org/", data["sameAs"])

    @override_settings(SITE_URL="https://www.s-cica.org")
    def test_the_organisation_is_not_the_same_as_itself(self):
        self.assertNotIn("https://www.s-cica.org/", self.json_ld("/")["sameAs"])

    def test_organisation_is_named_in_the_page_language(self):
        data = self.json_ld("/ru/")
        self.assertEqual(data["name"], "Совещание по взаимодействию и мерам доверия в Азии")
        self.assertEqual(data["alternateName"], "СВМДА")
        self.assertIn("cica-emblem-ru", data["logo"]["url"])

    def test_meeting_is_an_event_organised_by_cica(self):
        summit = self.json_ld("/events/sixth-cica-summit-2022/")
        self.assertEqual(summit["@type"], "Event")
        self.assertEqual(summit["startDate"], "2022-10-12")
        self.assertEqual(summit["location"]["address"]["addressLocality"], "Astana")
        self.assertEqual(summit["eventAttendanceMode"], "https://schema.org/OfflineEventAttendanceMode")
        self.assertEqual(summit["url"], "https://cica.example/events/sixth-cica-summit-2022/")
        self.assertEqual(summit["organizer"]["@id"], "https://cica.example/#organization")
        self.assertEqual(summit["organizer"]["@type"], "GovernmentOrganization")

    def test_names_are_in_the_page_language(self):
        summit = self.json_ld("/ru/events/sixth-cica-summit-2022/")
        self.assertEqual(summit["inLanguage"], "ru")
        self.assertEqual(summit["organizer"]["name"], "СВМДА")
        self.assertEqual(summit["location"]["address"]["addressLocality"], "Астана")
        self.assertEqual(self.json_ld("/ru/members/kazakhstan/")["name"], "Казахстан")

    def test_partial_dates_never_look_like_full_ones(self):
        make_event(
            slug="month-only",
            start_date=date(2021, 6, 1),
            end_date=date(2021, 6, 3),
            date_precision=Event.Precision.MONTH,
        )
        make_event(slug="year-only", start_date=date(2026, 1, 1), date_precision=Event.Precision.YEAR)
        month = self.json_ld("/events/month-only/")
        self.assertEqual(month["startDate"], "2021-06")
        self.assertNotIn("endDate", month)
        self.assertEqual(self.json_ld("/events/year-only/")["startDate"], "2026")
        for event in Event.objects.published().exclude(date_precision=Event.Precision.DAY):
            data = self.json_ld(event.get_absolute_url())
            self.assertNotRegex(data["startDate"], FULL_DATE, event.slug)
            self.assertNotIn("endDate", data, event.slug)

    def test_a_meeting_without_a_city_claims_no_venue_and_no_online_attendance(self):
        make_event(slug="venue-unknown", city="", country="")
        data = self.json_ld("/events/venue-unknown/")
        self.assertNotIn("location", data)
        self.assertNotIn("eventAttendanceMode", data)
        for event in Event.objects.published().filter(city="", online=False):
            data = self.json_ld(event.get_absolute_url())
            self.assertNotIn("location", data, event.slug)
            self.assertNotIn("eventAttendanceMode", data, event.slug)

    def test_only_a_meeting_recorded_as_online_is_said_to_be_online(self):
        online = Event.objects.published().filter(online=True)
        self.assertTrue(online.exists())
        for event in online:
            data = self.json_ld(event.get_absolute_url())
            self.assertEqual(data["eventAttendanceMode"], "https://schema.org/OnlineEventAttendanceMode", event.slug)
            self.assertEqual(data["location"]["@type"], "VirtualLocation")

    def test_a_milestone_is_not_said_to_be_organised_by_cica(self):
        milestones = Event.objects.published().filter(kind=Event.Kind.MILESTONE)
        self.assertTrue(milestones.exists())
        for event in milestones:
            self.assertNotIn("organizer", self.json_ld(event.get_absolute_url()), event.slug)
        summit = Event.objects.published().filter(kind=Event.Kind.SUMMIT).first()
        self.assertIn("organizer", self.json_ld(summit.get_absolute_url()))

    def test_no_member_or_observer_is_said_to_be_a_member_of_cica(self):
        """Observers are not members, and schema.org's memberOf is not a Country's property."""
        statuses = set()
        for member in Member.objects.published():
            data = self.json_ld(member.get_absolute_url())
            statuses.add(member.status)
            self.assertFalse([node for node in nodes(data) if "memberOf" in node], member.slug)
        self.assertEqual(statuses, set(Member.Status))

    def test_members_are_countries_or_organisations(self):
        kazakhstan = self.json_ld("/members/kazakhstan/")
        self.assertEqual((kazakhstan["@type"], kazakhstan["identifier"]), ("Country", "KZ"))
        self.assertEqual(self.json_ld("/members/osce/")["@type"], "GovernmentOrganization")
        make_member(slug="draftless", status=Member.Status.OBSERVER_ORG)
        self.assertEqual(self.json_ld("/members/draftless/")["@type"], "GovernmentOrganization")

    def test_text_cannot_close_the_script_element(self):
        make_event(slug="hostile", title='</script><script>alert(1)</script> & "quotes"')
        data = self.json_ld("/events/hostile/")
        self.assertEqual(data["name"], '</script><script>alert(1)</script> & "quotes"')
