"""make admin (manage.py dev_admin): a development superuser in one command, never in production."""

import io
import re

from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.test import TestCase, override_settings

DEV_KEY = "django-insecure-development-only-key-not-for-production"


def run(**options):
    out = io.StringIO()
    call_command("dev_admin", stdout=out, **options)
    return out.getvalue()


def printed(output):
    return dict(re.findall(r"^  (address|username|password):\s+(\S+)$", output, re.MULTILINE))


@override_settings(DEBUG=True, SECRET_KEY=DEV_KEY)
class DevAdminTests(TestCase):
    def log_in(self, username, password):
        return self.client.post(
            "/admin/login/?next=/admin/", {"username": username, "password": password}, follow=True
        )

    def test_prints_an_account_that_logs_in_to_the_admin(self):
        account = printed(run(site="http://127.0.0.1:8101"))
        self.assertEqual(account["address"], "http://127.0.0.1:8101/admin/")
        self.assertEqual(account["username"], "admin")
        response = self.log_in(account["username"], account["password"])
        self.assertEqual(response.redirect_chain, [("/admin/", 302)])
        self.assertContains(response, 'id="review-queue"')  # the admin's home, review queue first
        self.assertTrue(response.context["user"].is_superuser)

    def test_a_second_run_resets_the_password(self):
        first = printed(run())
        second = printed(run())
        self.assertEqual(get_user_model().objects.filter(username="admin").count(), 1)
        self.assertNotEqual(first["password"], second["password"])
        self.assertFalse(self.log_in("admin", first["password"]).context["user"].is_authenticated)
        self.assertTrue(self.log_in("admin", second["password"]).context["user"].is_authenticated)

    def test_lifts_a_lockout(self):
        locked = printed(run())
        for _ in range(5):
            self.log_in("admin", "wrong password")
        self.assertEqual(self.log_in("admin", locked["password"]).status_code, 429)  # django-axes
        account = printed(run())
        self.assertTrue(self.log_in("admin", account["password"]).context["user"].is_authenticated)

    def test_address_defaults_to_site_url(self):
        with self.settings(SITE_URL="http://127.0.0.1:8000"):
            self.assertEqual(printed(run())["address"], "http://127.0.0.1:8000/admin/")

    @override_settings(DEBUG=False)
    def test_refused_when_debug_is_off(self):
        with self.assertRaisesMessage(CommandError, "for development (DJANGO_DEBUG=1) only"):
            run()
        self.assertFalse(get_user_model().objects.exists())

    @override_settings(SECRET_KEY="a-real-production-secret-" + "x" * 40)
    def test_refused_with_a_production_secret_key(self):
        with self.assertRaisesMessage(CommandError, "configured deployment"):
            run()
        self.assertFalse(get_user_model().objects.exists())
