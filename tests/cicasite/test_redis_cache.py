"""cicasite.core.redis_cache against the machine's Redis (TEST_REDIS_URL, a key prefix per run: tests/services.py)."""

import secrets

from django.test import SimpleTestCase

from cicasite.core.redis_cache import ReusingRedisCache
from tests.services import REDIS_URL, requires_redis


@requires_redis
class ReusingRedisCacheTests(SimpleTestCase):
    def setUp(self):
        self.cache = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": f"test-{secrets.token_hex(6)}"})
        self.addCleanup(self.cache.delete_many, ["version", "page"])

    def test_behaves_as_django_redis_cache(self):
        self.assertTrue(self.cache.add("version", 1))
        self.assertFalse(self.cache.add("version", 2))
        self.cache.set("page", ({"Content-Type": "text/html"}, b"<p>hi</p>"), 30)
        self.assertEqual(
            self.cache.get_many(["version", "page", "missing"]),
            {"version": 1, "page": ({"Content-Type": "text/html"}, b"<p>hi</p>")},
        )
        self.cache.delete("page")
        self.assertIsNone(self.cache.get("page"))

    def test_one_client_per_pool_is_reused(self):
        client = self.cache._cache.get_client()
        self.assertIs(self.cache._cache.get_client(write=True), client)
        self.cache.set("version", 3)
        self.assertIs(self.cache._cache.get_client(), client)
