"""/dimensions/: the five dimensions and the matrix of who coordinates which priority area."""

from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from members.models import Member, Role
from members.views import public_roles
from tests.content import load_content
from tests.factories import DRAFT, make_area, make_dimension, make_member, make_role

URL = reverse("members:dimension-list")


def row_names(response):
    return [row["member"].name for row in response.context["rows"]]


def roles_of(response, name):
    """{area name: role kind} in the matrix row of one member."""
    row = next(row for row in response.context["rows"] if row["member"].name == name)
    columns = response.context["columns"]
    return {columns[i].name: role.role for i, role in enumerate(row["cells"]) if role}


class MatrixOnRealContentTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def test_page_has_the_dimensions_and_the_matrix(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<h1", count=1)
        self.assertEqual(len(response.context["dimensions"]), 5)
        self.assertContains(response, 'href="/dimensions/economic/"')
        self.assertEqual(len(response.context["columns"]), 18)
        self.assertContains(response, '<caption id="matrix-caption"')
        self.assertContains(response, 'role="region" aria-labelledby="matrix-caption"')
        self.assertContains(response, '<th scope="colgroup" colspan="8"')
        self.assertContains(response, '<th scope="row"', count=len(response.context["rows"]))

    def test_kazakhstan_coordinates_military_political_and_co_coordinates_human(self):
        response = self.client.get(URL)
        self.assertEqual(
            roles_of(response, "Kazakhstan"),
            {
                "Military-political confidence building measures": Role.Kind.COORDINATOR,
                "Human dimension (single area)": Role.Kind.CO_COORDINATOR,
            },
        )
        self.assertContains(
            response, '<abbr class="matrix__mark" title="Coordinator, reported in 2022" aria-hidden="true">C</abbr>'
        )
        # In words too, in the same cell: read out by screen readers, shown on phones.
        self.assertContains(
            response,
            '<span class="matrix__role"><span class="badge badge--co-coordinator">Co-coordinator</span> '
            '<span aria-hidden="true">—</span> Human dimension (single area) '
            '<span class="muted">(Human, reported in 2022)</span></span>',
        )

    def test_rows_are_members_holding_a_role_by_name(self):
        response = self.client.get(URL)
        names = row_names(response)
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(names), Member.objects.published().with_role_in().count())

    def test_russian_rows_are_in_russian_alphabetical_order_with_or_without_all(self):
        # Sorted by the English name they began with Афганистан before Азербайджан (Afghanistan < Azerbaijan).
        for query in ({}, {"all": "1"}):
            with self.subTest(query=query):
                response = self.client.get("/ru" + URL, query)
                names = [row["member"].name_ru for row in response.context["rows"]]
                self.assertEqual(names, sorted(names))
                self.assertLess(names.index("Азербайджан"), names.index("Афганистан"))

    def test_the_data_is_on_the_page_once_a_cell_naming_role_area_and_dimension(self):
        # One table, read as a list on phones (matrix.css): no second copy of the roles (the page budget).
        response = self.client.get(URL)
        self.assertNotContains(response, "matrix-list")
        self.assertContains(response, '<span class="matrix__role">', count=public_roles().count())
        self.assertContains(response, "Energy security", count=1)  # a column header only: nobody coordinates it
        self.assertContains(
            response,
            '<span class="badge badge--coordinator">Coordinator</span> <span aria-hidden="true">—</span> '
            "Military-political confidence building measures",
        )

    def test_dimension_filter_shows_its_areas_and_members_only(self):
        response = self.client.get(URL, {"dimension": "economic"})
        self.assertEqual(row_names(response), ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
        columns = response.context["columns"]
        self.assertEqual(len(columns), 8)
        self.assertEqual({area.dimension.slug for area in columns}, {"economic"})
        self.assertNotContains(response, "Combating terrorism")
        self.assertNotContains(response, '<th scope="colgroup" colspan="5"')
        self.assertContains(response, '<option value="economic" selected>')

    def test_dimension_filter_with_all_keeps_the_columns_and_shows_every_member(self):
        response = self.client.get(URL, {"dimension": "economic", "all": "1"})
        self.assertEqual(len(response.context["columns"]), 8)
        self.assertEqual(len(response.context["rows"]), Member.objects.published().count())
        self.assertContains(response, "No coordinating role reported.")

    def test_no_observer_holds_a_role(self):
        response = self.client.get(URL, {"status": "observer_state"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(row_names(response), [])
        self.assertNotContains(response, "<table")
        self.assertContains(response, "No member with the status “Observer state” holds a coordinating role.")
        self.assertContains(response, "all=1")

    def test_status_with_all_lists_the_observer_states(self):
        response = self.client.get(URL, {"status": "observer_state", "all": "1"})
        self.assertEqual(len(response.context["rows"]), 10)

    def test_invalid_values_are_ignored_with_a_message(self):
        full = len(row_names(self.client.get(URL)))
        for params in (
            {"dimension": "nope"},
            {"status": "emperor"},
            {"all": "yes"},
            {"dimension": "x" * 5000},
            {"dimension": "nul\x00byte"},
            {"status": "'; DROP TABLE members_member; --"},
            {"dimension": "<script>alert(1)</script>"},
        ):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "this filter was ignored")
                self.assertEqual(len(row_names(response)), full)
                self.assertEqual(len(response.context["columns"]), 18)
                self.assertNotContains(response, "<script>alert(1)</script>")

    def test_a_valid_filter_still_applies_beside_an_invalid_one(self):
        response = self.client.get(URL, {"dimension": "economic", "status": "emperor"})
        self.assertEqual(row_names(response), ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
        self.assertEqual([field.name for field in response.context["invalid_fields"]], ["status"])

    def test_each_active_filter_is_a_chip_that_removes_it_and_they_are_counted(self):
        response = self.client.get(URL, {"dimension": "economic", "status": "member", "all": "1"})
        chips = [(chip["label"], chip["value"], chip["remove_url"]) for chip in response.context["active_filters"]]
        self.assertEqual(
            chips,
            [
                ("Dimension", "Economic", "/dimensions/?status=member&all=1"),
                ("Status", "Member state", "/dimensions/?dimension=economic&all=1"),
                ("Members shown", "All members", "/dimensions/?dimension=economic&status=member"),
            ],
        )
        self.assertContains(response, '<a class="chip" href="/dimensions/?status=member&amp;all=1">', count=1)
        self.assertContains(response, "Filters (3 active)", count=1)
        # An invalid value is not active: it is reported, and left out of the count.
        response = self.client.get(URL, {"dimension": "economic", "status": "emperor"})
        self.assertEqual(len(response.context["active_filters"]), 1)
        self.assertContains(response, "Filters (1 active)", count=1)


class MatrixDraftTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.dimension = make_dimension(name="Economic dimension", short_name="Economic", slug="economic")
        cls.area = make_area(cls.dimension, name="Energy security")
        make_role(member=make_member(name="Russia"), area=cls.area)
        make_role(member=make_member(name="Draftland", publication_status=DRAFT), area=cls.area)
        make_member(name="Roleless")

    def test_drafts_never_appear(self):
        for params in ({}, {"all": "1"}, {"dimension": "economic"}, {"status": "member", "all": "1"}):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertNotContains(response, "Draftland")
                self.assertNotIn("Draftland", row_names(response))
        self.assertEqual([d.member_count for d in self.client.get(URL).context["dimensions"]], [1])

    def test_members_without_a_role_only_with_all(self):
        self.assertEqual(row_names(self.client.get(URL)), ["Russia"])
        self.assertEqual(row_names(self.client.get(URL, {"all": "1"})), ["Roleless", "Russia"])


class MatrixQueryCountTests(TestCase):
    def make_rows(self, n):
        dimensions = [make_dimension() for _ in range(2)]
        areas = [make_area(dimension) for dimension in dimensions for _ in range(3)]
        for i in range(n):
            member = make_member()
            make_role(member=member, area=areas[i % len(areas)])
            make_role(member=member, area=areas[(i + 1) % len(areas)], role=Role.Kind.CO_COORDINATOR)
        return dimensions[0]

    def count_queries(self, params):
        with CaptureQueriesContext(connection) as ctx:
            response = self.client.get(URL, params)
        self.assertEqual(response.status_code, 200)
        return len(ctx)

    def test_query_count_is_fixed(self):
        dimension = self.make_rows(20)
        # 1 dimensions, 1 prefetch of their areas, 1 roles of published members with the member (JOIN),
        # 1 site settings (the footer). The form's choices come from the dimensions already loaded.
        with self.assertNumQueries(4):
            self.client.get(URL)
        with self.assertNumQueries(4):
            self.client.get(URL, {"dimension": dimension.slug, "status": "member"})
        # ... and 1 for the published members, with ?all=1.
        with self.assertNumQueries(5):
            self.client.get(URL, {"all": "1"})

    def test_query_count_does_not_grow_with_rows(self):
        params = [{}, {"all": "1", "status": "member"}]
        dimension = self.make_rows(3)
        params.append({"dimension": dimension.slug})
        small = [self.count_queries(p) for p in params]
        self.make_rows(40)
        self.assertEqual([self.count_queries(p) for p in params], small)
