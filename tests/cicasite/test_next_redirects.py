"""An unsafe ?next= never leaves the site: admin login and logout land on the admin index instead.

Django falls back to LOGIN_REDIRECT_URL (/accounts/profile/ by default, no page here) after a login
with an unsafe next, and back to the logout address itself (GET: 405) after a logout with one; the
settings send both to the admin index. The site has no set_language view (the language is in the URL).
"""

from django.contrib.auth import get_user_model
from django.test import TestCase

PASSWORD = "correct-horse-battery-staple-42"
INDEX = "/admin/"
UNSAFE = [
    "//evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "https:evil.example",
    "https://evil.example/admin/",
    "http://evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/\t/evil.example",
    "\t//evil.example",
    "///evil.example",
    "https://127.0.0.1@evil.example/",
    "//127.0.0.1%2F@evil.example",
]


class NextRedirectTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("editor", "editor@example.org", PASSWORD)

    def assert_lands_on_the_index(self, response):
        self.assertEqual(response.status_code, 302)
        self.assertEqual(response["Location"], INDEX)

    def test_login_with_an_unsafe_next_in_the_address_lands_on_the_admin_index(self):
        for target in UNSAFE:
            with self.subTest(target=target):
                self.client.logout()
                form = self.client.get("/admin/login/", {"next": target})
                self.assertEqual(form.status_code, 200)
                self.assertContains(form, f'name="next" value="{INDEX}"')  # the form carries the safe one
                response = self.client.post(
                    "/admin/login/?" + form.wsgi_request.META["QUERY_STRING"],
                    {"username": "editor", "password": PASSWORD},
                )
                self.assert_lands_on_the_index(response)
                self.assertIn("_auth_user_id", self.client.session)

    def test_login_with_an_unsafe_next_in_the_form_lands_on_the_admin_index(self):
        for target in UNSAFE:
            with self.subTest(target=target):
                self.client.logout()
                response = self.client.post(
                    "/admin/login/", {"username": "editor", "password": PASSWORD, "next": target}
                )
                self.assert_lands_on_the_index(response)

    def test_a_safe_next_is_still_followed(self):
        response = self.client.post(
            "/admin/login/", {"username": "editor", "password": PASSWORD, "next": "/admin/members/member/"}
        )
        self.assertEqual(response["Location"], "/admin/members/member/")

    def test_logout_with_an_unsafe_next_lands_on_the_admin_index(self):
        for target in UNSAFE:
            for in_form in (False, True):
                with self.subTest(target=target, in_form=in_form):
                    self.client.force_login(self.user)
                    if in_form:
                        response = self.client.post("/admin/logout/", {"next": target})
                    else:
                        response = self.client.post("/admin/logout/?" + f"next={target}".replace("&", "%26"))
                    self.assert_lands_on_the_index(response)
                    self.assertNotIn("_auth_user_id", self.client.session)

    def test_a_logged_in_visit_to_login_with_an_unsafe_next_lands_on_the_admin_index(self):
        self.client.force_login(self.user)
        for target in UNSAFE:
            with self.subTest(target=target):
                self.assert_lands_on_the_index(self.client.get("/admin/login/", {"next": target}))

    def test_there_is_no_set_language_view(self):
        for path in ("/i18n/setlang/", "/ru/i18n/setlang/"):
            with self.subTest(path=path):
                response = self.client.post(path, {"language": "ru", "next": "//evil.example/"})
                self.assertNotIn(response.status_code, (301, 302, 303, 307, 308))
                self.assertEqual(response.status_code, 404)
