"""The production configuration, run for real: settings checks in a subprocess, and
gunicorn serving the site with DJANGO_DEBUG off, whitenoise static files and
collected, hashed assets. Requests go to 127.0.0.1 only."""

import os
import re
import tempfile
import time
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.test import SimpleTestCase

from bench import page_weight, servers
from bench.servers import free_port
from tests.services import REDIS_URL, requires_redis


def production_env(**overrides):
    return servers.production_env(SITE_URL="https://cica.example", **overrides)


def manage(*args, env):
    return servers.manage(*args, env=env, timeout=120)


def prepare(env):
    """Migrate, load the CICA content and collect static files in one process (one Django start, not three)."""
    script = (
        "from django.core.management import call_command as run; "
        "run('migrate', '--noinput', verbosity=0); run('load_cica', verbosity=0); "
        "run('collectstatic', '--noinput', verbosity=0)"
    )
    result = manage("shell", "-c", script, env=env)
    assert result.returncode == 0, result.stderr


def throwaway_database(name, tmp):
    """A database of its own for a live stack: on PostgreSQL (when the suite runs on it) <name>_<pid>,
    created afresh; else an SQLite file in tmp. Returns its PostgreSQL name (None for SQLite) and its URL."""
    if connection.vendor != "postgresql":
        return None, f"sqlite:///{tmp / 'db.sqlite3'}"
    dbname = f"{name}_{os.getpid()}"
    admin_db(f"DROP DATABASE IF EXISTS {dbname}", f"CREATE DATABASE {dbname}")
    db = settings.DATABASES["default"]
    return dbname, f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{dbname}"


def drop_database(dbname):
    """Drop what throwaway_database() made (nothing for SQLite: its file goes with tmp)."""
    if dbname:
        admin_db(f"DROP DATABASE IF EXISTS {dbname} WITH (FORCE)")


def admin_db(*statements):
    with connection._nodb_cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def live_server(env):
    """gunicorn on a free loopback port with the given environment, one worker."""
    return servers.Gunicorn(env, "cicasite.wsgi", "--workers", "1", "--timeout", "20")


