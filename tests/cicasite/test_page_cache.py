"""The anonymous page cache (cicasite.core.pagecache, AnonymousPageCacheMiddleware) against the real file cache."""

import gzip
import shutil
import tempfile
import time
from datetime import date
from unittest import mock

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cicasite.core import pagecache
from cicasite.core.pagination import SeekPaginator
from events.models import Event
from members.models import Member
from tests.factories import PUBLISHED, make_event, make_member


class PageCacheTestCase(TestCase):
    @classmethod
    def setUpClass(cls):
        cls.cache_dir = tempfile.mkdtemp(prefix="cica-test-pages-")
        cls.settings_override = override_settings(
            PAGE_CACHE=True,
            CACHES={
                "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
                "pages": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": cls.cache_dir},
            },
        )
        cls.settings_override.enable()
        super().setUpClass()

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        cls.settings_override.disable()
        shutil.rmtree(cls.cache_dir, ignore_errors=True)

    @classmethod
    def setUpTestData(cls):
        cls.member = make_member(name="Kazakhstan", slug="kazakhstan")
        cls.event = make_event(title="Sixth Summit", slug="sixth-summit", host=cls.member)

    def setUp(self):
        pagecache.page_cache().clear()


class AnonymousPageCacheTests(PageCacheTestCase):
    def test_second_request_is_a_hit_with_the_same_page(self):
        first = self.client.get("/events/")
        second = self.client.get("/events/")
        self.assertEqual(first["X-Page-Cache"], "miss")
        self.assertEqual(second["X-Page-Cache"], "hit")
        self.assertEqual(first.content, second.content)
        self.assertEqual(first["ETag"], second["ETag"])
        self.assertEqual(second["Content-Security-Policy"], first["Content-Security-Policy"])
        self.assertIn("Cookie", second["Vary"])
        # Browsers revalidate; a shared cache in front (nginx, a CDN) may keep it EDGE_CACHE_SECONDS.
        self.assertEqual(second["Cache-Control"], "public, max-age=0, s-maxage=1")

    def test_a_hit_needs_no_query(self):
        self.client.get("/events/")
        with self.assertNumQueries(0):
            response = self.client.get("/events/")
        self.assertContains(response, "Sixth Summit")

    def test_key_is_the_full_path_with_its_query_string(self):
        self.client.get("/events/")
        response = self.client.get("/events/?kind=summit")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertEqual(self.client.get("/events/?kind=summit")["X-Page-Cache"], "hit")
        self.assertEqual(self.client.get("/events/?kind=forum")["X-Page-Cache"], "miss")

    def test_a_write_without_signals_is_not_seen_until_a_save(self):
        self.client.get("/events/")
        Event.objects.filter(pk=self.event.pk).update(title="Renamed quietly")  # no signal: proves the hit
        self.assertContains(self.client.get("/events/"), "Sixth Summit")
        self.event.refresh_from_db()
        self.event.title = "Seventh Summit"
        self.event.save()
        response = self.client.get("/events/")
        self.assertEqual(response["X-Page-Cache"], "miss")
        self.assertContains(response, "Seventh Summit")

    def test_deleting_a_record_invalidates(self):
        self.assertContains(self.client.get("/events/"), "Sixth Summit")
        self.event.delete()
        self.assertNotContains(self.client.get("/events/"), "Sixth Summit")

    def test_conditional_get_answers_304(self):
        first = self.client.get("/members/kazakhstan/")
        again = self.client.get("/members/kazakhstan/", headers={"if-none-match": first["ETag"]})
        self.assertEqual(again.status_code, 304)
        self.assertEqual(again.content, b"")
        since = self.client.get("/members/kazakhstan/", headers={"if-modified-since": first["Last-Modified"]})
        self.assertEqual(since.status_code, 304)
        other = self.client.get("/members/kazakhstan/", headers={"if-none-match": '"something-else"'})
        self.assertEqual(other.status_code, 200)

    def test_conditional_get_after_a_change_gets_the_new_page(self):
        first = self.client.get("/members/kazakhstan/")
        Member.objects.get(pk=self.member.pk).save()  # any save bumps the version
        self.member.capital = "Astana, the capital"
        self.member.save()
        response = self.client.get("/members/kazakhstan/", headers={"if-none-match": first["ETag"]})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Astana, the capital")

    def test_gzip_for_clients_that_accept_it_from_the_same_entry(self):
        plain = self.client.get("/events/")
        compressed = self.client.get("/events/", headers={"accept-encoding": "gzip, br"})
        self.assertEqual(compressed["X-Page-Cache"], "hit")
        self.assertEqual(compressed["Content-Encoding"], "gzip")
        self.assertEqual(gzip.decompress(compressed.content), plain.content)
        self.assertLess(len(compressed.content), len(plain.content) / 2)
        self.assertNotEqual(compressed["ETag"], plain["ETag"])
        self.assertIn("Accept-Encoding", plain["Vary"])
        self.assertNotIn("Content-Encoding", plain)
        self.assertEqual(int(plain["Content-Length"]), len(plain.content))

    def test_a_sitemap_section_is_gzipped_once_per_content_version(self):
        events = [make_event(title=f"Meeting {i}") for i in range(10)]
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):  # rendered every time, from kept XML
            first = self.client.get("/sitemap-events.xml", headers={"accept-encoding": "gzip"})
            with mock.patch("cicasite.core.middleware.gzip.compress") as compress:
                second = self.client.get("/sitemap-events.xml", headers={"accept-encoding": "gzip"})
                plain = self.client.get("/sitemap-events.xml")
            compress.assert_not_called()
        self.assertEqual(second["Content-Encoding"], "gzip")
        self.assertEqual(second.content, first.content)
        self.assertEqual(second["ETag"], first["ETag"])
        self.assertEqual(gzip.decompress(second.content), plain.content)
        self.assertEqual(second["ETag"], plain["ETag"][:-1] + '-gzip"')
        self.assertContains(plain, f"/events/{events[-1].slug}/")  # slugs follow the factories' own counter

    def test_html_is_served_without_the_templates_indentation(self):
        content = self.client.get("/events/").content
        self.assertNotIn(b"\n    ", content)
        self.assertContains(self.client.get("/events/"), "Sixth Summit")

    def test_not_found_and_redirects_are_not_stored(self):
        self.client.get("/members/nowhere/")
        self.assertEqual(self.client.get("/members/nowhere/").status_code, 404)
        self.assertNotIn("X-Page-Cache", self.client.get("/members/nowhere/"))
        self.assertNotIn("X-Page-Cache", self.client.get("/members/?q="))  # tidy-address redirect

    def test_health_checks_and_admin_are_never_cached(self):
        for url in ("/healthz", "/readyz", "/admin/login/"):
            with self.subTest(url=url):
                self.client.get(url)
                self.assertNotIn("X-Page-Cache", self.client.get(url))

    def test_nginx_may_keep_a_shareable_page_to_the_end_of_the_second_and_nothing_else(self):
        # deploy/nginx.conf.template stores only answers with a lifetime of their own: these.
        for path in ("/events/", "/events/"):  # a miss, then a hit (and the 304 below)
            before = int(time.time())
            response = self.client.get(path)
            self.assertIn(int(response["X-Accel-Expires"].removeprefix("@")), range(before, int(time.time()) + 1))
        revalidated = self.client.get("/events/", headers={"if-none-match": response["ETag"]})
        self.assertEqual(revalidated.status_code, 304)
        self.assertIn("X-Accel-Expires", revalidated)  # nginx's refresh reads the lifetime from the 304
        self.client.cookies["csrftoken"] = "x" * 32
        self.assertNotIn("X-Accel-Expires", self.client.get("/events/"))
        self.assertNotIn("X-Accel-Expires", self.client.get("/no-such-page/"))
        pagecache.page_cache().clear()
        with override_settings(EDGE_CACHE_SECONDS=0):
            response = self.client_class().get("/events/")
            self.assertNotIn("X-Accel-Expires", response)
            self.assertEqual(response["Cache-Control"], "public, max-age=0")

    def test_visitor_with_a_cookie_is_never_served_from_the_cache(self):
        self.client.get("/events/")
        self.client.cookies["csrftoken"] = "x" * 32
        response = self.client.get("/events/")
        self.assertNotIn("X-Page-Cache", response)

    def test_a_response_that_sets_a_cookie_is_not_stored(self):
        # The admin login form sets the CSRF cookie: never shared, even for a visitor without cookies.
        response = self.client.get("/admin/login/?next=/admin/")
        self.assertIn("csrftoken", response.cookies)
        self.assertNotIn("X-Page-Cache", response)


