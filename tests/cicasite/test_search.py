"""Site search (/search/) on the real CICA content, on the database the suite runs on.

PostgreSQL: full-text search, trigram similarity, GIN indexes. SQLite: the simple
fallback. Tests of one backend only are skipped on the other, with the reason.
"""

import importlib
import io
import itertools
import re
from datetime import date, timedelta
from html.parser import HTMLParser
from unittest import skipIf, skipUnless

import time_machine
from django.contrib.auth import get_user_model
from django.contrib.postgres.search import SearchQuery
from django.core.management import call_command
from django.db import connection, transaction
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from psycopg import pq

from cicasite.core import search
from cicasite.core.search import search_site
from cicasite.core.search_indexes import PostgreSQLSearchIndex
from events.models import Document, Event
from initiatives.models import Initiative
from members.models import Member
from tests.cicasite.test_editorial import changeform_data
from tests.content import load_content
from tests.factories import DRAFT, make_document, make_event, make_initiative, make_member

URL = reverse("search")
POSTGRESQL = connection.vendor == "postgresql"
ONLY_POSTGRESQL = "PostgreSQL only (skipped on SQLite): full-text search and trigram similarity; run with DATABASE_URL=postgres://..."
ONLY_FALLBACK = "SQLite only (skipped on PostgreSQL): the simple search used without PostgreSQL"
# One query per kind: the 10 best hits with the total as COUNT(*) OVER ():
# members, meetings, documents (with their meeting, JOIN), initiatives.
SEARCH_QUERIES = 4


def group(response, key):
    """The group of a kind in the page's context, or None when nothing of that kind matched."""
    return next((g for g in response.context["groups"] if g.key == key), None)


def titles(response, key):
    found = group(response, key)
    return [str(hit.object) for hit in found.hits] if found else []


class StrictHTMLParser(HTMLParser):
    """Checks what a validator would flag first: unbalanced elements and repeated ids."""

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__()
        self.stack, self.ids, self.problems = [], set(), []

    def handle_starttag(self, tag, attrs):
        element_id = dict(attrs).get("id")
        if element_id and element_id in self.ids:
            self.problems.append(f"repeated id {element_id}")
        self.ids.add(element_id)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.problems.append(f"unexpected </{tag}>")


class SearchPageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()
        cls.draft_member = make_member(name="Draftistan", slug="draftistan", publication_status=DRAFT)
        cls.draft_event = make_event(title="Secret Draft Summit", slug="secret-draft-summit", publication_status=DRAFT)
        # A published document of a draft meeting stays hidden with its meeting.
        make_document(event=cls.draft_event, title="Hidden Summit Declaration")
        make_document(
            event=Event.objects.get(slug="first-cica-summit-2002"), title="Draft Summit Memo", publication_status=DRAFT
        )
        make_initiative(title="Draft summit initiative", slug="draft-summit-initiative", publication_status=DRAFT)
        cls.html_member = make_member(
            name="Scriptland",
            slug="scriptland",
            summary='<script>alert("x")</script> Scriptland signed the <b>zanzibar</b> accord & more.',
        )

    def test_kazakhstan_finds_the_member_first(self):
        response = self.client.get(URL, {"q": "Kazakhstan"})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(titles(response, "members")[0], "Kazakhstan")
        self.assertContains(response, 'href="/members/kazakhstan/"')

    def test_summit_finds_the_summits_grouped_by_kind(self):
        response = self.client.get(URL, {"q": "summit"})
        events = group(response, "events")
        self.assertEqual(
            {str(hit.object) for hit in events.hits if str(hit.object).endswith("CICA Summit")},
            {f"{n} CICA Summit" for n in ("First", "Second", "Third", "Fourth", "Fifth", "Sixth", "Seventh")},
        )
        self.assertIn("Declaration of the Second CICA Summit", titles(response, "documents"))
        self.assertIn("CICA Finance Summit", titles(response, "initiatives"))
        self.assertIsNone(group(response, "members"))  # no member mentions a summit: no empty heading
        self.assertContains(response, f"{events.total} meetings</h2>", html=False)
        self.assertContains(response, '<section class="search-group"', count=3)

    def test_almaty_act_finds_the_document(self):
        response = self.client.get(URL, {"q": "Almaty Act"})
        self.assertEqual(titles(response, "documents")[0], "Almaty Act")
        self.assertContains(response, "<mark>Almaty</mark> <mark>Act</mark>", html=False)
        self.assertContains(response, "1 document</h2>", html=False)

    def test_drafts_never_appear(self):
        for q in (
            "Draftistan",
            "Secret Draft Summit",
            "Hidden Summit Declaration",
            "Draft Summit Memo",
            "draft summit",
        ):
            with self.subTest(q=q):
                response = self.client.get(URL, {"q": q})
                self.assertEqual(response.status_code, 200)
                found = [str(hit.object) for g in response.context["groups"] for hit in g.hits]
                self.assertFalse([title for title in found if "Draft" in title or "Hidden" in title], found)

    def test_editor_html_is_escaped_and_the_match_marked(self):
        response = self.client.get(URL, {"q": "zanzibar"})
        self.assertEqual(titles(response, "members"), ["Scriptland"])
        self.assertContains(response, "<mark>zanzibar</mark>", html=False)
        self.assertContains(response, "&amp; more", html=False)
        self.assertNotContains(response, "<script>alert", html=False)
        self.assertNotContains(response, "<b>zanzibar", html=False)

    def test_a_mark_in_the_query_cannot_inject_html(self):
        response = self.client.get(URL, {"q": "<mark>Kazakhstan</mark> <img src=x>"})
        self.assertEqual(response.status_code, 200)
        self.assertNotContains(response, "<img src=x>", html=False)
        self.assertContains(response, "&lt;img src=x&gt;", html=False)

    def test_empty_query_shows_a_prompt(self):
        for params in ({}, {"q": ""}, {"q": "   "}):
            with self.subTest(params=params):
                response = self.client.get(URL, params)
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, "Type a name, a place or a few words")
                self.assertEqual(response.context["groups"], [])

    def test_invalid_queries_answer_200_with_a_message(self):
        for q in ("Kazakh\x00stan", "x" * 201, "a" * 5000):
            with self.subTest(q=q[:20]):
                response = self.client.get(URL, {"q": q})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="search-form__error"')
                self.assertContains(response, "Please change the search text")
                self.assertEqual(response.context["groups"], [])
                self.assertNotIn("\x00", response.content.decode())

    def test_odd_queries_never_fail(self):
        for q in ("!!!", "'", '"unclosed', "a & | ! b", "-", "the", "Kazakhstan OR", "%_\\"):
            with self.subTest(q=q):
                self.assertEqual(self.client.get(URL, {"q": q}).status_code, 200)

    def test_no_results_message_with_suggestions(self):
        response = self.client.get(URL, {"q": "xylophonequartz"})
        self.assertContains(response, "0 results for “xylophonequartz”")
        self.assertContains(response, "Nothing matches “xylophonequartz”.")
        self.assertContains(response, "Check the spelling")
        self.assertContains(response, f'href="{reverse("members:member-list")}"')

    def test_page_has_one_h1_a_labelled_form_that_keeps_the_query_and_a_live_summary(self):
        response = self.client.get(URL, {"q": "Almaty"})
        self.assertContains(response, "<h1", count=1)
        self.assertContains(response, '<label class="search-form__label" for="search-q">Search for</label>', html=True)
        self.assertContains(response, 'id="search-q" name="q" value="Almaty"', html=False)
        self.assertContains(response, '<div aria-live="polite">', html=False)
        parser = StrictHTMLParser()
        parser.feed(response.content.decode())
        self.assertEqual(parser.problems, [])
        self.assertEqual(parser.stack, [])

    def test_header_has_a_search_form_on_every_page(self):
        response = self.client.get("/")
        self.assertContains(
            response,
            f'<form class="site-search" method="get" action="{URL}" role="search" aria-label="Search the whole site">',
            html=False,
        )
        self.assertContains(
            response, '<label class="visually-hidden" for="site-search-q">Search the site</label>', html=True
        )
        self.assertContains(response, 'type="search" id="site-search-q" name="q"', html=False)

    def test_counts_are_totals_and_at_most_10_hits_are_shown(self):
        response = self.client.get(URL, {"q": "CICA"})
        events = group(response, "events")
        self.assertEqual(len(events.hits), 10)
        self.assertGreater(events.total, 10)
        self.assertContains(response, "Showing the 10 best matches.")

    def test_number_of_queries(self):
        # 1-4: members, meetings, documents, initiatives (each: 10 best hits + total via COUNT(*) OVER ()),
        # 5: the site settings (footer). No session, no user: the page is anonymous and sets no cookie.
        with self.assertNumQueries(SEARCH_QUERIES + 1):
            response = self.client.get(URL, {"q": "summit"})
        self.assertEqual(response.status_code, 200)
        with self.assertNumQueries(1):  # empty or invalid queries touch no table but the site settings (footer)
            self.client.get(URL, {"q": "x" * 300})


