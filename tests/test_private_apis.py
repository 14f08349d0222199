"""Private APIs of the libraries we keep, each used where no public one does the job.

Each test fails when the private name, its signature or the behaviour our code relies on
changes, so an upgrade shows at once what to look at; the use site has a comment pointing here.

Public, so not here: reversion's Revision.revert(delete=...) (documented in its API reference),
Django's Model._default_manager / _base_manager and Sitemap.get_languages_for_item().
"""

import inspect
import itertools

import redis
from django.conf import settings
from django.contrib import admin
from django.contrib.sitemaps import Sitemap
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from django.test import SimpleTestCase, TestCase
from django.utils import translation
from reversion.revisions import _get_options

from cicasite.core.opendata import Translated
from cicasite.core.redis_cache import ReusingRedisCache, ReusingRedisCacheClient
from cicasite.core.sitemaps import LanguagePairs
from cicasite.sitemaps import PagesSitemap
from events.models import Document, Event
from initiatives.models import Initiative
from members.models import Dimension, Member
from members.sitemaps import MemberSitemap
from tests.factories import make_member

# A URL only: building the cache, its client and its pools opens no connection.
NO_SERVER = "redis://127.0.0.1:1/0"


class ReversionOptionsTests(SimpleTestCase):
    """cicasite.core.review reads which relations a record's revisions follow (its inline children)
    from reversion.revisions._get_options(model).follow; reversion offers no public reader."""

    def test_get_options_takes_a_model(self):
        self.assertEqual(list(inspect.signature(_get_options).parameters), ["model"])

    def test_follow_names_the_reverse_relations_the_admin_edits_inline(self):
        followed = {Member: ("roles",), Event: ("documents",), Dimension: ("areas",)}
        for model, names in followed.items():
            with self.subTest(model=model._meta.label):
                self.assertEqual(tuple(_get_options(model).follow), names)
                inlines = {inline.model for inline in admin.site.get_model_admin(model).inlines}
                for name in names:
                    relation = model._meta.get_field(name)
                    # review.children() calls getattr(root, name).all(); review.child_links() reads
                    # relation.field.attname: a reverse foreign key to an inline's model.
                    self.assertTrue(relation.one_to_many)
                    self.assertIn(relation.related_model, inlines)
                    self.assertTrue(relation.field.attname.endswith("_id"))


class SitemapItemsTests(TestCase):
    """cicasite.core.sitemaps.SiteUrlSitemap overrides Sitemap._items(), which Django's paginator (and so
    the sitemap views and get_urls) reads, to page (item, language) pairs in the database."""

    def test_paginator_pages_what_items_returns(self):
        sitemap = MemberSitemap()
        self.assertIsInstance(sitemap._items(), LanguagePairs)
        self.assertIsInstance(sitemap.paginator.object_list, LanguagePairs)
        self.assertEqual(list(inspect.signature(Sitemap._items).parameters), ["self"])

    def test_pairs_are_the_ones_django_builds(self):
        make_member(slug="alpha", name="Alpha")
        make_member(slug="beta", name="Beta")
        for sitemap in (PagesSitemap(), MemberSitemap()):
            with self.subTest(sitemap=type(sitemap).__name__):
                django_pairs = Sitemap._items(sitemap)  # Django's own i18n pairs, built in memory
                ours = sitemap._items()
                self.assertTrue(django_pairs)
                self.assertEqual(len(ours), len(django_pairs))
                self.assertEqual(ours[0 : len(ours)], django_pairs)
                self.assertEqual({language for _, language in django_pairs}, {code for code, _ in settings.LANGUAGES})

    def test_urls_take_the_pairs(self):
        make_member(slug="alpha", name="Alpha")
        urls = MemberSitemap().get_urls()
        self.assertEqual([url["item"][1] for url in urls], [code for code, _ in settings.LANGUAGES])
        self.assertEqual(len(urls[0]["alternates"]), len(settings.LANGUAGES) + 1)  # and x-default


class RedisCacheClientTests(SimpleTestCase):
    """cicasite.core.redis_cache keeps one redis.Redis per connection pool, through Django's private
    RedisCache._class, RedisCacheClient._get_connection_pool() and RedisCacheClient._client."""

    def test_the_cache_builds_its_client_from_class(self):
        cache = ReusingRedisCache(NO_SERVER, {})
        self.assertIsInstance(cache._cache, ReusingRedisCacheClient)

    def test_signatures(self):
        self.assertEqual(str(inspect.signature(RedisCacheClient.get_client)), "(self, key=None, *, write=False)")
        self.assertEqual(list(inspect.signature(RedisCacheClient._get_connection_pool).parameters), ["self", "write"])

    def test_pools_are_kept_and_clients_made_from_client(self):
        client = ReusingRedisCache(NO_SERVER, {})._cache
        pool = client._get_connection_pool(False)
        self.assertIsInstance(pool, redis.ConnectionPool)
        self.assertIs(client._get_connection_pool(True), pool)  # one server: reads and writes share it
        self.assertIs(client._client, redis.Redis)
        self.assertIs(client.get_client().connection_pool, pool)

    def test_every_operation_asks_get_client(self):
        for name in ("add", "get", "set", "touch", "delete", "get_many", "has_key", "incr", "set_many", "delete_many"):
            with self.subTest(operation=name):
                self.assertIn("self.get_client(", inspect.getsource(getattr(RedisCacheClient, name)))

    def test_django_still_makes_a_client_per_operation(self):
        """When this fails, Django reuses its clients itself: ReusingRedisCache can go."""
        client = RedisCache(NO_SERVER, {})._cache
        self.assertIsNot(client.get_client(), client.get_client())


class TranslatedFallbackTests(SimpleTestCase):
    """cicasite.core.opendata.Translated reads modeltranslation's TranslationFieldDescriptor attributes
    (fallback_languages, fallback_undefined, fallback_value, field) and NONE, and does what its __get__
    does once per download rather than per value: it must give what the descriptor gives on an instance."""

    FIELDS = [
        (Event, "title"),
        (Event, "city"),
        (Event, "summary"),
        (Event, "notes"),
        (Member, "name"),
        (Document, "title"),  # empty_values: a missing title is None, not ""
        (Initiative, "title"),
    ]
    VALUES = [None, "", "text"]

    def test_gives_what_the_descriptor_gives_on_an_instance(self):
        for model, field in self.FIELDS:
            codes = [code for code, _name in settings.LANGUAGES]
            for language in codes:
                for values in itertools.product(self.VALUES, repeat=len(codes)):
                    row = {f"{field}_{code}": value for code, value in zip(codes, values, strict=True)}
                    record = model()
                    for column, value in row.items():
                        setattr(record, column, value)
                    with self.subTest(model=model.__name__, field=field, language=language, row=row):
                        with translation.override(language):
                            self.assertEqual(Translated(model, field)(row), getattr(record, field))
