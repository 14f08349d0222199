"""The production stack through its edge: nginx (deploy/nginx.conf.template) in front of gunicorn, for real.

A site with production settings on SQLite in a temporary directory, gunicorn with two sync workers, nginx
on a free loopback port rendered by manage.py nginx_config (as behind a TLS load balancer: Django is told
https). Skipped without nginx, failed under REQUIRE_NGINX=1 (tests/services.py).
"""

import gzip
import io
import re
import socket
import subprocess
import tempfile
import threading
import time
from pathlib import Path

from django.core.management import CommandError, call_command
from django.test import SimpleTestCase

from bench import servers
from tests.cicasite.test_production import Browser
from tests.services import requires_nginx

PASSWORD = "a-long-password-123"
# Stated in docs/production.md: an edit is public within this many seconds, through the micro-cache.
EDIT_BOUND_SECONDS = 2.0


def status_of(response):
    return response.getheader("X-Cache-Status")


@requires_nginx
class EdgeTests(SimpleTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="cica-edge-")
        tmp = Path(cls.tmp.name)
        cls.env = servers.production_env(
            SITE_URL="https://127.0.0.1",
            DATABASE_URL=f"sqlite:///{tmp / 'db.sqlite3'}",
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
            PAGE_CACHE_DIR=str(tmp / "pages"),
            TRUSTED_PROXIES="127.0.0.1",
        )
        # One Django start: migrate, content, static files, a superuser, and a draft meeting whose public
        # address shows staff a preview and everyone else a 404.
        result = servers.manage(
            "shell",
            "-c",
            "from django.core.management import call_command as run; "
            "run('migrate', '--noinput', verbosity=0); run('load_cica', verbosity=0); "
            "run('collectstatic', '--noinput', verbosity=0); "
            "from django.contrib.auth import get_user_model; from events.models import Event; "
            f"get_user_model().objects.create_superuser('editor', 'e@example.org', '{PASSWORD}'); "
            "event = Event.objects.published().order_by('pk').first(); "
            "Event.objects.filter(pk=event.pk).update(publication_status='draft'); print(event.get_absolute_url())",
            env=cls.env,
            timeout=300,  # a loaded CI machine: three Django commands in one process
        )
        assert result.returncode == 0, result.stderr
        cls.draft_url = result.stdout.strip().splitlines()[-1]
        cls.gunicorn = servers.Gunicorn(cls.env, "cicasite.wsgi", "--workers", "2", "--timeout", "20")
        try:
            cls.nginx = servers.Nginx(cls.env, cls.gunicorn.port, tmp, static_root=tmp / "static")
        except BaseException:
            cls.gunicorn.stop()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.nginx.stop()
        cls.gunicorn.stop()
        cls.tmp.cleanup()
        super().tearDownClass()

    def staff(self):
        browser = Browser(self.nginx)
        _, page = browser.request("/admin/login/")
        response, _ = browser.request(
            "/admin/login/",
            "POST",
            {"csrfmiddlewaretoken": browser.csrf(page), "username": "editor", "password": PASSWORD, "next": "/admin/"},
        )
        self.assertEqual(response.status, 302)
        self.assertIn("sessionid", browser.cookies)
        return browser

    def fetch_twice(self, path, headers=None):
        first = self.nginx.request(path, headers=headers)
        second = self.nginx.request(path, headers=headers)
        return first, second

    def test_anonymous_pages_come_from_the_edge_cache(self):
        (first, body1), (second, body2) = self.fetch_twice("/initiatives/")
        self.assertEqual(first.status, 200)
        self.assertIn(status_of(first), {"MISS", "HIT", "STALE", "UPDATING", "EXPIRED", "REVALIDATED"})
        self.assertIn(status_of(second), {"HIT", "STALE", "UPDATING"})
        self.assertEqual(body1, body2)
        self.assertEqual(second.getheader("Cache-Control"), "public, max-age=0, s-maxage=1")
        self.assertIsNone(second.getheader("X-Accel-Expires"))  # for nginx only
        self.assertIsNone(second.getheader("Set-Cookie"))

    def test_the_answer_that_starts_a_background_refresh_closes_its_connection(self):
        # nginx keeps that connection until the refresh ends: a next request on it would wait for a render.
        self.fetch_twice("/initiatives/")
        time.sleep(1.1)  # the micro-cache keeps a page until the end of the second it was fetched in
        response, _ = self.nginx.request("/initiatives/")
        self.assertEqual(status_of(response), "STALE")
        self.assertIn("close", [value.lower() for value in response.headers.get_all("Connection")])
        response, _ = self.nginx.request("/initiatives/")
        self.assertIn(status_of(response), {"HIT", "UPDATING"})
        self.assertNotIn("close", [value.lower() for value in response.headers.get_all("Connection")])

    def test_a_staff_page_is_never_served_from_or_stored_in_the_edge_cache(self):
        browser = self.staff()
        # Staff first: were the preview stored, the anonymous request below would get it.
        for _ in range(3):
            response, page = browser.request(self.draft_url)
            self.assertEqual(response.status, 200)
            self.assertEqual(status_of(response), "BYPASS")
            self.assertIn("private", response.getheader("Cache-Control"))
        self.assertIn("not public", page.lower())  # the preview banner
        for _ in range(3):
            response, body = self.nginx.request(self.draft_url)
            self.assertEqual(response.status, 404)
            self.assertNotIn(b"not public", body.lower())
        # And the other way: a page anonymous visitors have cached is rendered afresh for staff.
        self.fetch_twice("/events/")
        response, page = browser.request("/events/")
        self.assertEqual(status_of(response), "BYPASS")
        response, _ = browser.request("/admin/")
        self.assertEqual(response.status, 200)
        self.assertEqual(status_of(response), "BYPASS")

    def test_any_cookie_or_authorization_bypasses_the_cache(self):
        self.fetch_twice("/about/")
        for headers in (
            {"Cookie": "django_language=ru"},
            {"Cookie": "csrftoken=abc"},
            {"Cookie": "anything=1"},
            {"Authorization": "Basic ZWRpdG9yOng="},
        ):
            with self.subTest(headers=headers):
                response, _ = self.nginx.request("/about/", headers=headers)
                self.assertEqual(status_of(response), "BYPASS")

    def test_each_language_has_its_own_page(self):
        self.fetch_twice("/about/")
        (_, russian), (second, again) = self.fetch_twice("/ru/about/")
        self.assertEqual(second.getheader("Content-Language"), "ru")
        self.assertEqual(russian, again)
        _, english = self.nginx.request("/about/")
        self.assertNotEqual(english, russian)
        self.assertIn(b'lang="ru"', russian)
        self.assertIn(b'lang="en"', english)

    def test_answers_that_set_a_cookie_or_are_not_get_are_not_cached(self):
        # The login form sets the CSRF cookie; it is under /admin/, and its answers are never stored.
        for _ in range(2):
            response, _ = self.nginx.request("/admin/login/")
            self.assertIsNotNone(response.getheader("Set-Cookie"))
            self.assertEqual(status_of(response), "BYPASS")
        response, _ = self.nginx.request("/search/", method="POST", body=b"q=x")
        self.assertNotIn(status_of(response), {"HIT", "STALE"})

    def test_an_edit_is_public_within_the_bound(self):
        browser = self.staff()
        response, page = browser.request("/admin/cicasite/partner/")
        change_url = re.search(r'href="(/admin/cicasite/partner/\d+/change/)"', page).group(1)
        _, form_page = browser.request(change_url)
        name = f"Edited at the edge {time.time_ns()}"
        # Keep the cached /about/ hot while the edit lands, as visitors would.
        for _ in range(3):
            self.nginx.request("/about/")
        response, _ = browser.request(
            change_url,
            "POST",
            {
                "csrfmiddlewaretoken": browser.csrf(form_page),
                "edit_token": re.search(r'name="edit_token" value="([^"]+)"', form_page).group(1),
                "name_en": name,
                "position": "1",
            },
        )
        saved = time.monotonic()
        self.assertEqual(response.status, 302)
        while True:
            _, about = self.nginx.request("/about/")
            elapsed = time.monotonic() - saved
            if name.encode() in about:
                break
            self.assertLess(elapsed, EDIT_BOUND_SECONDS, "the edit is not public within the bound")
            time.sleep(0.05)
        self.assertLess(elapsed, EDIT_BOUND_SECONDS)

    def test_static_files_come_from_nginx_with_every_header(self):
        _, page = self.nginx.request("/members/")
        stylesheet = re.search(rb'href="(/static/css/site\.[0-9a-f]{12}\.css)"', page).group(1).decode()
        for path, cache_control in (
            (stylesheet, "public, max-age=31536000, immutable"),
            ("/static/css/site.css", "public, max-age=60"),
            ("/static/nothing-here.css", None),
        ):
            with self.subTest(path=path):
                response, _ = self.nginx.request(path, headers={"Accept-Encoding": "gzip"})
                self.assertEqual(response.getheader("Server"), "nginx")
                self.assertIsNone(response.getheader("X-Cache-Status"))  # nginx itself, not Django
                self.assertEqual(response.status, 404 if cache_control is None else 200)
                self.assertIn("default-src 'none'", response.getheader("Content-Security-Policy"))
                self.assertEqual(response.getheader("X-Frame-Options"), "DENY")
                self.assertEqual(response.getheader("X-Content-Type-Options"), "nosniff")
                self.assertEqual(response.getheader("Referrer-Policy"), "same-origin")
                self.assertEqual(response.getheader("Cross-Origin-Opener-Policy"), "same-origin")
                self.assertEqual(response.getheader("Cross-Origin-Resource-Policy"), "same-origin")
                self.assertEqual(
                    response.getheader("Strict-Transport-Security"), "max-age=31536000; includeSubDomains"
                )
                if cache_control:
                    self.assertEqual(response.getheader("Cache-Control"), cache_control)
                    self.assertEqual(response.getheader("Content-Encoding"), "gzip")
        # Django's pages keep Django's headers, each once.
        response, _ = self.nginx.request("/")
        self.assertEqual(len(response.headers.get_all("Content-Security-Policy")), 1)
        self.assertEqual(len(response.headers.get_all("X-Frame-Options")), 1)

    def test_data_files_reach_the_client_whole_and_gzipped(self):
        # The CSV streams (and so does any file over 1 MB): nginx compresses it on the way (gzip_types).
        for path in ("/events/data.csv", "/members/data.csv", "/events/calendar.ics"):
            with self.subTest(path=path):
                _, direct = self.gunicorn.request(path)
                response, body = self.nginx.request(path, headers={"Accept-Encoding": "gzip"})
                self.assertEqual(response.status, 200)
                self.assertEqual(response.getheader("Content-Encoding"), "gzip")
                self.assertGreater(len(direct), 1024)
                self.assertEqual(gzip.decompress(body), direct)

    def test_forwarded_headers_come_from_nginx_only(self):
        # A client's own X-Forwarded-Proto / -Ssl are replaced or dropped: gunicorn sees nginx's alone.
        response, _ = self.nginx.request("/healthz", headers={"X-Forwarded-Proto": "http", "X-Forwarded-Ssl": "on"})
        self.assertEqual(response.status, 200)
        response, _ = self.nginx.request("/about/", headers={"X-Forwarded-Proto": "http", "Cookie": "a=1"})
        self.assertEqual(response.status, 200)  # not redirected to https: nginx said https, not the client

    def test_drip_feeding_clients_do_not_block_healthz(self):
        """More slow sockets than gunicorn has workers: nginx holds them all, /healthz stays quick."""
        stop = threading.Event()
        sockets = []
        for index in range(20):
            sock = socket.create_connection((servers.HOST, self.nginx.port), timeout=5)
            if index % 2:  # headers, one byte at a time
                sock.sendall(b"GET /about/ HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            else:  # a body that never finishes
                sock.sendall(b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100000\r\n\r\nq=")
            sockets.append(sock)

        def drip():
            while not stop.wait(0.2):
                for sock in sockets:
                    try:
                        sock.sendall(b"X")
                    except OSError:
                        pass

        dripper = threading.Thread(target=drip, daemon=True)
        dripper.start()
        try:
            time.sleep(0.5)
            durations = []
            for path in ("/healthz", "/about/", "/healthz", "/events/") * 3:
                started = time.monotonic()
                response, _ = self.nginx.request(path, timeout=5)
                durations.append(time.monotonic() - started)
                self.assertEqual(response.status, 200)
            self.assertLess(max(durations), 1.0, durations)
        finally:
            stop.set()
            dripper.join()
            for sock in sockets:
                sock.close()


class NginxConfigTests(SimpleTestCase):
    """manage.py nginx_config renders deploy/nginx.conf.template; nginx -t accepts it where nginx is installed."""

    def render(self, **options):
        tmp = tempfile.TemporaryDirectory(prefix="cica-nginx-config-")
        self.addCleanup(tmp.cleanup)
        Path(tmp.name).chmod(0o755)  # as root, the workers (nobody) must reach in
        out = io.StringIO()
        call_command(
            "nginx_config",
            dir=Path(tmp.name) / "nginx",
            static_root=Path(tmp.name),
            listen="127.0.0.1:8350",
            upstream="127.0.0.1:8351",
            stdout=out,
            **options,
        )
        path = Path(out.getvalue().strip())
        return path, path.read_text()

    def test_every_marker_is_filled_with_django_s_own_headers(self):
        path, text = self.render()
        self.assertNotIn("%%", text.replace("%%NAME%%", ""))
        csp = self.client.get("/healthz")["Content-Security-Policy"]
        self.assertIn(f'map $upstream_http_content_security_policy $edge_csp {{ "" "{csp}"; default ""; }}', text)
        self.assertIn("listen 127.0.0.1:8350;", text)
        self.assertIn("server 127.0.0.1:8351;", text)
        self.assertIn("proxy_set_header X-Forwarded-Proto $scheme;", text)
        if servers.nginx_installed():
            result = subprocess.run([servers.NGINX, "-t", "-q", "-c", str(path)], capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)

    def test_pages_are_sent_uncorked(self):
        # With TCP_CORK the stale answer that starts a background refresh waited in the kernel for the refresh.
        _, text = self.render()
        location = text[text.index("location / {") :]
        self.assertIn("tcp_nopush off;", location[: location.index("\n        }")])

    def test_behind_tls_tells_django_https(self):
        _, text = self.render(behind_tls=True)
        self.assertIn("proxy_set_header X-Forwarded-Proto https;", text)

    def test_a_certificate_needs_its_key(self):
        with self.assertRaisesMessage(CommandError, "--tls-cert and --tls-key go together"):
            self.render(tls_cert=Path("/nonexistent.pem"))