class QueryCountTests(TestCase):
    def count_queries(self, q):
        with CaptureQueriesContext(connection) as captured:
            groups = search_site(q)
        return len(captured), groups

    def test_number_of_queries_does_not_grow_with_rows(self):
        make_member(name="Lakeland", slug="lakeland", summary="A lake.")
        make_document(event=make_event(title="Lake meeting", slug="lake-meeting"), title="Lake declaration")
        make_initiative(title="Lake initiative", slug="lake-initiative")
        few, groups = self.count_queries("lake")
        self.assertEqual([g.total for g in groups], [1, 1, 1, 1])
        for n in range(30):
            make_member(name=f"Lakeland {n}", slug=f"lakeland-{n}", summary="By a lake.")
            event = make_event(title=f"Lake meeting {n}", slug=f"lake-meeting-{n}", summary="At the lake.")
            make_document(event=event, title=f"Lake declaration {n}")
            make_initiative(title=f"Lake initiative {n}", slug=f"lake-initiative-{n}")
        many, groups = self.count_queries("lake")
        self.assertEqual([g.total for g in groups], [31, 31, 31, 31])
        self.assertEqual([len(g.hits) for g in groups], [10, 10, 10, 10])
        self.assertEqual(few, many)
        self.assertEqual(many, SEARCH_QUERIES)


@skipUnless(POSTGRESQL, ONLY_POSTGRESQL)
class PreparedStatementTests(TestCase):
    """Each kind's statement is compiled once per language and query shape, then run with new values."""

    def setUp(self):
        search._Prepared.cache.clear()

    def titles(self, q):
        return [str(hit.object) for hit in search_site(q)[1].hits]

    def test_one_statement_per_kind_and_shape_run_with_each_query(self):
        make_event(title="Lotus meeting", slug="lotus", summary="On lotus ponds.")
        make_event(title="Lilac meeting", slug="lilac", summary="Lilac " + "filler " * 500 + "among bushes.")
        self.assertEqual(self.titles("lotus"), ["Lotus meeting"])
        self.assertEqual(self.titles("lilac"), ["Lilac meeting"])
        self.assertEqual(len(search._Prepared.cache), 4)  # one per kind, both queries of the same shape
        # The snippet's window (search.SNIPPET_WINDOW) starts near the word of this query.
        self.assertIn("among <mark>bushes</mark>", search_site("bushes")[1].hits[0].snippet_html)
        self.assertEqual(self.titles("pond lotus"), ["Lotus meeting"])  # two words: another shape
        self.assertEqual(len(search._Prepared.cache), 8)

    def test_the_clock_is_read_on_every_search(self):
        now = timezone.now()
        make_event(title="Lotus meeting", slug="lotus", publish_at=now + timedelta(hours=1))
        make_event(title="Lotus forum", slug="lotus-forum", unpublish_at=now + timedelta(hours=1))
        with time_machine.travel(now, tick=False):
            self.assertEqual(self.titles("lotus"), ["Lotus forum"])
        with time_machine.travel(now + timedelta(hours=2), tick=False):
            self.assertEqual(self.titles("lotus"), ["Lotus meeting"])


