"""Services some tests need beyond the database: skipped with the reason when absent, failed in CI.

Redis: TEST_REDIS_URL (default redis://127.0.0.1:6379/15; each test uses a key prefix of its own).
Where no Redis answers there, the tests marked @requires_redis are skipped and pytest says why;
with REQUIRE_REDIS=1 (.ci/run sets it) they fail instead, so a full run never skips them silently.
nginx: Debian's package (/usr/sbin/nginx); the edge tests marked @requires_nginx skip without it, and
fail instead under REQUIRE_NGINX=1 (.ci/run installs nginx and sets it).
PostgreSQL-only tests skip on SQLite by themselves (tests/cicasite/test_search.py), saying so.
"""

import functools
import os
import unittest

import redis

from bench.servers import NGINX, nginx_installed

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@functools.cache
def redis_answers(url=REDIS_URL):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError:
        return False


def requires_redis(test_class):
    """Class decorator: run when Redis answers at REDIS_URL; else skip, or fail under REQUIRE_REDIS=1."""
    if redis_answers():
        return test_class
    if os.environ.get("REQUIRE_REDIS"):

        def fail(cls):
            raise RuntimeError(f"REQUIRE_REDIS is set but no Redis answers at {REDIS_URL}: start redis-server.")

        test_class.setUpClass = classmethod(fail)
        return test_class
    return unittest.skip(
        f"needs Redis: none answers at {REDIS_URL} (start redis-server, or set TEST_REDIS_URL; "
        "REQUIRE_REDIS=1 makes this a failure)"
    )(test_class)


def requires_nginx(test_class):
    """Class decorator: run when nginx is installed; else skip, or fail under REQUIRE_NGINX=1."""
    if nginx_installed():
        return test_class
    if os.environ.get("REQUIRE_NGINX"):

        def fail(cls):
            raise RuntimeError(f"REQUIRE_NGINX is set but {NGINX} is missing: apt-get install nginx.")

        test_class.setUpClass = classmethod(fail)
        return test_class
    return unittest.skip(
        f"needs nginx: {NGINX} not found (apt-get install nginx; REQUIRE_NGINX=1 makes this a failure)"
    )(test_class)
