from django.test import TestCase

from tests.factories import make_member


def csp_directives(response):
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


class SecurityHeaderTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        make_member(slug="kazakhstan")

    def test_strict_content_security_policy_on_public_pages(self):
        for url in ("/", "/members/", "/members/kazakhstan/", "/no-such-page/"):
            with self.subTest(url=url):
                directives = csp_directives(self.client.get(url))
                self.assertEqual(directives["default-src"], ["'none'"])
                self.assertEqual(directives["style-src"], ["'self'"])
                self.assertEqual(directives["frame-ancestors"], ["'none'"])
                self.assertEqual(directives["object-src"], ["'none'"])
                self.assertEqual(directives["base-uri"], ["'none'"])
                self.assertEqual(directives["form-action"], ["'self'"])
                self.assertNotIn("'unsafe-inline'", " ".join(sum(directives.values(), [])))

    def test_pages_that_use_a_nonce_get_a_fresh_one_each_time(self):
        # The admin's scripts carry the nonce; public pages load only same-origin files.
        first = csp_directives(self.client.get("/admin/login/"))["script-src"]
        second = csp_directives(self.client.get("/admin/login/"))["script-src"]
        self.assertTrue(any(source.startswith("'nonce-") for source in first))
        self.assertNotEqual(first, second)

    def test_other_security_headers(self):
        response = self.client.get("/members/")
        self.assertEqual(response["X-Content-Type-Options"], "nosniff")
        self.assertEqual(response["Referrer-Policy"], "same-origin")
        self.assertEqual(response["Cross-Origin-Opener-Policy"], "same-origin")
        self.assertEqual(response["X-Frame-Options"], "DENY")


class RequestLogTests(TestCase):
    def test_one_line_per_request_with_status_and_duration(self):
        with self.assertLogs("cicasite.request", level="INFO") as logs:
            self.client.get("/members/?q=x")
            self.client.get("/no-such-page/")
        self.assertEqual(len(logs.records), 2)
        first, second = logs.records
        self.assertEqual((first.method, first.path, first.status), ("GET", "/members/", 200))
        self.assertGreater(first.duration_ms, 0)
        self.assertGreater(first.bytes, 0)
        self.assertEqual(first.remote_addr, "127.0.0.1")
        self.assertRegex(first.request_id, r"^[0-9a-f]{32}$")
        self.assertEqual(second.status, 404)
        self.assertNotEqual(first.request_id, second.request_id)