class RankingTests(TestCase):
    def test_a_title_match_ranks_above_a_body_only_match(self):
        make_initiative(title="Cooperation on energy", slug="a", body="Nothing about it here.")
        make_initiative(title="Another plan", slug="b", body="A plan that mentions water security once.")
        make_initiative(title="Water security", slug="c", summary="Shared rivers.")
        hits = search_site("water")[3].hits
        self.assertEqual([str(hit.object) for hit in hits], ["Water security", "Another plan"])


@skipUnless(POSTGRESQL, ONLY_POSTGRESQL)
class PostgreSQLSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    def members_found(self, q):
        return [str(hit.object) for hit in search_site(q)[0].hits]

    def test_typos_and_ascii_spellings_find_the_member(self):
        for q, name in (("Kazakstan", "Kazakhstan"), ("Turkiye", "Türkiye"), ("Kyrgystan", "Kyrgyzstan")):
            with self.subTest(q=q):
                self.assertEqual(self.members_found(q)[0], name)

    def test_stemming_declarations_finds_documents_titled_declaration(self):
        documents = search_site("declarations")[2]
        self.assertGreaterEqual(documents.total, 10)
        self.assertTrue(all(str(hit.object).startswith("Declaration") for hit in documents.hits[:5]))
        self.assertIn("<mark>Declaration</mark>", documents.hits[0].title_html)

    def test_stemming_summits_finds_summit(self):
        self.assertIn("Sixth CICA Summit", [str(hit.object) for hit in search_site("summits")[1].hits])

    def test_the_gin_indexes_exist_for_every_language(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%USING gin%'")
            indexes = dict(cursor.fetchall())
        # Declared in the models' Meta.indexes, created by their migrations.
        wanted = [
            index.name
            for kind in search.searchable()
            for index in kind.model._meta.indexes
            if isinstance(index, PostgreSQLSearchIndex)
        ]
        # Per language: 4 vectors; a trigram index per name or title (5, the member slug too), and on a
        # meeting's city and country for the admin's search (2).
        self.assertEqual(len(wanted), 15)
        for name in wanted:
            with self.subTest(index=name):
                self.assertIn(name, indexes)
        # The vector indexes are on the stored columns, which PostgreSQL computes from the weighted fields.
        self.assertIn("USING gin (search_vector_ru)", indexes["member_search_ru"])
        self.assertIn("name_en gin_trgm_ops, name_ru gin_trgm_ops", indexes["member_trgm_name"])
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT table_name, column_name, generation_expression FROM information_schema.columns"
                " WHERE column_name LIKE 'search_vector_%%' AND is_generated = 'ALWAYS'"
            )
            generated = {(table, column): expression for table, column, expression in cursor.fetchall()}
        self.assertEqual(len(generated), 8)  # 4 kinds, 2 languages
        russian = generated["members_member", "search_vector_ru"]
        self.assertIn("to_tsvector('russian'::regconfig, (COALESCE(name_ru", russian)
        self.assertIn("to_tsvector('english'::regconfig, (COALESCE(name_en", russian)  # English too, on /ru/
        self.assertNotIn("member_search_vector_idx", indexes)  # the English-only index of 0002 is gone

    def test_the_migration_drops_the_indexes_once_made_after_migrate(self):
        # Before the search indexes were in Meta.indexes, a post_migrate hook made them under
        # names ending in a hash of their statement: the migration that adds them drops those.
        migration = importlib.import_module("members.migrations.0010_search_indexes_in_meta")
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the loaded content's checks, before DDL
            cursor.execute("CREATE INDEX member_search_en_0123abcd ON members_member (name_en)")
            with connection.schema_editor() as schema_editor:
                migration.drop_old_indexes(None, schema_editor)
            cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE 'member_%'")
            names = {name for (name,) in cursor.fetchall()}
        self.assertNotIn("member_search_en_0123abcd", names)
        self.assertIn("member_search_en", names)

    def test_the_planner_can_use_the_gin_indexes_in_every_language(self):
        # With plain and sequential scans off, only a bitmap scan on an index whose expression
        # equals the query's can answer the match: a mismatch shows up as a Seq Scan.
        for language in ("en", "ru"):
            for kind in search.searchable():
                if not kind.index:
                    continue
                wanted = [f"{kind.index}_search_{language}"] + [
                    f"{kind.index}_trgm_{field}" for field in (*kind.similar, *kind.word_similar)
                ]
                with (
                    self.subTest(kind=kind.key, language=language),
                    translation.override(language),
                    transaction.atomic(),
                    connection.cursor() as cursor,
                ):
                    cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
                    text_query = SearchQuery("Kazakstan", search_type="websearch", config=search.config(language))
                    # order_by(): a document orders by its meeting (a join) that the search itself does not use
                    records = kind.model.objects.order_by().alias(search=search.search_vector(kind))
                    plan = records.filter(search.matches_postgresql(kind, "Kazakstan", text_query)).explain()
                    self.assertNotIn("Seq Scan", plan)
                    for index in wanted:
                        self.assertIn(f"Bitmap Index Scan on {index}", plan)

    def plan_as_run(self, q):
        """EXPLAIN (VERBOSE) of the meetings' statement for q as search_site() has it run: prepared on the
        connection, with the generic plan that this connection's plan_cache_mode makes PostgreSQL use."""
        search_site(q)
        prepared = search._Prepared.get(Event.search_fields, "en", len(q) >= search.TRIGRAM_MIN_LENGTH, 1)
        numbers = itertools.count(1)
        sql = re.sub(r"%%|%s", lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", prepared.sql)
        params = prepared.params(q, search.terms(q))
        with connection.cursor() as cursor:
            cursor.execute("PREPARE plan_as_run AS " + sql)
            try:
                cursor.execute(f"EXPLAIN (VERBOSE) EXECUTE plan_as_run({', '.join(['%s'] * len(params))})", params)
                return "\n".join(row[0] for row in cursor.fetchall())
            finally:
                cursor.execute("DEALLOCATE plan_as_run")

    def test_the_statements_are_prepared_with_generic_plans(self):
        search_site("summit")
        search_site("declaration")  # the same shape: the same four statements, run again
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE %s",
                ["WITH search_text(id) AS MATERIALIZED %"],
            )
            plans = cursor.fetchall()
        self.assertEqual(len(plans), 4)  # one per kind
        self.assertEqual(plans, [(2, 0)] * 4)
        # The query is a parameter of the plan, the constants are written in.
        plan = self.plan_as_run("summit")
        self.assertRegex(plan, r"search_vector_en @@ websearch_to_tsquery\('english'::regconfig, \$\d+\)")
        self.assertIn("publication_status)::text = 'published'::text", plan)

    def test_headlines_are_computed_for_the_shown_hits_only(self):
        # ts_headline parses whole bodies: PostgreSQL computes it after the sort and LIMIT (a Result
        # node above the Sort), not for every candidate.
        plan = self.plan_as_run("summit")
        lines = plan.splitlines()
        # Limit -> Result (the headlines, for the rows the Limit lets through) -> Sort (without them).
        result = lines.index(next(line for line in lines if line.startswith("  ->  Result")))
        sort = next(i for i in range(result, len(lines)) if "->  Sort" in lines[i])
        outputs = [line for line in lines[result:] if line.strip().startswith("Output:")]
        self.assertIn("ts_headline", outputs[0])  # the Result's
        self.assertNotIn("ts_headline", next(line for line in lines[sort:] if "Output:" in line))

    def test_russian_stemming_finds_the_summit(self):
        with translation.override("ru"):
            titles = [str(hit.object) for hit in search_site("саммита")[1].hits]
        self.assertIn("Шестой саммит СВМДА", titles)

    def test_russian_page_finds_english_words_and_untranslated_records(self):
        make_member(name="Atlantis", slug="atlantis", summary="An island state.")  # no Russian at all
        with translation.override("ru"):
            members = search_site("Atlantis")[0]
            self.assertEqual([hit.object.slug for hit in members.hits], ["atlantis"])
            self.assertIn("<mark>Atlantis</mark>", members.hits[0].title_html)  # shown in English
            self.assertIn("Kazakhstan", [hit.object.name_en for hit in search_site("Kazakhstan")[0].hits])

    def test_the_statements_are_sent_together(self):
        # psycopg's pipeline mode: every kind's statement is sent before the first one's rows are read.
        modes = []

        def record(execute, sql, params, many, context):
            modes.append(connection.connection.pgconn.pipeline_status)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record), self.assertNumQueries(4):
            groups = search_site("summit")
        self.assertEqual(modes, [pq.PipelineStatus.ON] * 4)
        self.assertEqual(connection.connection.pgconn.pipeline_status, pq.PipelineStatus.OFF)  # and left
        self.assertIn("Sixth CICA Summit", [str(hit.object) for hit in groups[1].hits])

    def test_the_query_is_parsed_once_for_the_ranks_and_headlines(self):
        # A scalar subquery (an InitPlan, whose value is a parameter of the plan), not
        # websearch_to_tsquery() again for each of the 200 candidates ranked and each headline.
        plan = self.plan_as_run("summit")
        self.assertRegex(plan, r"ts_rank\(events_event\.search_vector_en, \$\d+\)")
        self.assertNotRegex(plan, r"ts_rank\([^)]*websearch_to_tsquery")
        self.assertNotRegex(plan, r"ts_headline\([^)]*websearch_to_tsquery")

    def test_the_table_is_scanned_once_for_the_count_and_the_candidates(self):
        # The candidates are the first rows of the scans that count (search_text, search_names), not
        # scans of their own: three reads of the meetings in all, with the shown rows' (five before).
        plan = self.plan_as_run("summit")
        scans = [line for line in plan.splitlines() if re.search(r"Scan\b.* on public\.events_event\b", line)]
        self.assertEqual(len(scans), 3, plan)
        self.assertEqual(plan.count("CTE search_"), 2)

    def test_the_total_counts_each_record_matching_the_text_or_the_name_once(self):
        # What the statement counts (the text's matches, and the names' the text has not) is the number
        # of records that match either, as the ORM counts them with the same condition.
        for language, queries in (
            ("en", ["Kazakstan", "summit", "cooperation", "Almaty Act", "security"]),
            ("ru", ["саммит", "Казахтан", "безопасность"]),
        ):
            for q in queries:
                with self.subTest(q=q), translation.override(language):
                    text_query = SearchQuery(q, search_type="websearch", config=search.config(language))
                    for kind, found in zip(search.searchable(), search_site(q), strict=True):
                        records = kind.queryset().alias(search=search.search_vector(kind))
                        expected = records.filter(search.matches_postgresql(kind, q, text_query)).count()
                        self.assertEqual((found.total, found.more), (expected, False), kind.key)

    def test_hits_are_the_instances_the_orm_makes(self):
        # The rows become instances without a queryset per search (search._Prepared.run): the same
        # fields loaded, the same deferred, the meeting of a document loaded with it.
        groups = search_site("CICA summit")
        self.assertTrue(all(group.hits for group in groups[1:]), [group.key for group in groups])
        for kind, found in zip(search.searchable(), groups, strict=True):
            for hit in found.hits:
                with self.subTest(kind=kind.key, record=str(hit.object)):
                    loaded = kind.queryset().defer(*kind.deferred()).get(pk=hit.object.pk)
                    self.assertEqual(hit.object.get_deferred_fields(), loaded.get_deferred_fields())
                    fields = {name: value for name, value in vars(loaded).items() if name != "_state"}
                    self.assertEqual({name: vars(hit.object)[name] for name in fields}, fields)
                    self.assertFalse(hit.object._state.adding)
                    self.assertEqual(hit.object._state.db, "default")
        with self.assertNumQueries(0):
            self.assertTrue(all(hit.object.event.slug for hit in groups[2].hits))


