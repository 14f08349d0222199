"""The members map (templates/includes/members_map.html) and the states' flags."""

import json
import re
from pathlib import Path

from django.test import TestCase
from django.urls import reverse

from members.models import Member
from members.views import MAP_SHAPES, members_map
from tests.content import load_content
from tests.factories import DRAFT, make_area, make_dimension, make_member, make_role

CONTENT = Path(__file__).resolve().parents[2] / "cicasite" / "data" / "cica.json"
SVG = re.compile(r"<svg class=\"members-map__svg\".*?</svg>", re.S)
GROUP = re.compile(
    r'<g class="members-map__states members-map__states--(\w+)( members-map__states--receded)?"[^>]*>(.*?)</g>'
)
LINK = re.compile(r'<a href="([^"]+)" aria-label="([^"]+)"')


def map_groups(response):
    """{(status, receded): [(href, accessible name)]} of the states drawn on the page's map."""
    svg = SVG.search(response.content.decode()).group(0)
    groups = {}
    for status, receded, body in GROUP.findall(svg):
        groups.setdefault((status, bool(receded)), []).extend(LINK.findall(body))
    return groups


class MapOfTheContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def test_home_map_draws_28_members_and_10_observer_states_each_a_named_link(self):
        groups = map_groups(self.client.get("/"))
        self.assertEqual(set(groups), {("member", False), ("observer_state", False)})
        self.assertEqual(len(groups["member", False]), 28)
        self.assertEqual(len(groups["observer_state", False]), 10)
        members = {m.get_absolute_url(): m.name for m in Member.objects.exclude(status=Member.Status.OBSERVER_ORG)}
        self.assertEqual(dict(groups["member", False] + groups["observer_state", False]), members)

    def test_small_states_have_a_marker_drawn_over_every_shape_and_the_united_states_an_inset(self):
        svg = SVG.search(self.client.get("/").content.decode()).group(0)
        last_shape = max(svg.index(f'aria-label="{name}"') for name in ("Saudi Arabia", "Iran", "Iraq", "Israel"))
        for name in ("Bahrain", "Qatar", "Palestine", "Kuwait"):
            self.assertRegex(svg, rf'aria-label="{name}">[^<]*(<path[^>]*>)*<circle cx="\d+" cy="\d+"/>')
            self.assertGreater(svg.index(f'aria-label="{name}"'), last_shape)
        self.assertRegex(svg, r'<rect class="members-map__inset" x="\d+" y="\d+"')
        self.assertIn('aria-label="United States"><path d="M', svg)

    def test_economic_filter_outlines_exactly_its_four_members_and_the_rest_recede(self):
        groups = map_groups(self.client.get("/members/", {"dimension": "economic"}))
        self.assertEqual(
            [name for _, name in groups["member", False]], ["Azerbaijan", "China", "Kyrgyzstan", "Russia"]
        )
        self.assertNotIn(("observer_state", False), groups)
        self.assertEqual(len(groups["member", True]), 24)
        self.assertEqual(len(groups["observer_state", True]), 10)

    def test_the_legend_names_the_matches_with_their_flags_and_lists_the_observer_organisations(self):
        response = self.client.get("/members/", {"dimension": "economic"})
        self.assertContains(response, "Outlined: 4 states match the filters")
        legend = response.content.decode().split('class="members-map__legend"')[1].split("</section>")[0]
        for code, slug in (("az", "azerbaijan"), ("cn", "china"), ("kg", "kyrgyzstan"), ("ru", "russia")):
            self.assertRegex(legend, rf'src="/static/flags/{code}\.svg" alt=""[^>]*>\s*<a href="/members/{slug}/">')
        self.assertEqual(legend.count('class="members-map__receded"'), 5)  # no organisation holds a role
        self.assertContains(response, "Observer organisations")
        self.assertContains(response, '<a href="/members/osce/">Organization for Security and Co-operation')

    def test_a_filter_that_matches_nothing_recedes_every_state(self):
        groups = map_groups(self.client.get("/members/", {"status": "observer_org"}))
        self.assertEqual(set(groups), {("member", True), ("observer_state", True)})

    def test_russian_map_names_the_states_in_russian_with_whole_number_coordinates(self):
        response = self.client.get("/ru/members/", {"dimension": "economic"})
        groups = map_groups(response)
        matches = [name for _, name in groups["member", False]]
        self.assertEqual(matches, ["Азербайджан", "Китай", "Кыргызстан", "Россия"])
        self.assertTrue(all(href.startswith("/ru/members/") for href, _ in groups["member", True]))
        self.assertContains(response, "Организации-наблюдатели")
        self.assertNotRegex(SVG.search(response.content.decode()).group(0), r'c[xy]="\d+,')

    def test_every_state_of_the_content_has_a_shape_and_a_flag(self):
        codes = {m["iso_code"] for m in json.loads(CONTENT.read_text())["members"] if m.get("iso_code")}
        shapes = MAP_SHAPES["countries"] | MAP_SHAPES["insets"]
        self.assertEqual(len(codes), 38)
        for code in codes:
            with self.subTest(code=code):
                self.assertTrue(shapes[code]["d"] or shapes[code]["marker"])
                self.assertTrue((CONTENT.parents[2] / "static" / "flags" / f"{code.lower()}.svg").exists())
        self.assertTrue((CONTENT.parents[2] / "static" / "flags" / "LICENSE-flag-icons.txt").exists())

    def test_member_pages_and_the_matrix_show_the_flag_as_decoration(self):
        detail = self.client.get("/members/kazakhstan/")
        self.assertContains(detail, '<img class="badge-flag badge-flag--large" src="/static/flags/kz.svg" alt=""')
        matrix = self.client.get("/dimensions/", {"all": "1"})
        self.assertContains(matrix, 'src="/static/flags/kz.svg" alt=""')
        self.assertContains(matrix, 'aria-hidden="true">OSCE</span>')  # organisations keep their letters


class MapQueryTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic")
        make_role(member=make_member(name="Kazakhstan", iso_code="KZ"), area=make_area(cls.economic))
        make_member(name="Japan", iso_code="JP", status=Member.Status.OBSERVER_STATE)
        make_member(name="Draft state", iso_code="FR", publication_status=DRAFT)

    def add_members(self, n):
        for i in range(n):
            make_member(iso_code=f"Q{i}" if i < 10 else "")

    def test_one_query_whatever_the_number_of_members(self):
        for extra in (0, 30):
            self.add_members(extra)
            with self.subTest(extra=extra), self.assertNumQueries(1):
                members_map()

    def test_the_filtered_list_costs_the_same_queries_with_more_members(self):
        url = reverse("members:member-list")
        self.client.get(url, {"dimension": "economic"})  # warm the URL resolver and translations
        with self.assertNumQueries(9) as before:
            self.client.get(url, {"dimension": "economic"})
        self.add_members(30)
        with self.assertNumQueries(len(before.captured_queries)):
            self.client.get(url, {"dimension": "economic"})

    def test_states_not_on_the_map_are_named_beside_it_and_drafts_are_left_out(self):
        make_member(name="Faraway", slug="faraway", iso_code="BR")
        response = self.client.get("/")
        self.assertContains(response, 'Not on the map: <a href="/members/faraway/">Faraway</a>')
        self.assertNotContains(response, "Draft state")
        self.assertEqual(response.context["members_map"]["counts"]["member"], 2)

    def test_an_uploaded_flag_wins_over_the_shipped_one(self):
        make_member(name="Kyrgyzstan", slug="kyrgyzstan", iso_code="KG", flag="members/flags/kg.png", flag_alt="Flag")
        response = self.client.get(reverse("members:member-list"))
        self.assertContains(response, "/media/members/flags/kg.png")
        self.assertNotContains(response, "/static/flags/kg.svg")
        self.assertContains(response, 'src="/static/flags/kz.svg" alt=""')