class StaffAndInvalidationTests(PageCacheTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.staff = get_user_model().objects.create_superuser("editor", "editor@example.org", "a long password 1")

    def test_staff_are_never_served_cached_pages_nor_fill_the_cache(self):
        anonymous = self.client_class()
        anonymous.get("/events/")
        self.client.force_login(self.staff)
        staff_view = self.client.get("/events/")
        self.assertNotIn("X-Page-Cache", staff_view)
        self.assertEqual(anonymous.get("/events/")["X-Page-Cache"], "hit")

    def test_admin_save_invalidates_cached_pages(self):
        anonymous = self.client_class()
        self.assertContains(anonymous.get("/events/"), "Sixth Summit")
        self.assertEqual(anonymous.get("/events/")["X-Page-Cache"], "hit")
        self.client.force_login(self.staff)
        response = self.client.post(
            reverse("admin:events_event_changelist"),
            {"action": "unpublish", "_selected_action": [self.event.pk]},
        )
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Event.objects.get(pk=self.event.pk).publication_status, "draft")
        after = anonymous.get("/events/")
        self.assertEqual(after["X-Page-Cache"], "miss")
        self.assertNotContains(after, "Sixth Summit")
        self.assertEqual(anonymous.get("/events/sixth-summit/").status_code, 404)

    def test_admin_change_form_save_invalidates(self):
        anonymous = self.client_class()
        anonymous.get("/members/kazakhstan/")
        self.client.force_login(self.staff)
        member = Member.objects.get(pk=self.member.pk)
        member.publication_status = PUBLISHED
        member.summary = "Edited in the admin"
        member.save()
        self.assertContains(anonymous.get("/members/kazakhstan/"), "Edited in the admin")