@skipUnless(POSTGRESQL, ONLY_POSTGRESQL)
class CappedCountTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        Event.objects.bulk_create(
            Event(
                title=f"Harbour meeting {n}",
                slug=f"harbour-meeting-{n}",
                kind=Event.Kind.OTHER,
                start_date=date(2020, 1, 1) + timedelta(days=n),
                publication_status=Event.PublicationStatus.PUBLISHED,
            )
            for n in range(search.TOTAL_CAP + 1)
        )

    def test_more_than_the_cap_is_said_not_counted(self):
        events = search_site("harbour")[1]
        self.assertEqual((events.total, events.more, len(events.hits)), (search.TOTAL_CAP, True, 10))
        response = self.client.get(URL, {"q": "harbour"})
        self.assertContains(response, "More than 1000 meetings</h2>", html=False)
        self.assertContains(response, "Showing the 10 best matches.")
        with translation.override("ru"):
            response = self.client.get(reverse("search"), {"q": "harbour"})
        self.assertContains(response, "Более 1000 мероприятий</h2>", html=False)

    def test_at_the_cap_the_count_is_exact(self):
        Event.objects.filter(slug="harbour-meeting-0").delete()
        events = search_site("harbour")[1]
        self.assertEqual((events.total, events.more), (search.TOTAL_CAP, False))
        self.assertContains(self.client.get(URL, {"q": "harbour"}), "1000 meetings</h2>", html=False)
        self.assertNotContains(self.client.get(URL, {"q": "harbour"}), "More than")


