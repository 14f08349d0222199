from datetime import date

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, Role
from members.views import DETAIL_LIST_LIMIT
from tests.factories import (
    DRAFT,
    make_area,
    make_chairmanship,
    make_dimension,
    make_event,
    make_initiative,
    make_member,
    make_region,
    make_role,
)

URL = reverse("members:member-list")


def names(response):
    return [m.name for m in response.context["object_list"]]


class MemberListFilterTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.economic = make_dimension(slug="economic", short_name="Economic")
        cls.human = make_dimension(slug="human", short_name="Human")
        cls.central_asia = make_region(name="Central Asia", slug="central-asia")
        cls.middle_east = make_region(name="Middle East", slug="middle-east")
        cls.kazakhstan = make_member(name="Kazakhstan", iso_code="KZ", capital="Astana", region=cls.central_asia)
        cls.kyrgyzstan = make_member(name="Kyrgyzstan", iso_code="KG", capital="Bishkek", region=cls.central_asia)
        cls.jordan = make_member(name="Jordan", iso_code="JO", capital="Amman", region=cls.middle_east)
        cls.japan = make_member(name="Japan", iso_code="JP", status=Member.Status.OBSERVER_STATE)
        cls.un = make_member(name="United Nations", iso_code="", status=Member.Status.OBSERVER_ORG)
        cls.hidden = make_member(name="Hidden draft", publication_status=DRAFT)
        econ_area, other_econ_area = make_area(cls.economic), make_area(cls.economic)
        human_area = make_area(cls.human)
        make_role(member=cls.kazakhstan, area=econ_area, role=Role.Kind.COORDINATOR)
        make_role(member=cls.kazakhstan, area=other_econ_area, role=Role.Kind.CO_COORDINATOR)
        make_role(member=cls.kyrgyzstan, area=econ_area, role=Role.Kind.CO_COORDINATOR)
        make_role(member=cls.jordan, area=human_area, role=Role.Kind.COORDINATOR)
        make_role(member=cls.hidden, area=econ_area, role=Role.Kind.COORDINATOR)

    def test_lists_published_members_alphabetically(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(names(response), ["Japan", "Jordan", "Kazakhstan", "Kyrgyzstan", "United Nations"])
        self.assertNotContains(response, "Hidden draft")

    def test_dimension_lists_exactly_the_members_with_a_role_in_it(self):
        response = self.client.get(URL, {"dimension": "economic"})
        self.assertEqual(names(response), ["Kazakhstan", "Kyrgyzstan"])  # Kazakhstan once, draft never
        self.assertEqual(response.context["result_count"], 2)

    def test_role_filter(self):
        self.assertEqual(names(self.client.get(URL, {"role": "coordinator"})), ["Jordan", "Kazakhstan"])
        self.assertEqual(names(self.client.get(URL, {"role": "co-coordinator"})), ["Kazakhstan", "Kyrgyzstan"])

    def test_dimension_and_role_match_the_same_role(self):
        response = self.client.get(URL, {"dimension": "human", "role": "co-coordinator"})
        self.assertEqual(names(response), [])
        response = self.client.get(URL, {"dimension": "economic", "role": "co-coordinator"})
        self.assertEqual(names(response), ["Kazakhstan", "Kyrgyzstan"])

    def test_status_filter(self):
        self.assertEqual(names(self.client.get(URL, {"status": "observer_state"})), ["Japan"])
        self.assertEqual(names(self.client.get(URL, {"status": "observer_org"})), ["United Nations"])
        self.assertEqual(len(names(self.client.get(URL, {"status": "member"}))), 3)

    def test_region_filter(self):
        self.assertEqual(names(self.client.get(URL, {"region": "central-asia"})), ["Kazakhstan", "Kyrgyzstan"])

    def test_text_search_matches_name_capital_and_iso_code(self):
        self.assertEqual(names(self.client.get(URL, {"q": "kyrg"})), ["Kyrgyzstan"])
        self.assertEqual(names(self.client.get(URL, {"q": "Astana"})), ["Kazakhstan"])
        self.assertEqual(names(self.client.get(URL, {"q": "jo"})), ["Jordan"])

    def test_filters_combine(self):
        response = self.client.get(
            URL,
            {"dimension": "economic", "region": "central-asia", "status": "member", "role": "coordinator"},
            follow=True,
        )
        self.assertEqual(names(response), ["Kazakhstan"])

    def test_form_keeps_its_values(self):
        response = self.client.get(URL, {"q": "kaz", "dimension": "economic"})
        self.assertContains(response, '<option value="economic" selected>', html=False)
        self.assertContains(response, 'value="kaz"')

    def test_invalid_values_are_ignored_with_a_message(self):
        for params in (
            {"dimension": "nope"},
            {"status": "emperor"},
            {"region": "atlantis"},
            {"role": "chair"},
            {"dimension": "x" * 5000},
            {"q": "x" * 500},
            {"q": "nul\x00byte"},
            {"dimension": "'; DROP TABLE members_member; --"},
            {"region": "<script>alert(1)</script>"},
        ):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["invalid_fields"])
                self.assertEqual(len(names(response)), 5)  # the invalid filter is ignored
                self.assertNotContains(response, "<script>alert(1)</script>")

    def test_valid_filters_still_apply_beside_an_invalid_one(self):
        response = self.client.get(URL, {"dimension": "economic", "region": "atlantis"})
        self.assertEqual(names(response), ["Kazakhstan", "Kyrgyzstan"])
        self.assertEqual([f.name for f in response.context["invalid_fields"]], ["region"])

    def test_facets_count_what_each_option_would_give(self):
        response = self.client.get(URL, {"dimension": "economic"})
        html = response.content.decode()
        # Within economic: 2 members hold a role; Kazakhstan coordinates, both co-coordinate.
        self.assertIn('<option value="coordinator">Coordinator (1)</option>', html)
        self.assertIn('<option value="co-coordinator">Co-coordinator (2)</option>', html)
        # Other dimensions count as if chosen instead: human has Jordan only.
        self.assertIn('<option value="human">Human (1)</option>', html)
        # Options that would give nothing are shown, disabled.
        self.assertIn('<option value="observer_state" disabled>Observer state (0)</option>', html)
        self.assertIn('<option value="middle-east" disabled>Middle East (0)</option>', html)
        self.assertIn('<option value="central-asia">Central Asia (2)</option>', html)

    def test_untidy_addresses_redirect_to_the_canonical_one(self):
        response = self.client.get(URL + "?region=central-asia&q=&dimension=economic&role=&utm_source=x")
        self.assertRedirects(response, URL + "?dimension=economic&region=central-asia", status_code=301)
        self.assertRedirects(self.client.get(URL + "?q=&status="), URL, status_code=301)

    def test_canonical_link_keeps_valid_filters_only(self):
        response = self.client.get(URL + "?dimension=economic&region=atlantis")
        self.assertContains(response, 'rel="canonical" href="http://127.0.0.1:8000/members/?dimension=economic"')

    def test_bad_page_numbers_are_404(self):
        for page in ("abc", "99999", "0", "-1", "1e9", "9" * 40):
            with self.subTest(page=page):
                self.assertEqual(self.client.get(URL, {"page": page}).status_code, 404)

    def test_last_page_keyword(self):
        self.assertEqual(self.client.get(URL, {"page": "last"}).status_code, 200)


class MemberPaginationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        region = make_region(slug="south-asia")
        for _ in range(30):
            make_member(region=region)

    def test_paginates_and_keeps_filters_in_page_links(self):
        response = self.client.get(URL, {"region": "south-asia"})
        self.assertEqual(len(response.context["object_list"]), 24)
        self.assertEqual(response.context["result_count"], 30)
        self.assertContains(response, "region=south-asia&amp;page=2")
        second = self.client.get(URL, {"region": "south-asia", "page": 2})
        self.assertEqual(len(second.context["object_list"]), 6)


class MemberListQueryCountTests(TestCase):
    def make_rows(self, n):
        dimension = make_dimension(slug=f"dim-{n}")
        region = make_region()
        area = make_area(dimension)
        for i in range(n):
            member = make_member(region=region)
            make_role(member=member, area=area, role=Role.Kind.COORDINATOR if i % 2 else Role.Kind.CO_COORDINATOR)
            make_role(member=member)
        return dimension, region

    def count_queries(self, params):
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        dimension, region = self.make_rows(3)
        small = self.count_queries({"dimension": dimension.slug, "region": region.slug})
        self.make_rows(40)
        large = self.count_queries({"dimension": dimension.slug, "region": region.slug})
        self.assertEqual(small, large)

    def test_query_count_filtered_by_dimension(self):
        dimension, region = self.make_rows(30)
        # 1 dimension lookup and 1 region lookup (form validation), 1 total and page boundaries (one
        # window query), 1 UNION ALL of the 4 facet counts (dimension and role over roles, status, region),
        # 1 page of members with region, 1 prefetch of roles with area and dimension, 1 dimension choices
        # and 1 region choices (selects), 1 site settings (the footer), 1 members map (every published
        # member, each marked whether it matches).
        with self.assertNumQueries(10):
            self.client.get(URL, {"dimension": dimension.slug, "region": region.slug})


class MemberDetailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.dimension = make_dimension(name="Economic dimension", short_name="Economic", slug="economic")
        cls.member = make_member(name="Azerbaijan", slug="azerbaijan", iso_code="AZ", capital="Baku")
        make_role(
            member=cls.member,
            area=make_area(cls.dimension, name="Transport corridors"),
            role=Role.Kind.COORDINATOR,
            as_of=2024,
        )
        make_event(title="Summit in Baku", host=cls.member)
        make_event(title="Draft meeting in Baku", host=cls.member, publication_status=DRAFT)
        chair = make_chairmanship(member=cls.member, start_year=2024, end_year=2026)
        make_initiative(title="Women's Council", lead=cls.member, chairmanship=chair, proposed_by="chairmanship")
        make_initiative(title="Secret plan", lead=cls.member, publication_status=DRAFT)

    def test_shows_everything_about_a_member(self):
        response = self.client.get(self.member.get_absolute_url())
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "Azerbaijan")
        self.assertContains(response, "Transport corridors")
        self.assertContains(response, "Coordinator")
        self.assertContains(response, "Summit in Baku")
        self.assertContains(response, "Women&#x27;s Council")
        self.assertContains(response, "2024")

    def test_drafts_linked_to_a_member_stay_hidden(self):
        response = self.client.get(self.member.get_absolute_url())
        self.assertNotContains(response, "Draft meeting in Baku")
        self.assertNotContains(response, "Secret plan")

    def test_badge_instead_of_missing_flag(self):
        response = self.client.get(self.member.get_absolute_url())
        self.assertContains(response, ">AZ<")

    def test_draft_member_is_404(self):
        draft = make_member(publication_status=DRAFT)
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)

    def test_unknown_and_malformed_slugs_are_404(self):
        for path in (
            "/members/nope/",
            "/members/%00/",
            "/members/ü/",
            "/members/a/b/",
            "/members/" + "x" * 3000 + "/",
        ):
            with self.subTest(path=path[:40]):
                self.assertEqual(self.client.get(path).status_code, 404)


class DimensionPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.dimension = make_dimension(name="Economic dimension", short_name="Economic", slug="economic")
        cls.area = make_area(cls.dimension, name="Energy security", slug="energy-security")
        make_area(cls.dimension, name="Tourism", slug="tourism")
        make_role(member=make_member(name="Russia"), area=cls.area, role=Role.Kind.COORDINATOR)
        make_role(member=make_member(name="China"), area=cls.area, role=Role.Kind.CO_COORDINATOR)
        make_role(member=make_member(name="Draftland", publication_status=DRAFT), area=cls.area)

    def test_dimension_detail_lists_areas_and_who_coordinates(self):
        response = self.client.get("/dimensions/economic/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "Energy security")
        self.assertContains(response, "Tourism")
        self.assertContains(response, "Russia")
        self.assertContains(response, "China")
        self.assertNotContains(response, "Draftland")

    def test_dimension_list_counts_public_members(self):
        response = self.client.get("/dimensions/")
        self.assertEqual(response.status_code, 200)
        self.assertEqual([d.member_count for d in response.context["dimensions"]], [2])

    def test_unknown_dimension_is_404(self):
        self.assertEqual(self.client.get("/dimensions/nope/").status_code, 404)

    def test_a_few_initiatives_and_meetings_are_all_shown_without_a_link_to_more(self):
        initiative = make_initiative(title="Energy dialogue")
        initiative.dimensions.add(self.dimension)
        make_event(title="Energy forum").dimensions.add(self.dimension)
        response = self.client.get("/dimensions/economic/")
        self.assertContains(response, "Energy dialogue")
        self.assertContains(response, "Energy forum")
        self.assertNotContains(response, "All initiatives in this dimension")
        self.assertNotContains(response, "All meetings in this dimension")

    def test_many_are_ten_of_each_and_a_link_to_the_list_filtered_by_the_dimension(self):
        # An archive of thousands made this page 170 KB; the queries stay the same.
        with CaptureQueriesContext(connection) as few:
            self.client.get("/dimensions/economic/")
        for i in range(DETAIL_LIST_LIMIT + 3):
            make_initiative(title=f"Initiative {i:02}").dimensions.add(self.dimension)
            make_event(title=f"Meeting {i:02}", start_date=date(2000 + i, 1, 1)).dimensions.add(self.dimension)
        with CaptureQueriesContext(connection) as many:
            response = self.client.get("/dimensions/economic/")
        self.assertEqual(len(many), len(few))
        self.assertEqual([i.title for i in response.context["initiatives"]], [f"Initiative {i:02}" for i in range(10)])
        self.assertEqual(response.context["events"][0].title, f"Meeting {DETAIL_LIST_LIMIT + 2:02}")  # latest first
        self.assertEqual(len(response.context["events"]), DETAIL_LIST_LIMIT)
        self.assertContains(
            response, '<a href="/initiatives/?dimension=economic">All initiatives in this dimension</a>', html=True
        )
        self.assertContains(
            response, '<a href="/events/?dimension=economic">All meetings in this dimension</a>', html=True
        )
        response = self.client.get("/ru/dimensions/economic/")
        self.assertContains(
            response, '<a href="/ru/events/?dimension=economic">Все мероприятия в этом измерении</a>', html=True
        )


class ActiveFilterChipTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_dimension(slug="economic", short_name="Economic")
        make_region(name="Central Asia", slug="central-asia")

    def test_chips_show_readable_values_and_remove_one_filter_each(self):
        response = self.client.get(URL + "?dimension=economic&status=observer_state&region=central-asia")
        chips = {chip["label"]: chip for chip in response.context["active_filters"]}
        self.assertEqual(str(chips["Dimension"]["value"]), "Economic")
        self.assertEqual(chips["Status"]["value"], "Observer state")
        self.assertEqual(chips["Status"]["remove_url"], URL + "?dimension=economic&region=central-asia")
        self.assertEqual(chips["Dimension"]["remove_url"], URL + "?status=observer_state&region=central-asia")
        self.assertContains(response, "Clear all")
        self.assertContains(response, f'href="{URL}?dimension=economic&amp;region=central-asia"')
