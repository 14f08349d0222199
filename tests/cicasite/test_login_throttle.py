from django.contrib.auth import get_user_model
from django.test import RequestFactory, TestCase, override_settings

from cicasite.core.middleware import client_ip

LOGIN = "/admin/login/"
PASSWORD = "correct-horse-battery-staple-42"


class LoginThrottleTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)

    def attempt(self, password, address="10.0.0.1", **extra):
        return self.client.post(
            LOGIN, {"username": "editor", "password": password, "next": "/admin/"}, REMOTE_ADDR=address, **extra
        )

    def logged_in(self):
        return "_auth_user_id" in self.client.session

    def test_right_password_logs_in(self):
        self.assertEqual(self.attempt(PASSWORD).status_code, 302)
        self.assertTrue(self.logged_in())

    def test_locked_after_five_failures_even_with_the_right_password(self):
        for _ in range(4):
            self.assertEqual(self.attempt("wrong").status_code, 200)  # the form again, with an error
        self.assertEqual(self.attempt("wrong").status_code, 429)  # the fifth failure locks
        response = self.attempt(PASSWORD)
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.logged_in())

    def test_spoofed_forwarded_for_does_not_bypass_the_lock(self):
        for n in range(5):
            self.attempt("wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        response = self.attempt(PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
        self.assertEqual(response.status_code, 429)
        self.assertFalse(self.logged_in())

    def test_lock_is_per_username_and_address(self):
        for _ in range(5):
            self.attempt("wrong", address="10.0.0.1")
        self.assertEqual(self.attempt(PASSWORD, address="10.0.0.2").status_code, 302)

    def test_failures_are_logged_without_the_password(self):
        with self.assertLogs("axes", level="INFO") as logs:
            self.attempt("a-very-secret-guess")
        output = "\n".join(logs.output)
        self.assertIn("New login failure by {user: ", output)  # tokens, never the name (tests/cicasite/test_logs.py)
        self.assertNotIn("editor", output)
        self.assertNotIn("a-very-secret-guess", output)


class ClientIpTests(TestCase):
    def request(self, remote, forwarded=None):
        extra = {"REMOTE_ADDR": remote}
        if forwarded is not None:
            extra["HTTP_X_FORWARDED_FOR"] = forwarded
        return RequestFactory().get("/", **extra)

    def test_forwarded_for_is_ignored_from_an_untrusted_peer(self):
        self.assertEqual(client_ip(self.request("203.0.113.9", "198.51.100.1")), "203.0.113.9")

    @override_settings(TRUSTED_PROXIES=["10.0.0.5"])
    def test_forwarded_for_is_read_from_the_right_behind_a_trusted_proxy(self):
        # A client may prepend anything; the proxy appends the address it saw.
        self.assertEqual(client_ip(self.request("10.0.0.5", "1.1.1.1, 198.51.100.1")), "198.51.100.1")
        self.assertEqual(client_ip(self.request("10.0.0.5", "garbage")), "10.0.0.5")
        self.assertEqual(client_ip(self.request("10.0.0.5")), "10.0.0.5")
