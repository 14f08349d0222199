"""Site-wide safety net on the real CICA content: every public URL answers, with one <h1>."""

import io

from django.core.management import call_command
from django.test import TestCase

from events.models import Event
from initiatives.models import Initiative
from members.models import Dimension, Member
from tests.content import load_content


class PublicPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def public_urls(self):
        urls = ["/", "/about/", "/members/", "/dimensions/", "/timeline/", "/events/", "/initiatives/"]
        urls.append("/data/")
        urls += [m.get_absolute_url() for m in Member.objects.all()]
        urls += [d.get_absolute_url() for d in Dimension.objects.all()]
        urls += [e.get_absolute_url() for e in Event.objects.all()]
        urls += [i.get_absolute_url() for i in Initiative.objects.all()]
        return urls

    def test_every_public_url_answers_with_one_h1(self):
        for url in self.public_urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "<h1", count=1)
                self.assertContains(response, '<html lang="en"')

    def test_anonymous_pages_set_no_cookies(self):
        for url in ("/", "/members/?dimension=economic", "/events/", "/about/"):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).cookies, {})

    def test_members_by_economic_dimension_on_real_content(self):
        response = self.client.get("/members/?dimension=economic")
        self.assertEqual(
            [m.name for m in response.context["object_list"]], ["Azerbaijan", "China", "Kyrgyzstan", "Russia"]
        )

    def test_home_shows_figures_dimensions_meetings_and_chairmanship(self):
        response = self.client.get("/")
        self.assertEqual(response.context["member_states"], 28)
        self.assertEqual(response.context["observer_states"], 10)
        self.assertEqual(response.context["observer_orgs"], 5)
        counts = {d.slug: d.member_count for d in response.context["dimensions"]}
        self.assertEqual(counts["economic"], 4)
        self.assertEqual(counts["military-political"], 2)
        self.assertEqual(response.context["chairmanship"].slug, "azerbaijan-2024-2026")
        self.assertEqual([e.slug for e in response.context["next_events"]], ["seventh-cica-summit-2026"])
        self.assertContains(response, "Seventh CICA Summit")
        self.assertContains(response, "/members/?dimension=economic")
        self.assertContains(response, "CICA Women&#x27;s Council")

    def test_about_shows_organs_secretariat_and_chairmanships(self):
        response = self.client.get("/about/")
        for text in ("Senior Officials Committee", "Kairat Sarybay", "Secretary General", "Tajikistan", "2018"):
            self.assertContains(response, text)

    def test_unknown_url_gets_a_helpful_404(self):
        response = self.client.get("/no-such-page/")
        self.assertEqual(response.status_code, 404)
        self.assertContains(response, "<h1", count=1, status_code=404)

    def test_query_counts_of_the_other_pages_are_fixed(self):
        pages = {
            # Every page: 1 site settings (footer; kept per content version in production).
            # dimensions with member counts, status counts, latest, next, current chairmanship, its initiatives
            "/": 7,
            # dimensions, prefetch of their areas, roles of published members with the member
            "/dimensions/": 4,
            # chairmanships with member, members with a known joining year, meetings
            "/timeline/": 4,
            # dimension, its sources, areas, roles with member and region, their sources, initiatives, meetings
            "/dimensions/economic/": 8,
            # organs, their sources, heads, their sources, sources of the UN status, partners,
            # chairmanships with member
            "/about/": 8,
            # member with region, roles with area and dimension, their sources, hosted meetings, led
            # initiatives with chairmanship, chairmanships, sources
            "/members/kazakhstan/": 8,
            # meeting with host, dimensions, sources, documents, initiatives
            "/events/sixth-cica-summit-2022/": 6,
            # initiative with chairmanship, member and lead, dimensions, sources, meetings
            "/initiatives/cica-fund/": 5,
        }
        for url, queries in pages.items():
            with self.subTest(url=url), self.assertNumQueries(queries):
                self.client.get(url)


class MigrationTests(TestCase):
    def test_no_pending_migrations(self):
        out = io.StringIO()
        call_command("makemigrations", check=True, dry_run=True, stdout=out)
        self.assertIn("No changes detected", out.getvalue())