class PageTimeoutTests(TestCase):
    def test_nothing_scheduled_means_the_configured_lifetime(self):
        self.assertIsNone(pagecache.next_publication_change())
        with override_settings(PAGE_CACHE_SECONDS=123):
            self.assertEqual(pagecache.page_timeout(), 123)


class DataCacheTests(PageCacheTestCase):
    """Facet counts, page boundaries and year choices per content version (DATA_CACHE), page cache off.

    With a cookie, as for a member of staff: the results themselves are then rendered on every request
    (an anonymous visitor gets them whole from the cache: ResultsFragmentTests)."""

    def setUp(self):
        super().setUp()
        self.client.cookies["sessionid"] = "none"  # not a session: no one is logged in

    def test_second_render_reads_counts_from_the_cache_and_a_save_refreshes_them(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            first = self.client.get("/events/")
            with CaptureQueriesContext(connection) as ctx:
                second = self.client.get("/events/")
            # page of meetings, prefetch of dimensions, dimension and host choices: no aggregate left
            self.assertEqual(len(ctx), 4)
            self.assertEqual(first.content, second.content)
            self.assertEqual(second.context["result_count"], 1)
            make_event(title="Seventh Summit", host=self.member)
            third = self.client.get("/events/")
            self.assertEqual(third.context["result_count"], 2)
            self.assertContains(third, "Seventh Summit")

    def test_a_sitemap_section_is_kept_per_content_version(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            first = self.client.get("/sitemap-events.xml")
            with CaptureQueriesContext(connection) as ctx:
                second = self.client.get("/sitemap-events.xml")
            self.assertEqual(len(ctx), 0)  # read back whole: no COUNT, no page of records
            self.assertEqual(first.content, second.content)
            self.assertEqual(second["Content-Type"], "application/xml")
            self.assertEqual(second["X-Robots-Tag"], first["X-Robots-Tag"])
            self.assertEqual(second["Last-Modified"], first["Last-Modified"])
            make_event(title="Seventh Summit", slug="seventh-summit")  # a new content version
            self.assertContains(self.client.get("/sitemap-events.xml"), "/events/seventh-summit/")
            self.assertEqual(self.client.get("/sitemap-events.xml", {"p": "9"}).status_code, 404)
            self.assertEqual(self.client.get("/sitemap-nothing.xml").status_code, 404)

    def test_deep_pages_from_cached_chunks_of_page_keys(self):
        for i in range(60):
            make_event(title=f"Meeting {i % 7}", start_date=date(2000 + i % 5, 1, 1))
        expected = list(Event.objects.published().order_by("-start_date", "title", "pk").values_list("pk", flat=True))
        self.addCleanup(setattr, SeekPaginator, "CHUNK", SeekPaginator.CHUNK)
        SeekPaginator.CHUNK = 2  # pages 1-2 in one chunk, page 3 in the next
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            for _ in range(2):  # computed, then read from the cache
                seen = []
                for number in (1, 2, 3):
                    response = self.client.get("/events/", {"page": number})
                    seen += [event.pk for event in response.context["object_list"]]
                    self.assertEqual(response.context["paginator"].count, 61)
                self.assertEqual(seen, expected)


class ResultsFragmentTests(PageCacheTestCase):
    """The results of a list page, kept per content version for anonymous visitors (DATA_CACHE, page
    cache off): cicasite.core.views.FilteredListView.results_fragment."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.draft = make_member(name="Atlantis", slug="atlantis", publication_status="draft")

    def test_the_second_anonymous_render_reads_the_results_and_an_edit_shows_at_once(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            for path in ("/members/", "/events/", "/initiatives/", "/initiatives/?proposed_by=commentary"):
                with self.subTest(path=path):
                    first = self.client.get(path)
                    with CaptureQueriesContext(connection) as ctx:
                        second = self.client.get(path)
                    self.assertEqual(len(ctx), 0)  # no filters, counts, page or records looked up
                    self.assertEqual(first.content, second.content)
                    self.assertContains(second, "<h1", count=1)
            self.assertContains(self.client.get("/initiatives/?proposed_by=commentary"), "<title>Ideas from public")
            make_member(name="Lakeland", slug="lakeland")
            self.assertContains(self.client.get("/members/"), "Lakeland")
            Member.objects.filter(slug="lakeland").update(name_en="Hillland")  # a bulk update bumps it too
            pagecache.bump_content_version()  # (as the admin's bulk actions do: update() sends no signal)
            self.assertContains(self.client.get("/members/"), "Hillland")

    def test_the_same_page_as_rendered_without_the_cache(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=False):
            plain = self.client.get("/ru/events/", {"dimension": "economic"}).content
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.client.get("/ru/events/", {"dimension": "economic"})
            cached = self.client.get("/ru/events/", {"dimension": "economic"}).content
        self.assertEqual(plain, cached)

    def test_never_mixes_languages_staff_or_drafts(self):
        staff = get_user_model().objects.create_superuser("admin", "a@example.org", "a-long-password-123")
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            english = self.client.get("/members/")
            russian = self.client.get("/ru/members/")
            self.assertContains(russian, 'lang="ru"')
            self.assertNotEqual(english.content, russian.content)
            self.assertContains(self.client.get("/members/"), "Members and observers")
            self.assertContains(self.client.get("/ru/members/"), "Государства-члены и наблюдатели</h1>")
            self.client.force_login(staff)
            with CaptureQueriesContext(connection) as ctx:
                self.client.get("/members/")
            self.assertGreater(len(ctx), 3)  # staff: rendered afresh, never from or into the anonymous copy
            self.client.logout()
            self.client.cookies.clear()
            self.assertNotContains(self.client.get("/members/"), "Atlantis")

    def test_an_invalid_page_is_a_404_and_is_not_kept(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.assertEqual(self.client.get("/events/", {"page": "999"}).status_code, 404)
            self.assertEqual(self.client.get("/events/", {"page": "999"}).status_code, 404)


class ScheduledExpiryTests(TestCase):
    def test_a_cached_page_never_outlives_the_next_scheduled_publication(self):
        from datetime import timedelta

        from django.utils import timezone

        from tests.factories import make_member

        soon = timezone.now() + timedelta(seconds=90)
        make_member(slug="scheduled", publish_at=soon)
        self.assertEqual(pagecache.next_publication_change(), soon)
        with override_settings(PAGE_CACHE_SECONDS=3600):
            self.assertLessEqual(pagecache.page_timeout(), 90)
            self.assertGreater(pagecache.page_timeout(), 80)


class SitemapIndexDataCacheTests(PageCacheTestCase):
    def test_the_index_counts_once_per_content_version(self):
        from tests.factories import make_event

        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            first = self.client.get("/sitemap.xml")
            with CaptureQueriesContext(connection) as ctx:
                second = self.client.get("/sitemap.xml")
            self.assertEqual(len(ctx), 0)  # every section's page count comes from the data cache
            self.assertEqual(first.content, second.content)
            from events.sitemaps import EventSitemap

            EventSitemap.limit = 1
            try:
                make_event(slug="another-meeting")  # a save: new content version, counted again
                third = self.client.get("/sitemap.xml").content.decode()
            finally:
                del EventSitemap.limit
            self.assertIn("sitemap-events.xml?p=2", third)


class DataPerTableTests(PageCacheTestCase):
    """Data entries are kept until a table they read changes (cicasite.core.pagecache): a member's edit
    leaves the meetings' aggregates alone; pages are all stale at once as before."""

    def setUp(self):
        super().setUp()
        self.computed = []

    def events_count(self):
        def compute():
            self.computed.append("events")
            return Event.objects.count()

        return pagecache.cached_data("test-events", "", compute)

    def members_and_events(self):
        def compute():
            self.computed.append("both")
            return (self.events_count(), Member.objects.count())

        return pagecache.cached_data("test-both", "", compute)

    def test_an_entry_is_computed_again_only_when_a_table_it_read_changes(self):
        with override_settings(DATA_CACHE=True):
            self.assertEqual(self.events_count(), 1)
            self.assertEqual(self.events_count(), 1)
            self.assertEqual(self.computed, ["events"])
            self.member.capital_en = "Astana (edited)"
            self.member.save()  # another table: kept
            self.assertEqual(self.events_count(), 1)
            self.assertEqual(self.computed, ["events"])
            make_event(title="Seventh Summit")  # its own table: computed again
            self.assertEqual(self.events_count(), 2)
            self.assertEqual(self.computed, ["events", "events"])
            self.event.dimensions.clear()  # a table it did not read (events_event_dimensions): kept
            self.assertEqual(self.computed, ["events", "events"])

    def test_an_entry_built_on_another_depends_on_what_that_one_read(self):
        with override_settings(DATA_CACHE=True):
            self.events_count()  # kept first: "both" then reads it from the cache, with no query on events
            self.assertEqual(self.members_and_events(), (1, 1))
            self.computed.clear()
            make_event(title="Seventh Summit")
            self.assertEqual(self.members_and_events(), (2, 1))
            self.assertEqual(self.computed, ["both", "events"])

    def test_a_delete_or_a_write_without_signals_makes_every_entry_stale(self):
        with override_settings(DATA_CACHE=True):
            self.events_count()
            make_member(name="Lakeland", slug="lakeland").delete()  # SET_NULL elsewhere sends no signal
            self.events_count()
            pagecache.bump_content_version()  # what bulk actions and scheduled publication call
            self.events_count()
            self.assertEqual(self.computed, ["events"] * 3)

    def test_kept_values_are_bumped_again_at_the_commit(self):
        """post_save comes before the commit: a request in another worker may meanwhile read the old
        rows and keep them under the new version; the commit makes them stale again."""
        with override_settings(DATA_CACHE=True):
            with self.captureOnCommitCallbacks(execute=True) as callbacks:
                make_event(title="Seventh Summit")
                # what another worker, which cannot see the new row yet, would keep
                pagecache.cached_data("test-events", "", lambda: Event.objects.filter(title="Sixth Summit").count())
                self.assertEqual(self.events_count(), 1)  # still the old count, until the commit
            self.assertTrue(callbacks)
            self.assertEqual(self.events_count(), 2)

    def test_a_members_edit_leaves_the_meetings_lists_aggregates_in_the_cache(self):
        self.client.cookies["sessionid"] = "none"  # results rendered on each request, as for staff
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.client.get("/events/")
            self.member.capital_en = "Astana (edited)"
            self.member.save()
            with CaptureQueriesContext(connection) as ctx:
                response = self.client.get("/events/", {"page": 1})
            tables = " ".join(query["sql"] for query in ctx)
            self.assertNotIn("GROUP BY", tables)  # facet counts
            self.assertNotIn("OVER ()", tables)  # total and page boundaries
            self.assertNotIn("django_date_trunc", tables)  # year choices
            self.assertContains(response, '<option value="kazakhstan">Kazakhstan (1)</option>', html=True)
            self.member.slug = "kazakhstan-2"  # a member's slug: the host counts follow it
            self.member.save()
            response = self.client.get("/events/")
            self.assertContains(response, '<option value="kazakhstan-2">Kazakhstan (1)</option>', html=True)


class ContentFragmentTests(PageCacheTestCase):
    """The main content of the home page, a member's and a meeting's page, kept for visitors without
    cookies ({% cachedcontent %}, cicasite.core.views.content_fragments), page cache off."""

    def setUp(self):
        super().setUp()
        from tests.factories import make_initiative

        self.initiative = make_initiative(title="Water Dialogue", slug="water-dialogue")
        self.initiative.events.add(self.event)

    def render_twice(self, path):
        first = self.client.get(path)
        with CaptureQueriesContext(connection) as ctx:
            second = self.client.get(path)
        return first, second, len(ctx)

    def test_a_kept_content_is_the_page_as_rendered_without_it(self):
        for path in ("/", "/ru/", "/members/kazakhstan/", "/ru/members/kazakhstan/", "/events/sixth-summit/"):
            with self.subTest(path=path):
                with override_settings(PAGE_CACHE=False, DATA_CACHE=False):
                    plain = self.client.get(path)
                with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
                    first, second, queries = self.render_twice(path)
                self.assertEqual(plain.status_code, 200)
                self.assertEqual(first.content, plain.content)
                self.assertEqual(second.content, plain.content)
                # the record itself (and a meeting's documents, for the JSON-LD); the home page's emblem data
                self.assertLessEqual(queries, 2, path)

    def test_an_edit_of_what_the_content_shows_is_seen_at_once(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.render_twice("/members/kazakhstan/")
            self.render_twice("/events/sixth-summit/")
            self.member.capital_en = "Astana (edited)"  # read by the view before the content: still counted
            self.member.save()
            self.assertContains(self.client.get("/members/kazakhstan/"), "Astana (edited)")
            self.event.title_en = "Sixth Summit (edited)"  # in the member's list of hosted meetings
            self.event.save()
            self.assertContains(self.client.get("/members/kazakhstan/"), "Sixth Summit (edited)")
            self.initiative.title_en = "Water Dialogue (edited)"  # read by the meeting's content only
            self.initiative.save()
            self.assertContains(self.client.get("/events/sixth-summit/"), "Water Dialogue (edited)")

    def test_an_edit_elsewhere_leaves_it_kept(self):
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.render_twice("/events/sixth-summit/")
            from cicasite.core.models import Partner

            Partner.objects.create(name="United Nations")  # a table this page does not read (the about page's)
            with CaptureQueriesContext(connection) as ctx:
                self.client.get("/events/sixth-summit/")
            self.assertEqual(len(ctx), 2)  # the meeting with its host, its documents: no content query

    def test_staff_and_drafts_never_share_it(self):
        staff = get_user_model().objects.create_superuser("admin", "a@example.org", "a-long-password-123")
        draft = make_member(name="Atlantis", slug="atlantis", publication_status="draft")
        with override_settings(PAGE_CACHE=False, DATA_CACHE=True):
            self.render_twice("/members/kazakhstan/")
            self.client.force_login(staff)
            with CaptureQueriesContext(connection) as ctx:
                self.assertContains(self.client.get("/members/kazakhstan/"), "Kazakhstan")
            self.assertGreater(len(ctx), 3)  # rendered afresh, with the roles, lists and sources
            self.assertContains(self.client.get(draft.get_absolute_url()), "Atlantis")  # staff preview
            self.client.logout()
            self.client.cookies.clear()
            self.assertEqual(self.client.get(draft.get_absolute_url()).status_code, 404)