@skipUnless(POSTGRESQL, ONLY_POSTGRESQL)
class StoredVectorTests(TestCase):
    """The stored vectors follow every write: PostgreSQL computes them (cicasite.core.search_indexes)."""

    def matches(self, model, pk, words, language="en"):
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT search_vector_{language} @@ websearch_to_tsquery(%s::regconfig, %s)"
                f" FROM {model._meta.db_table} WHERE id = %s",
                [search.config(language), words, pk],
            )
            return cursor.fetchone()[0]

    def test_save_update_bulk_create_and_bulk_update(self):
        event = make_event(title="Lotus meeting", slug="lotus", summary="On lotus ponds.")
        self.assertTrue(self.matches(Event, event.pk, "ponds"))
        event.summary_en = "On river deltas."
        event.save()
        self.assertFalse(self.matches(Event, event.pk, "ponds"))
        self.assertTrue(self.matches(Event, event.pk, "deltas"))
        Event.objects.filter(pk=event.pk).update(city_en="Ashgabat", city_ru="Ашхабад")
        self.assertTrue(self.matches(Event, event.pk, "Ashgabat"))
        self.assertTrue(self.matches(Event, event.pk, "Ашхабаде", "ru"))  # Russian stemming
        event.refresh_from_db()
        event.body_en = "<p>Mangrove <strong>forests</strong>.</p>"
        Event.objects.bulk_update([event], ["body_en"])
        self.assertTrue(self.matches(Event, event.pk, "mangrove forest"))
        self.assertFalse(self.matches(Event, event.pk, "strong"))  # the markup is not indexed
        [created] = Event.objects.bulk_create([Event(title="Cedar forum", slug="cedar", start_date=date(2021, 5, 1))])
        self.assertTrue(self.matches(Event, created.pk, "cedar"))

    def test_an_admin_save_is_found_at_once(self):
        admin = get_user_model().objects.create_superuser("admin", "a@example.org", "a-long-password-123")
        event = make_event(title="Sixth summit", slug="sixth-summit", body="<p>Old.</p>")
        self.client.force_login(admin)
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["body_en"] = "<p>Agreed on saxaul planting.</p>"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertTrue(self.matches(Event, event.pk, "saxaul"))
        self.client.logout()
        self.assertEqual(titles(self.client.get(URL, {"q": "saxaul"}), "events"), ["Sixth summit"])

    def test_load_cica_stores_the_vectors(self):
        call_command("load_cica", stdout=io.StringIO())
        member = Member.objects.get(slug="kazakhstan")
        self.assertTrue(self.matches(Member, member.pk, "Kazakhstan"))
        self.assertTrue(self.matches(Member, member.pk, "Казахстана", "ru"))
        with connection.cursor() as cursor:
            for model in (Member, Event, Document, Initiative):
                cursor.execute(f"SELECT count(*) FROM {model._meta.db_table} WHERE search_vector_en = ''")
                self.assertEqual(cursor.fetchone()[0], 0, model)


