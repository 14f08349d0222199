import io
import json
import re

from django.core.management import call_command
from django.test import TestCase, override_settings

from tests.factories import make_event

LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


@override_settings(SITE_URL="https://cica.example", ALLOWED_HOSTS=["evil.example", "testserver"])
class StructuredDataTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        call_command("load_cica", stdout=io.StringIO())

    def json_ld(self, url):
        blocks = LD.findall(self.client.get(url, headers={"host": "evil.example"}).content.decode())
        self.assertEqual(len(blocks), 1, url)
        return json.loads(blocks[0])

    def test_home_describes_the_organisation(self):
        data = self.json_ld("/")
        self.assertEqual((data["@context"], data["@type"]), ("https://schema.org", "Organization"))
        self.assertEqual(data["alternateName"], "CICA")
        self.assertEqual(data["url"], "https://cica.example/")

    def test_meeting_is_an_event_with_the_precision_of_its_date(self):
        summit = self.json_ld("/events/sixth-cica-summit-2022/")
        self.assertEqual(summit["@type"], "Event")
        self.assertEqual(summit["startDate"], "2022-10-12")
        self.assertEqual(summit["location"]["address"]["addressLocality"], "Astana")
        self.assertEqual(summit["url"], "https://cica.example/events/sixth-cica-summit-2022/")
        self.assertEqual(self.json_ld("/events/seventh-cica-summit-2026/")["startDate"], "2026")
        online = self.json_ld("/events/special-meeting-of-cica-ministers-of-foreign-affairs-videoconference-2020/")
        self.assertEqual(online["location"]["@type"], "VirtualLocation")

    def test_members_are_countries_or_organisations(self):
        kazakhstan = self.json_ld("/members/kazakhstan/")
        self.assertEqual((kazakhstan["@type"], kazakhstan["identifier"]), ("Country", "KZ"))
        self.assertEqual(self.json_ld("/members/osce/")["@type"], "GovernmentOrganization")

    def test_text_cannot_close_the_script_element(self):
        make_event(slug="hostile", title='</script><script>alert(1)</script> & "quotes"')
        data = self.json_ld("/events/hostile/")
        self.assertEqual(data["name"], '</script><script>alert(1)</script> & "quotes"')