class ProductionSettingsTests(SimpleTestCase):
    def test_check_deploy_is_clean(self):
        result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
        self.assertEqual(result.returncode, 0, result.stdout + result.stderr)
        self.assertIn("no issues (1 silenced)", result.stdout)  # security.W021: HSTS preload, see settings

    def test_refuses_to_start_without_a_secret_key(self):
        env = production_env()
        del env["SECRET_KEY"]
        result = manage("check", env=env)
        self.assertNotEqual(result.returncode, 0)
        self.assertIn("Set SECRET_KEY", result.stderr)

    def test_refuses_a_weak_secret_key(self):
        for weak in ("short", "django-insecure-" + "x" * 60, "a" * 80):
            with self.subTest(weak=weak[:20]):
                result = manage("check", env=production_env(SECRET_KEY=weak))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("too weak", result.stderr)

    def test_refuses_to_start_without_allowed_hosts(self):
        for hosts in ("", "*"):
            with self.subTest(hosts=hosts):
                result = manage("check", env=production_env(ALLOWED_HOSTS=hosts))
                self.assertNotEqual(result.returncode, 0)
                self.assertIn("ALLOWED_HOSTS", result.stderr)

    def test_media_on_object_storage_is_allowed_by_the_csp(self):
        env = production_env(MEDIA_STORAGE="s3", S3_BUCKET="cica-media", MEDIA_ORIGIN="https://media.cica.example")
        result = manage(
            "shell", "-c", "from django.conf import settings; print(settings.SECURE_CSP['img-src'])", env=env
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIn("https://media.cica.example", result.stdout)
        # A private bucket behind /media/ (cicasite.core.storage): the app checks, then redirects to a signed URL.
        script = "from django.conf import settings; print(settings.STORAGES['default']['BACKEND'])"
        result = manage("shell", "-c", script, env=env)
        self.assertEqual(result.stdout.strip().splitlines()[-1], "cicasite.core.storage.MediaS3Storage")

    def test_no_debug_tools_installed(self):
        for app in ("debug_toolbar", "django.contrib.admindocs", "silk"):
            self.assertNotIn(app, settings.INSTALLED_APPS)


class LiveProductionTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="cica-prod-")
        tmp = Path(cls.tmp.name)
        cls.env = production_env(
            DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
        )
        prepare(cls.env)
        (tmp / "media").mkdir(exist_ok=True)
        (tmp / "media" / "flag.png").write_bytes(b"\x89PNG\r\n\x1a\nnot really")
        (tmp / "media" / "evil.html").write_text("<script>alert(1)</script>")
        cls.server = live_server(cls.env)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.tmp.cleanup()
        super().tearDownClass()

    def assert_security_headers(self, response):
        self.assertEqual(response.getheader("Strict-Transport-Security"), "max-age=31536000; includeSubDomains")
        self.assertEqual(response.getheader("X-Content-Type-Options"), "nosniff")
        self.assertEqual(response.getheader("Referrer-Policy"), "same-origin")
        self.assertEqual(response.getheader("Cross-Origin-Opener-Policy"), "same-origin")
        self.assertEqual(response.getheader("Cross-Origin-Resource-Policy"), "same-origin")

    def test_public_pages_carry_every_header_and_no_cookie(self):
        for path in ("/", "/members/?dimension=economic", "/members/kazakhstan/", "/events/", "/about/"):
            with self.subTest(path=path):
                response, body = self.server.request(path)
                self.assertEqual(response.status, 200)
                self.assert_security_headers(response)
                self.assertIn("default-src 'none'", response.getheader("Content-Security-Policy"))
                self.assertEqual(response.getheader("X-Frame-Options"), "DENY")
                self.assertIsNone(response.getheader("Set-Cookie"))
                self.assertIn(b'href="https://cica.example/', body)  # canonical URL from SITE_URL

    def test_http_redirects_to_https_on_the_same_host(self):
        response, _ = self.server.request("/members/", https=False)
        self.assertEqual(response.status, 301)
        self.assertEqual(response.getheader("Location"), "https://127.0.0.1/members/")

    def test_health_endpoints_answer_over_plain_http(self):
        for path, text in (("/healthz", b"ok\n"), ("/readyz", b"ready\n")):
            with self.subTest(path=path):
                response, body = self.server.request(path, https=False)
                self.assertEqual((response.status, body), (200, text))

    def test_static_files_are_hashed_compressed_long_lived_and_secured(self):
        _, page = self.server.request("/members/")
        css = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1).decode()
        response, body = self.server.request(css, headers={"Accept-Encoding": "gzip"})
        self.assertEqual(response.status, 200)
        self.assertEqual(response.getheader("Content-Encoding"), "gzip")
        self.assertIn("immutable", response.getheader("Cache-Control"))
        self.assertIn("max-age=315360000", response.getheader("Cache-Control"))
        self.assert_security_headers(response)

    def stylesheet(self, path):
        """The one stylesheet the page at path links: (its name, its text as served)."""
        _, page = self.server.request(path)
        sheets = re.findall(rb'<link rel="stylesheet" href="(/static/css/(\w+)\.[0-9a-f]{12}\.css)"', page)
        self.assertEqual(len(sheets), 1, f"{path} links {sheets}")  # issue 5: no other render-blocking resource
        response, css = self.server.request(sheets[0][0].decode())
        self.assertEqual(response.status, 200)
        return sheets[0][1].decode(), css.decode()

    def test_each_page_loads_one_minified_stylesheet_with_the_parts_it_needs_and_no_others(self):
        base = [".site-header", ".skip-link", ".card", ".badge"]
        cases = {
            "/": ("home", [".hero", ".key-figures", ".members-map", ".event-line"], [".filter-form", ".timeline"]),
            "/members/": ("site", [".filter-form", ".chip", ".pagination__list", ".members-map"], [".hero"]),
            "/members/kazakhstan/": ("site", [".layout-detail", ".facts"], [".matrix", ".timeline", ".search-hit"]),
            "/dimensions/": ("matrix", [".matrix__table", ".filter-form", ".table-wrap"], [".members-map", ".hero"]),
            "/timeline/": ("timeline", [".timeline-nav"], [".filter-form", ".members-map", ".matrix", ".table-wrap"]),
            "/search/?q=summit": ("search", [".search-hit", ".site-search"], [".filter-form", ".members-map"]),
            "/documents/": ("documents", [".document-card", ".filter-form", ".pagination__list"], [".members-map"]),
            "/about/": ("about", [".toc", ".table-wrap"], [".filter-form", ".members-map", ".hero"]),
            "/ru/data/": ("about", [".toc", ".table-wrap"], [".filter-form", ".members-map"]),
        }
        sources = sum(path.stat().st_size for path in (settings.BASE_DIR / "static" / "css").glob("*.css"))
        for path, (name, present, absent) in cases.items():
            with self.subTest(path=path):
                sheet, css = self.stylesheet(path)
                self.assertEqual(sheet, name)
                # Imports inlined (one request), comments and indentation gone (cicasite.core.staticfiles).
                self.assertNotIn("@import", css)
                self.assertNotIn("/*", css)
                self.assertNotIn("\n  ", css)
                self.assertLess(len(css), sources / 2)
                for selector in base + present:
                    self.assertRegex(css, re.escape(selector) + r"[\w-]*[ ,{:.\[>]")
                for selector in absent:
                    self.assertNotIn(selector, css)

    def test_every_kind_of_page_with_its_stylesheet_is_within_the_budget_in_both_languages(self):
        # Issue 5: HTML + CSS under 60 KB as sent. Identity here (gzip is about a fifth); bench/page_weight.py
        # prints the figures, bench/bench.py weighs the key pages again at 1k and 100k meetings.
        for path in [language + path for language in ("", "/ru") for path in page_weight.PAGES]:
            with self.subTest(path=path):
                response, page = self.server.request(path)
                self.assertEqual(response.status, 200)
                _, css = self.stylesheet(path)
                self.assertLess(len(page) + len(css.encode()), 60 * 1024)

    def test_errors_reveal_nothing(self):
        response, body = self.server.request("/no-such-page/")
        self.assertEqual(response.status, 404)
        for secret in (b"Traceback", b"URLconf", b"SECRET", b"settings"):
            self.assertNotIn(secret, body)

    def test_foreign_host_header_is_refused(self):
        response, _ = self.server.request("/", headers={"Host": "evil.example"})
        self.assertEqual(response.status, 400)

    def test_private_files_are_not_reachable(self):
        for path in (
            "/.git/HEAD",
            "/.env",
            "/static/../manage.py",
            "/static/%2e%2e/manage.py",
            "/media/",
            "/static/",
            "/media/../db.sqlite3",
            "/media/%2e%2e/db.sqlite3",
            "/__debug__/",
        ):
            with self.subTest(path=path):
                self.assertEqual(self.server.request(path)[0].status, 404)

    def test_odd_methods_are_refused(self):
        # TRACE: 405 from the view. PUT and DELETE: refused by CSRF protection (403) before any view runs.
        for path in ("/", "/members/", "/members/kazakhstan/", "/dimensions/economic/"):
            for method, status in (("TRACE", 405), ("PUT", 403), ("DELETE", 403)):
                with self.subTest(path=path, method=method):
                    self.assertEqual(self.server.request(path, method=method)[0].status, status)

    def test_media_no_record_owns_is_never_served(self):
        # Files put into MEDIA_ROOT by hand belong to no public record: 404, a page least of all.
        # How files of records are served: tests/cicasite/test_media_access.py.
        for path in ("/media/flag.png", "/media/evil.html"):
            with self.subTest(path=path):
                response, body = self.server.request(path)
                self.assertEqual(response.status, 404)
                self.assertNotIn(b"<script>", body)


class DatabaseDownTests(SimpleTestCase):
    def test_pages_answer_503_quickly_when_the_database_is_down(self):
        closed_port = free_port()  # nothing listens there
        static = tempfile.TemporaryDirectory(prefix="cica-static-")
        env = production_env(DATABASE_URL=f"postgres://postgres@127.0.0.1:{closed_port}/cica", STATIC_ROOT=static.name)
        self.assertEqual(manage("collectstatic", "--noinput", env=env).returncode, 0)  # needs no database
        server = live_server(env)
        self.addCleanup(static.cleanup)
        try:
            started = time.monotonic()
            response, body = server.request("/members/")
            elapsed = time.monotonic() - started
            self.assertEqual(response.status, 503)
            self.assertEqual(response.getheader("Retry-After"), "30")
            self.assertIn(b"temporarily unavailable", body)
            self.assertLess(elapsed, 5)
            self.assertEqual(server.request("/healthz", https=False)[0].status, 200)
            self.assertEqual(server.request("/readyz", https=False)[0].status, 503)
            # The 404 page needs no database either.
            response, body = server.request("/no-such-page/")
            self.assertEqual(response.status, 404)
            self.assertIn(b"<h1", body)
        finally:
            server.stop()


class Browser:
    """A minimal cookie-keeping client for one live server (admin login, forms)."""

    def __init__(self, server):
        self.server = server
        self.cookies = {}

    def use(self, server):
        self.server = server
        return self

    def request(self, path, method="GET", form=None):
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()), "Origin": "https://127.0.0.1"}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        response, content = self.server.request(path, method, headers=headers, body=body)
        content = content.decode()
        for header in response.headers.get_all("Set-Cookie") or []:
            cookie = SimpleCookie(header)
            self.cookies.update({key: morsel.value for key, morsel in cookie.items()})
        return response, content

    def csrf(self, html):
        return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1)