@skipIf(POSTGRESQL, ONLY_FALLBACK)
class FallbackSearchTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_member(name="Türkiye", slug="turkiye", capital="Ankara", iso_code="TR")
        make_member(name="Kazakhstan", slug="kazakhstan", capital="Astana", iso_code="KZ")
        make_document(event=make_event(title="First Summit", slug="first-summit"), title="Declaration of Astana")

    def test_russian_words_match_with_a_crude_ending_stripped(self):
        make_event(title="Second Summit", title_ru="Второй саммит СВМДА", slug="second-summit")
        with translation.override("ru"):
            for query in ("саммита", "Саммиты", "СВМДА", "Second"):
                with self.subTest(query=query):
                    self.assertEqual([h.object.slug for h in search_site(query)[1].hits], ["second-summit"])
        self.assertEqual(search.terms("саммитами саммита"), ["саммит"])

    def test_every_word_must_occur_case_insensitively(self):
        self.assertEqual([str(h.object) for h in search_site("kazakhstan astana")[0].hits], ["Kazakhstan"])
        self.assertEqual(search_site("kazakhstan paris")[0].total, 0)

    def test_plurals_are_stripped_crudely(self):
        self.assertEqual(
            search.terms("Declarations of Summits, countries; class"),
            ["declaration", "of", "summit", "country", "class"],
        )
        self.assertEqual([str(h.object) for h in search_site("declarations")[2].hits], ["Declaration of Astana"])
        self.assertEqual([str(h.object) for h in search_site("summits")[1].hits], ["First Summit"])

    def test_the_ascii_slug_stands_in_for_unaccent(self):
        self.assertEqual([str(h.object) for h in search_site("Turkiye")[0].hits], ["Türkiye"])

    def test_no_typo_tolerance_without_postgresql(self):
        self.assertEqual(search_site("Kazakstan")[0].total, 0)

    def test_snippet_is_cut_around_the_first_match_and_escaped(self):
        text = "<p>" + "word " * 100 + "needle & thread " + "tail " * 100
        snippet = search.excerpt(text, search.re.compile("needle", search.re.IGNORECASE))
        self.assertIn("<mark>needle</mark> &amp; thread", snippet)
        self.assertTrue(snippet.startswith("… ") and snippet.endswith(" …"))
        self.assertNotIn("<p>", snippet)
        self.assertLess(len(snippet), 300)


class SimpleSearchNoteTests(TestCase):
    """In development on SQLite the search page says that search is the simple fallback; nowhere else."""

    NOTE = "Development on SQLite: search finds words only as typed."

    def test_shown_in_development_on_sqlite_only(self):
        with self.settings(DEBUG=True):
            self.assertContains(self.client.get(URL, {"q": "sumit"}), self.NOTE, count=0 if POSTGRESQL else 1)
            self.assertContains(
                self.client.get("/ru/search/"), "Копия для разработки на SQLite", count=0 if POSTGRESQL else 1
            )

    def test_never_in_production(self):
        with self.settings(DEBUG=False):
            self.assertNotContains(self.client.get(URL, {"q": "sumit"}), self.NOTE)
