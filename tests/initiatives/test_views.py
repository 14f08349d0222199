from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from initiatives.models import Initiative
from tests.factories import (
    DRAFT,
    make_chairmanship,
    make_dimension,
    make_event,
    make_initiative,
    make_member,
    make_source,
)

URL = reverse("initiatives:initiative-list")


def titles(response):
    return [i.title for i in response.context["object_list"]]


class InitiativeListTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        kazakhstan = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.chair = make_chairmanship(member=kazakhstan, start_year=2020, end_year=2024)
        human = make_dimension(slug="human")
        fund = make_initiative(
            title="CICA Fund", status=Initiative.Status.IN_PROGRESS, chairmanship=cls.chair, proposed_by="chairmanship"
        )
        universities = make_initiative(
            title="University network",
            status=Initiative.Status.ACHIEVED,
            chairmanship=cls.chair,
            proposed_by="chairmanship",
        )
        universities.dimensions.add(human)
        fund.events.add(make_event())
        media_bank = make_initiative(
            title="Media Bank",
            status=Initiative.Status.PROPOSED,
            proposed_by="commentary",
            author="M. U. H. Khan (Center for Global & Strategic Studies, Islamabad)",
        )
        media_bank.dimensions.add(human)
        media_bank.sources.add(make_source(code="S01", title='M. U. H. Khan, "Kazakhstan and CICA"'))
        make_initiative(title="Draft idea", publication_status=DRAFT)

    def test_lists_published_initiatives_of_cica_only(self):
        response = self.client.get(URL)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(titles(response), ["CICA Fund", "University network"])
        self.assertContains(response, "2 initiatives match")
        self.assertNotContains(response, "Draft idea")

    def test_ideas_from_public_debate_have_their_own_section_with_author_and_source(self):
        response = self.client.get(URL)
        self.assertEqual([idea.title for idea in response.context["ideas"]], ["Media Bank"])
        section = response.content.decode().split('id="public-debate"')[1]
        self.assertIn("Ideas from public debate", section)
        self.assertIn("Media Bank", section)
        self.assertIn("M. U. H. Khan (Center for Global &amp; Strategic Studies, Islamabad)", section)
        self.assertIn(">S01<", section)
        self.assertIn("/initiatives/?proposed_by=commentary", section)

    def test_the_ideas_section_follows_the_other_filters(self):
        response = self.client.get(URL, {"dimension": "human"})
        self.assertEqual([idea.title for idea in response.context["ideas"]], ["Media Bank"])
        self.assertContains(response, "/initiatives/?dimension=human&amp;proposed_by=commentary")
        response = self.client.get(URL, {"status": "achieved"})
        self.assertEqual(response.context["ideas"], [])
        self.assertNotContains(response, 'id="public-debate"')
        self.assertNotIn("ideas", self.client.get(URL, {"proposed_by": "chairmanship"}).context)

    def test_ideas_from_public_debate_are_listed_on_their_own_filter_value(self):
        response = self.client.get(URL, {"proposed_by": "commentary"})
        self.assertEqual(titles(response), ["Media Bank"])
        self.assertContains(response, '<h1 class="page-header__title">Ideas from public debate</h1>', html=False)
        self.assertContains(response, "1 idea matches")
        self.assertContains(response, "Idea from public debate")
        self.assertNotIn("ideas", response.context)

    def test_ideas_from_public_debate_are_not_counted_under_a_dimension_or_status(self):
        self.assertEqual(titles(self.client.get(URL, {"status": "proposed"})), [])
        self.assertEqual(titles(self.client.get(URL, {"dimension": "human"})), ["University network"])
        self.assertEqual(
            titles(self.client.get(URL, {"dimension": "human", "proposed_by": "commentary"})), ["Media Bank"]
        )

    def test_an_idea_from_public_debate_says_so_on_its_page(self):
        idea = Initiative.objects.get(title="Media Bank")
        response = self.client.get(idea.get_absolute_url())
        self.assertContains(response, "a commentator's proposal, not a CICA initiative")
        self.assertContains(response, "<dt>Author</dt>", html=False)
        self.assertContains(response, "Khan")
        self.assertContains(response, 'href="/initiatives/?proposed_by=commentary">Ideas from public debate</a>')

    def test_status_filter(self):
        self.assertEqual(titles(self.client.get(URL, {"status": "in_progress"})), ["CICA Fund"])
        self.assertEqual(titles(self.client.get(URL, {"status": "achieved"})), ["University network"])

    def test_chairmanship_filter_takes_the_slug(self):
        response = self.client.get(URL, {"chairmanship": "kazakhstan-2020-2024"})
        self.assertEqual(titles(response), ["CICA Fund", "University network"])

    def test_dimension_and_proposed_by_filters(self):
        self.assertEqual(titles(self.client.get(URL, {"dimension": "human"})), ["University network"])
        self.assertEqual(titles(self.client.get(URL, {"proposed_by": "commentary"})), ["Media Bank"])

    def test_invalid_values_are_ignored_with_a_message(self):
        for params in ({"status": "done"}, {"chairmanship": "nope-1-2"}, {"dimension": "x"}, {"proposed_by": "?"}):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertTrue(response.context["invalid_fields"])
                self.assertEqual(len(titles(response)), 2)

    def test_facets_count_what_each_option_would_give(self):
        html = self.client.get(URL, {"proposed_by": "chairmanship"}).content.decode()
        self.assertIn('<option value="in_progress">In progress (1)</option>', html)
        self.assertIn('<option value="proposed" disabled>Proposed (0)</option>', html)
        self.assertIn('<option value="commentary">Ideas from public debate (1)</option>', html)
        self.assertIn('<option value="kazakhstan-2020-2024">Kazakhstan 2020–2024 (2)</option>', html)

    def test_detail_and_draft_404(self):
        fund = Initiative.objects.get(title="CICA Fund")
        response = self.client.get(fund.get_absolute_url())
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, "Kazakhstan")
        draft = Initiative.objects.get(title="Draft idea")
        self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)


class InitiativeListQueryCountTests(TestCase):
    def make_rows(self, n):
        chair = make_chairmanship()
        dimension = make_dimension()
        for _ in range(n):
            make_initiative(chairmanship=chair, proposed_by="chairmanship", lead=chair.member).dimensions.add(
                dimension
            )

    def count_queries(self):
        with CaptureQueriesContext(connection) as ctx:
            self.assertEqual(self.client.get(URL).status_code, 200)
        return len(ctx)

    def test_query_count_does_not_grow_with_rows(self):
        self.make_rows(3)
        small = self.count_queries()
        self.make_rows(50)
        self.assertEqual(self.count_queries(), small)

    def test_query_count(self):
        self.make_rows(30)
        # 1 total and page boundaries (one window query), 1 UNION ALL of the 4 facet counts (status,
        # chairmanship, dimension, proposed by), 1 page of initiatives with chairmanship, its member and
        # lead (JOINs), 1 prefetch of dimensions, 1 chairmanship and 1 dimension choices (the selects),
        # 1 ideas from public debate (none here, so no prefetch of their sources), 1 site settings (footer).
        with self.assertNumQueries(8):
            self.client.get(URL)