@requires_redis
class ScaleOutTests(SimpleTestCase):
    """Two gunicorn instances share only the database and Redis: any instance serves any request."""

    databases = {"default"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="cica-scale-")
        tmp = Path(cls.tmp.name)
        cls.dbname, database_url = throwaway_database("cica_scale", tmp)
        cls.env = production_env(
            DATABASE_URL=database_url,
            CACHE_URL=REDIS_URL,
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
        )
        prepare(cls.env)
        result = manage(
            "shell",
            "-c",
            "from django.contrib.auth import get_user_model; "
            "get_user_model().objects.create_superuser('editor', 'e@example.org', 'a-long-password-123')",
            env=cls.env,
        )
        assert result.returncode == 0, result.stderr
        cls.a, cls.b = live_server(cls.env), live_server(cls.env)

    @classmethod
    def tearDownClass(cls):
        cls.a.stop()
        cls.b.stop()
        drop_database(cls.dbname)
        cls.tmp.cleanup()
        super().tearDownClass()

    def test_both_instances_are_ready_with_the_shared_cache(self):
        for server in (self.a, self.b):
            self.assertEqual(server.request("/readyz", https=False)[1], b"ready\n")

    def test_login_on_one_instance_and_edit_on_the_other(self):
        browser = Browser(self.a)
        _, page = browser.request("/admin/login/")
        response, _ = browser.request(
            "/admin/login/",
            "POST",
            {
                "csrfmiddlewaretoken": browser.csrf(page),
                "username": "editor",
                "password": "a-long-password-123",
                "next": "/admin/",
            },
        )
        self.assertEqual(response.status, 302)
        # The session made on A is valid on B: nothing lives in one process.
        response, page = browser.use(self.b).request("/admin/cicasite/partner/")
        self.assertEqual(response.status, 200)
        change_url = re.search(r'href="(/admin/cicasite/partner/\d+/change/)"', page).group(1)
        _, form_page = browser.request(change_url)
        response, _ = browser.request(
            change_url,
            "POST",
            {
                "csrfmiddlewaretoken": browser.csrf(form_page),
                "edit_token": re.search(r'name="edit_token" value="([^"]+)"', form_page).group(1),
                "name_en": "Edited through instance B",
                "position": "1",
            },
        )
        self.assertEqual(response.status, 302)
        _, about = self.a.request("/about/")
        self.assertIn(b"Edited through instance B", about)
