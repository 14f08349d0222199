"""Django's Redis cache backend, reusing one redis.Redis client per connection pool.

Django's RedisCacheClient.get_client() builds a new redis.Redis for every operation; its constructor
fills a table of about 170 response callbacks, ~150 µs of CPU, which was most of what a page-cache hit
cost beyond the trivial /healthz view (profiled in-process: 274 µs per hit against 100 µs). A
redis.Redis is thread-safe and holds no connection of its own (the pool does), so one per pool is
enough; pools are made lazily in each gunicorn worker, after the fork.

Django offers no public hook for this: _class, _get_connection_pool() and _client are private,
and tests/test_private_apis.py fails if they change.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ReusingRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient
