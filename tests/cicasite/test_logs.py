"""Log lines cannot be forged, and failed logins are logged as tokens (cicasite.core.logs).

Real requests through the whole middleware stack, written by the production formatter (JSON) and the
development one (text); every line of output is parsed. The live gunicorn test is in test_production.py.
"""

import contextlib
import io
import json
import logging
import re

from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import TestCase, override_settings

from cicasite.core.logs import JSONFormatter, TextFormatter, address_token, user_token

PASSWORD = "Canary-7f3e-correct-horse"
GUESS = "Canary-guess-9d1c"
# Every logger that writes during a request, a login or a lockout (settings.LOGGING).
LOGGERS = ("", "cicasite.request", "cicasite.security", "axes", "django.security")  # django.request: via the root
# What a client can put in a path or a username to try to start a line of its own.
FORGERIES = ["\r\n", "\n", "\r", "\x1b[2J", "\x85", "\u2028", "\u2029", "\x00", "\u202e"]
FORGED = 'INFO cicasite.request {"level": "INFO", "message": "forged entry"}'


@contextlib.contextmanager
def captured(formatter):
    """What the site's loggers write while the block runs, through formatter, as one string."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    loggers = [logging.getLogger(name) for name in LOGGERS]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
    try:
        yield stream
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.removeHandler(handler)
            logger.setLevel(level)


def json_lines(text):
    """Every line parsed as JSON; a line that is not one object fails the test."""
    lines = text.split("\n")
    assert lines[-1] == "", "output ends with a newline"
    return [json.loads(line) for line in lines[:-1]]


class RequestLogTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)

    def hostile_requests(self):
        """Paths, a header and usernames carrying every forgery; returns how many requests were made."""
        count = 0
        for forgery in FORGERIES:
            encoded = "".join(f"%{byte:02X}" for byte in forgery.encode())
            self.client.get(f"/members/x{encoded}{FORGED.replace(' ', '%20')}", headers={"user-agent": f"a{forgery}b"})
            self.client.post(
                "/admin/login/",
                {"username": f"editor{forgery}{FORGED}", "password": GUESS},
                REMOTE_ADDR="203.0.113.5",
            )
            count += 2
        return count

    def test_every_json_line_is_one_record_whatever_the_client_sends(self):
        with captured(JSONFormatter()) as stream:
            count = self.hostile_requests()
        records = json_lines(stream.getvalue())
        requests = [r for r in records if r["logger"] == "cicasite.request"]
        self.assertEqual(len(requests), count)
        # The path is logged as the client sent it (decoded), escaped by JSON, never cut into lines.
        paths = [r["path"] for r in requests if r["method"] == "GET"]
        self.assertEqual(paths, [f"/members/x{forgery}{FORGED}" for forgery in FORGERIES])
        for record in records:
            self.assertEqual(record.keys() >= {"time", "level", "logger", "message"}, True, record)
            self.assertRegex(record["time"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")  # UTC
            self.assertRegex(record.get("request_id", ""), r"^[0-9a-f]{32}$")
        # No raw control or line-breaking character survives anywhere in a line.
        for line in stream.getvalue().split("\n"):
            for forgery in FORGERIES:
                self.assertNotIn(forgery, line)
        self.assertNotIn(GUESS, stream.getvalue())
        self.assertNotIn("editor", stream.getvalue().replace('"logger":', ""))

    def test_text_lines_escape_control_characters_too(self):
        with captured(TextFormatter()) as stream:
            count = self.hostile_requests()
        lines = stream.getvalue().split("\n")[:-1]
        self.assertEqual(sum(bool(re.match(r"\S+ INFO cicasite\.request ", line)) for line in lines), count)
        for line in lines:
            self.assertRegex(line, r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (DEBUG|INFO|WARNING|ERROR) [a-z.]+ ")
            for forgery in FORGERIES:
                self.assertNotIn(forgery, line)
        self.assertIn("/members/x\\x0d\\x0aINFO", stream.getvalue())
        self.assertNotIn(GUESS, stream.getvalue())

    def test_a_trusted_proxys_request_id_is_kept_and_returned(self):
        nginx_id = "0123456789abcdef0123456789abcdef"
        with self.assertLogs("cicasite.request", "INFO") as logs:
            response = self.client.get("/healthz", headers={"x-request-id": nginx_id})
            self.assertNotEqual(response["X-Request-ID"], nginx_id)  # not from an untrusted peer
            with override_settings(TRUSTED_PROXIES=["127.0.0.1"]):
                self.assertEqual(
                    self.client.get("/healthz", headers={"x-request-id": nginx_id})["X-Request-ID"], nginx_id
                )
                forged = self.client.get("/healthz", headers={"x-request-id": "a\nforged"})["X-Request-ID"]
                self.assertRegex(forged, r"^[0-9a-f]{32}$")
        self.assertEqual(logs.records[1].request_id, nginx_id)


class FailedLoginTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)

    def fail(self, username="editor", address="203.0.113.5"):
        with self.assertLogs("cicasite.security", "WARNING") as logs:
            self.client.post("/admin/login/", {"username": username, "password": GUESS}, REMOTE_ADDR=address)
        (record,) = [r for r in logs.records if getattr(r, "event", "") == "login_failed"]
        return record

    def test_the_same_user_and_address_give_the_same_tokens(self):
        first, second = self.fail(), self.fail()
        self.assertRegex(first.user_token, r"^[0-9a-f]{16}$")
        self.assertEqual((first.user_token, first.address_token), (second.user_token, second.address_token))
        # The name as typed is normalised: case, surrounding spaces and compatibility forms do not matter.
        self.assertEqual(self.fail(" EDITOR ").user_token, first.user_token)
        self.assertEqual(self.fail("ｅｄｉｔｏｒ").user_token, first.user_token)  # fullwidth letters
        other = self.fail(address="198.51.100.7")
        self.assertEqual(other.user_token, first.user_token)
        self.assertNotEqual(other.address_token, first.address_token)
        self.assertNotEqual(self.fail("someone-else").user_token, first.user_token)
        # Only the key's holder can tell whose they are: the same computation, from outside a request.
        self.assertEqual(first.user_token, user_token("editor"))
        self.assertEqual(first.address_token, address_token("203.0.113.5"))

    def test_tokens_depend_on_the_key(self):
        before = user_token("editor")
        with override_settings(LOG_HASH_KEY="another-key-" * 4):
            self.assertNotEqual(user_token("editor"), before)
        with override_settings(SECRET_KEY="a-rotated-secret-key-" * 4):
            self.assertNotEqual(user_token("editor"), before)

    def test_no_log_names_the_user_or_the_password(self):
        with captured(JSONFormatter()) as stream:
            for _ in range(6):  # the fifth failure locks the pair out (axes), the sixth is refused
                self.client.post("/admin/login/", {"username": "editor", "password": GUESS}, REMOTE_ADDR="203.0.113.5")
            # django-axes keeps the attempts (it needs the name to lock it out), never the password.
            attempt = AccessAttempt.objects.get()
            self.assertGreaterEqual(attempt.failures_since_start, 5)
            self.assertNotIn(GUESS, attempt.post_data + attempt.get_data)
            self.client.post("/admin/login/", {"username": "editor", "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
        records = json_lines(stream.getvalue())
        events = [r.get("event") for r in records if r["logger"] == "cicasite.security"]
        # Five failures, then the refused sixth (a failure too, when axes' backend refuses it), then the login.
        self.assertEqual(set(events[:-1]), {"login_failed"})
        self.assertIn(len(events[:-1]), (5, 6))
        self.assertEqual(events[-1], "login")
        self.assertTrue(any("Locking out" in r["message"] for r in records if r["logger"].startswith("axes.")))
        for secret in (GUESS, PASSWORD, '"editor"', "editor@"):
            self.assertNotIn(secret, stream.getvalue())
        self.assertIn(user_token("editor"), stream.getvalue())

    def test_log_token_tells_an_operator_which_token_to_look_for(self):
        out = io.StringIO()
        call_command("log_token", "--username", " Editor", "--address", "203.0.113.5", stdout=out)
        self.assertIn(f"user_token {user_token('editor')}", out.getvalue())
        self.assertIn(f"address_token {address_token('203.0.113.5')}", out.getvalue())
