"""Operations that hold, tried on the shipped stack as an outsider would: gunicorn with gunicorn.conf.py and
DJANGO_DEBUG off, on PostgreSQL when the suite runs on it (SQLite otherwise), on a free loopback port.

- Every line gunicorn and Django write is one JSON object, whatever a client puts in a path, a header or a
  username; a failed login is logged as tokens, never with the name or the password.
- /media/ with NUL bytes, dot segments, backslashes, overlong encodings and names is a 404, never a 500.
- An unsafe ?next= on the admin login and logout lands on the admin index.
"""

import json
import re
import tempfile
from pathlib import Path

from django.test import SimpleTestCase

from bench import servers
from tests.cicasite.test_production import Browser, drop_database, manage, production_env, throwaway_database

PASSWORD = "Canary-7f3e-a-long-password"
GUESS = "Canary-guess-5b2a"
MARKER = "zz-forgery-probe"


class LiveOperationsTests(SimpleTestCase):
    databases = {"default"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tmp = tempfile.TemporaryDirectory(prefix="cica-ops-")
        tmp = Path(cls.tmp.name)
        cls.dbname, database_url = throwaway_database("cica_ops_live", tmp)
        cls.env = production_env(
            DATABASE_URL=database_url,
            STATIC_ROOT=str(tmp / "static"),
            MEDIA_ROOT=str(tmp / "media"),
            REQUEST_LOG_LEVEL="INFO",
        )
        result = manage(
            "shell",
            "-c",
            "from django.core.management import call_command as run; "
            "run('migrate', '--noinput', verbosity=0); run('collectstatic', '--noinput', verbosity=0); "
            "from django.contrib.auth import get_user_model; "
            f"get_user_model().objects.create_superuser('editor', 'e@example.org', {PASSWORD!r})",
            env=cls.env,
        )
        assert result.returncode == 0, result.stderr
        (tmp / "media" / "documents").mkdir(parents=True)
        cls.log_path = tmp / "gunicorn.log"
        cls.server = servers.Gunicorn(cls.env, "-c", "gunicorn.conf.py", "--workers", "1", log_path=cls.log_path)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        drop_database(cls.dbname)
        cls.tmp.cleanup()
        super().tearDownClass()

    def log_records(self):
        """Every line written so far, each parsed as JSON (a line that is not one object fails the test)."""
        text = self.log_path.read_bytes().decode("utf-8")
        self.assertTrue(text.endswith("\n"))
        records = []
        for number, line in enumerate(text.split("\n")[:-1], 1):
            with self.subTest(line=number):
                record = json.loads(line)
                self.assertIsInstance(record, dict)
                records.append(record)
        return records

    def test_every_log_line_is_one_json_object_whatever_the_client_sends(self):
        forgeries = ["%0d%0a", "%0a", "%0d", "%1b[2J", "%c2%85", "%e2%80%a8", "%00", "%e2%80%ae"]
        forged_line = '{"level":"INFO","logger":"cicasite.request","message":"forged"}'.replace('"', "%22")
        for forgery in forgeries:
            response, _ = self.server.request(
                f"/{MARKER}/x{forgery}{forged_line}",
                headers={"User-Agent": b"agent\xc2\x85NEL\xe2\x80\xa8LS\xe2\x80\xaeRLO", "Referer": "x\x85y"},
            )
            self.assertEqual(response.status, 404)
        browser = Browser(self.server)
        for forgery in ("\r\n", "\x1b[31m", "\u2028"):
            _, page = browser.request("/admin/login/")
            response, _ = browser.request(
                "/admin/login/",
                "POST",
                {
                    "csrfmiddlewaretoken": browser.csrf(page),
                    "username": f"editor{forgery}{json.dumps({'level': 'INFO', 'message': 'forged'})}",
                    "password": GUESS,
                },
            )
            self.assertEqual(response.status, 200)  # the form again, with an error

        records = self.log_records()
        access = [r for r in records if r["logger"] == "gunicorn.access" and MARKER in r["path"]]
        requests = {r["request_id"]: r for r in records if r["logger"] == "cicasite.request"}
        self.assertEqual(len(access), len(forgeries))
        for record in access:
            # gunicorn's line names the request's id, and Django's line of that id has the decoded path.
            self.assertEqual(record["status"], 404)
            self.assertIn("\x85", record["user_agent"])  # gunicorn reads header bytes as Latin-1; escaped on the line
            self.assertIn(MARKER, requests[record["request_id"]]["path"])
            self.assertRegex(record["time"], r"Z$")
        failures = [r for r in records if r.get("event") == "login_failed"]
        self.assertEqual(len(failures), 3)
        self.assertEqual({r["address_token"] for r in failures}.__len__(), 1)
        raw = self.log_path.read_bytes()
        for secret in (GUESS.encode(), PASSWORD.encode(), b'"editor', b"editor\\"):
            self.assertNotIn(secret, raw)
        for byte in (b"\r", b"\x1b", b"\x00", b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xae"):
            self.assertNotIn(byte, raw)

    def test_odd_media_names_are_404_never_500(self):
        paths = [
            "/media/x%00",
            "/media/%00",
            "/media/documents/%00.pdf",
            "/media/documents/x.pdf%00.html",
            "/media/%2e%2e/manage.py",
            "/media/%2E%2E%2Fmanage.py",
            "/media/documents/%2e%2e/%2e%2e/db.sqlite3",
            "/media/..%5c..%5cmanage.py",
            "/media/documents%5c..%5c..%5cmanage.py",
            "/media/%5c%5cevil.example%5cshare",
            "/media/%c0%ae%c0%ae/manage.py",  # overlong UTF-8 for "."
            "/media/%c0%af",
            "/media/%ff%fe",
            "/media/" + "a" * 255 + ".pdf",
            "/media/" + "a" * 1000,
            "/media/" + "a/" * 400 + "x.pdf",
            "/media/documents/" + "%00" * 100,
            "/media/%0d%0aSet-Cookie:%20x=y",
            "/media/.",
            "/media/./documents",
            "/media/documents//x.pdf",
        ]
        for path in paths:
            with self.subTest(path=path[:60]):
                response, body = self.server.request(path)
                self.assertEqual(response.status, 404)
                self.assertIsNone(response.getheader("Set-Cookie"))
                self.assertNotIn(b"Traceback", body)

    def test_an_unsafe_next_never_leaves_the_site(self):
        for target in ("//evil.example/", "/\\evil.example", "https:evil.example", "javascript:alert(1)"):
            with self.subTest(target=target):
                browser = Browser(self.server)
                query = "next=" + target.replace("\\", "%5C")
                response, page = browser.request(f"/admin/login/?{query}")
                self.assertEqual(response.status, 200)
                self.assertIn('name="next" value="/admin/"', page)
                login = {"csrfmiddlewaretoken": browser.csrf(page), "username": "editor", "password": PASSWORD}
                response, _ = browser.request(f"/admin/login/?{query}", "POST", login | {"next": target})
                self.assertEqual((response.status, response.getheader("Location")), (302, "/admin/"))
                _, page = browser.request("/admin/")
                token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
                response, _ = browser.request(
                    f"/admin/logout/?{query}", "POST", {"csrfmiddlewaretoken": token, "next": target}
                )
                self.assertEqual((response.status, response.getheader("Location")), (302, "/admin/"))
