"""A record CICA can stand behind (issue 12, "Content"), on the loaded CICA content.

Commentators' proposals are kept apart from CICA's initiatives on every channel, doubt is
shown wherever the data has it, who publishes the site is the editors' setting, and the
errors the issue lists stay fixed.
"""

import io
import json
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase

from cicasite.core.models import Organ, SecretariatHead, SiteSettings
from events.models import Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension
from tests.content import load_content

IDEAS = [
    "CICA Corridor of Knowledge",
    "CICA Crisis Management Bank",
    "CICA Development Bank",
    "CICA Media Bank",
    "CICA working group on non-state security threats",
]
LD = re.compile(r'<script type="application/ld\+json">(.*?)</script>', re.S)


def section(html, element_id):
    """The HTML of the element with this id (up to the next element of the same kind at its level)."""
    start = html.index(f'id="{element_id}"')
    tag = html.rfind("<", 0, start)
    name = html[tag + 1 : html.index(" ", tag)]
    return html[start : html.index(f"</{name}>", start)]


class LoadedContent(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def page(self, url, **kwargs):
        response = self.client.get(url, **kwargs)
        self.assertEqual(response.status_code, 200, url)
        return response.content.decode()


class IdeasFromPublicDebateTests(LoadedContent):
    def test_cica_own_and_public_debate_split_the_initiatives(self):
        own = set(Initiative.objects.cica_own().values_list("title", flat=True))
        ideas = sorted(Initiative.objects.public_debate().values_list("title", flat=True))
        self.assertEqual(ideas, IDEAS)
        self.assertEqual(len(own), 9)
        self.assertFalse(own & set(ideas))
        self.assertTrue(all(not i.is_cica_own for i in Initiative.objects.public_debate()))
        self.assertTrue(all(i.is_cica_own for i in Initiative.objects.cica_own()))

    def test_default_list_counts_only_cica_initiatives(self):
        response = self.client.get("/initiatives/")
        self.assertEqual(len(response.context["object_list"]), 9)
        self.assertContains(response, "9 initiatives match")
        listed = section(response.content.decode(), "public-debate")
        for title in IDEAS:
            self.assertIn(title, listed)
        self.assertEqual(listed.count('class="plain-list__item"'), 5)
        self.assertEqual(listed.count("proposed by <span>M. U. H. Khan (Center for Global"), 5)

    def test_ideas_leave_home_dimension_member_and_meeting_pages_and_the_timeline(self):
        for url in (
            "/",
            "/dimensions/economic/",
            "/dimensions/human/",
            "/dimensions/environmental/",
            "/members/kazakhstan/",
            "/members/pakistan/",
            "/timeline/",
            "/events/sixth-cica-summit-2022/",
        ):
            html = self.page(url)
            for title in IDEAS:
                self.assertNotIn(title, html, url)

    def test_feeds_and_data_files_hold_cica_initiatives_unless_ideas_are_asked_for(self):
        feed = self.page("/initiatives/feed/")
        data = json.loads(self.page("/initiatives/data.json"))
        self.assertEqual(data["count"], 9)
        for title in IDEAS:
            self.assertNotIn(title, feed)
        self.assertEqual({r["proposed_by"] for r in data["records"]}, {"chairmanship"})
        ideas = json.loads(self.page("/initiatives/data.json?proposed_by=commentary"))
        self.assertEqual(sorted(r["title"] for r in ideas["records"]), IDEAS)
        self.assertIn("CICA Media Bank", self.page("/initiatives/feed/?proposed_by=commentary"))
        csv = b"".join(self.client.get("/initiatives/data.csv").streaming_content).decode("utf-8-sig")
        self.assertIn("CICA Fund", csv)
        self.assertNotIn("Media Bank", csv)

    def test_ideas_have_their_own_sitemap_section(self):
        index = self.page("/sitemap.xml")
        self.assertIn("/sitemap-ideas.xml", index)
        initiatives = self.page("/sitemap-initiatives.xml")
        ideas = self.page("/sitemap-ideas.xml")
        self.assertNotIn("/initiatives/cica-media-bank/", initiatives)
        self.assertIn("/initiatives/cica-fund/", initiatives)
        self.assertIn("/initiatives/cica-media-bank/", ideas)
        self.assertNotIn("/initiatives/cica-fund/", ideas)

    def test_search_labels_an_idea_as_such(self):
        html = self.page("/search/?q=bank")
        self.assertIn("Idea from public debate", html)
        self.assertIn("initiatives and ideas from public debate", html)

    def test_ideas_in_russian_have_their_own_label_and_author(self):
        html = self.page("/ru/initiatives/?proposed_by=commentary")
        self.assertIn("Идеи из общественной дискуссии", html)
        self.assertIn("М. У. Х. Хан", html)
        self.assertEqual(html.count('class="card initiative-card"'), 5)


class DoubtTests(LoadedContent):
    def test_heads_and_organs_keep_verified_and_sources(self):
        self.assertEqual(
            set(SecretariatHead.objects.filter(verified=False).values_list("name", flat=True)),
            {"Jandos Asanov", "Çınar Aldemir", "Gong Jianwei"},
        )
        unverified_organs = Organ.objects.filter(verified=False).values_list("slug", flat=True)
        self.assertEqual(list(unverified_organs), ["cica-youth-council"])
        self.assertFalse(SecretariatHead.objects.filter(sources=None).exists())
        self.assertFalse(Dimension.objects.filter(sources=None).exists())
        self.assertEqual(Chairmanship.objects.filter(verified=True).count(), 6)
        self.assertFalse(Organ.objects.filter(sources=None).exists())

    def test_about_shows_what_is_not_yet_verified_with_sources(self):
        html = self.page("/about/")
        heads = section(html, "heads-heading")
        heads = html[html.index('id="heads-heading"') : html.index("</table>")]
        self.assertEqual(heads.count("Not yet verified"), 3)
        self.assertIn('title="Turkish statement at the 2008 ministerial', html.replace("CICA, ", ""))
        youth = section(html, "cica-youth-council")
        self.assertIn("Not yet verified", youth)
        self.assertIn("Only mentioned in passing", youth)
        self.assertIn(">S66<", youth)

    def test_a_role_shows_its_own_sources_on_member_and_dimension_pages(self):
        member = self.page("/members/india/")
        start = member.index('id="roles-heading"')
        roles = member[start : member.index("</section>", start)]
        self.assertIn(">S39<", roles)  # India coordinates combating terrorism (S39)
        dimension = self.page("/dimensions/new-challenges-threats/")
        self.assertIn(">S39<", dimension)
        self.assertIn(">S36<", dimension)

    def test_dimensions_keep_their_notes_sources_and_doubt(self):
        html = self.page("/dimensions/human/")
        start = html.index('id="notes-heading"')
        notes = html[start : html.index("</section>", start)]
        self.assertIn("Partly verified", notes)
        self.assertIn("Volunteerism was expected", notes)
        self.assertIn('<span class="sources__code">S38</span>', html[html.index('id="sources-heading"') :])
        self.assertIn("добровольчество", self.page("/ru/dimensions/human/"))
        self.assertIn('<span class="sources__code">S37</span>', self.page("/dimensions/military-political/"))

    def test_a_record_whose_notes_doubt_a_part_gets_a_qualified_badge(self):
        html = self.page("/members/pakistan/")
        self.assertIn("Partly verified", html)
        self.assertNotIn('<span class="badge badge--verified">Verified</span>', html)
        html = self.page("/events/first-meeting-of-cica-deputy-foreign-ministers-1996/")
        self.assertIn("Partly verified", html)
        self.assertIn("Частично проверено", self.page("/ru/members/pakistan/"))
        # A plainly verified record keeps its plain badge.
        self.assertIn('<span class="badge badge--verified">Verified</span>', self.page("/members/kuwait/"))


class PublisherTests(LoadedContent):
    PAGES = ("/", "/about/", "/members/", "/initiatives/", "/data/")

    def test_load_cica_creates_a_neutral_default_and_keeps_the_editors_choice(self):
        settings = SiteSettings.objects.get()
        self.assertEqual(settings.publisher_name_en, "The editors of this website")
        self.assertEqual(settings.publisher_name_ru, "Редакция этого сайта")
        SiteSettings.objects.filter(pk=1).update(publisher_name_en="CICA Secretariat")
        out = io.StringIO()
        call_command("load_cica", stdout=out)
        self.assertEqual(SiteSettings.objects.get().publisher_name_en, "CICA Secretariat")
        self.assertIn("site settings: 0 created, 0 updated, 1 unchanged", out.getvalue())

    def test_no_page_claims_an_independent_record_or_a_site_team(self):
        for url in (*self.PAGES, "/ru/", "/ru/about/", "/ru/data/"):
            html = self.page(url).lower()
            for claim in ("independent public record", "site team", "независимый открытый свод", "команда сайта"):
                self.assertNotIn(claim, html, url)
        self.assertNotIn("site team", self.page("/initiatives/feed/").lower())

    def test_footer_about_and_json_ld_name_the_publisher_of_the_settings(self):
        settings = SiteSettings.objects.get()
        settings.publisher_name_en = "CICA Secretariat"
        settings.publisher_name_ru = "Секретариат СВМДА"
        settings.publisher_description_en = "The Secretariat keeps this record."
        settings.publisher_url = "https://www.s-cica.org/"
        settings.save()
        for url in self.PAGES:
            footer = self.page(url).split('<footer class="site-footer">')[1]
            self.assertIn('<a href="https://www.s-cica.org/" rel="external noopener">CICA Secretariat</a>', footer)
        about = self.page("/about/")
        self.assertIn("The Secretariat keeps this record.", section(about, "publisher"))
        (block,) = LD.findall(about)
        data = json.loads(block)
        self.assertEqual(
            data["publisher"], {"@type": "Organization", "name": "CICA Secretariat", "url": "https://www.s-cica.org/"}
        )
        self.assertIn("Секретариат СВМДА", self.page("/ru/about/").split('<footer class="site-footer">')[1])

    def test_site_settings_are_read_once_per_page(self):
        with self.assertNumQueries(1):  # the data page shows fixed text, the footer and the citation
            self.page("/data/")

    def test_editors_change_the_publisher_in_both_languages_in_the_admin(self):
        admin = get_user_model().objects.create_superuser("admin", "admin@example.org", "a-long-password-123")
        self.client.force_login(admin)
        html = self.page("/admin/cicasite/sitesettings/1/change/")
        self.assertIn('name="publisher_name_en"', html)
        self.assertIn('name="publisher_name_ru"', html)
        self.assertEqual(self.client.get("/admin/cicasite/sitesettings/add/").status_code, 403)
        response = self.client.post(
            "/admin/cicasite/sitesettings/1/change/",
            {
                "publisher_name_en": "CICA Secretariat",
                "publisher_name_ru": "Секретариат СВМДА",
                "publisher_description_en": "",
                "publisher_description_ru": "",
                "publisher_url": "",
                "edit_token": re.search(r'name="edit_token" value="([^"]+)"', html).group(1),
            },
        )
        self.assertEqual(response.status_code, 302)
        self.client.logout()
        self.assertIn("Секретариат СВМДА", self.page("/ru/"))


class ErrorsFixedTests(LoadedContent):
    def test_deputy_title_is_not_doubled(self):
        text = " ".join(re.sub(r"<[^>]+>", " ", self.page("/about/")).split())
        self.assertIn("Chi Fang Deputy Secretary General China", text)
        self.assertNotIn("Deputy Secretary General Deputy", text)

    def test_sarybay_has_a_row_per_office(self):
        heads = SecretariatHead.objects.filter(name_en="Kairat Sarybay")
        rows = list(heads.values_list("title_en", "start_year", "end_year"))
        self.assertEqual(rows, [("Executive Director", 2020, 2022), ("Secretary General", 2022, None)])
        html = self.page("/about/")
        self.assertIn("2020–2022", html)
        self.assertIn("2022–present", html)

    def test_un_observer_status_is_cicas_not_on_the_secretariat_card(self):
        html = self.page("/about/")
        self.assertNotIn("UN General Assembly", section(html, "secretariat"))
        un = section(html, "united-nations")
        self.assertIn("CICA has been an observer in the UN General Assembly since December 2007", un)

    def test_turkmenistan_gives_the_approval_and_the_announcement(self):
        html = self.page("/members/turkmenistan/")
        self.assertIn("23 Jun 2021", html)
        self.assertIn("announced at the sixth summit (Astana, 13 Oct 2022)", html)

    def test_online_meetings_are_shown_as_online_in_lists(self):
        html = self.page("/events/?year=2020")
        self.assertIn('<span class="event-card__place">Online</span>', html)
        html = self.page("/events/?year=2024")
        self.assertIn("Online (host: Azerbaijan)", html)
        self.assertIn("Онлайн (принимающая сторона: Азербайджан)", self.page("/ru/events/?year=2024"))
        # A venue the source does not state is not called online.
        soc = Event.objects.get(slug="senior-officials-committee-meeting-june-2021")
        self.assertEqual((soc.online, soc.place), (False, ""))

    def test_the_1992_un_address_is_a_milestone_not_a_cica_meeting(self):
        event = Event.objects.get(slug="proposal-of-cica-at-the-47th-un-general-assembly-1992")
        self.assertEqual(event.kind, Event.Kind.MILESTONE)
        self.assertIn("Milestone (not a CICA meeting)", self.page(event.get_absolute_url()))
        self.assertIn("Milestone (not a CICA meeting)", self.page("/timeline/"))
        self.assertEqual(
            [e.slug for e in self.client.get("/events/?kind=milestone").context["object_list"]], [event.slug]
        )
        self.assertNotIn(event.slug, [e.slug for e in self.client.get("/events/?kind=other").context["object_list"]])
