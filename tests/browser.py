"""What the real-browser tests share: Debian's chromium driven by Playwright against a live server.

The browser tests are skipped (and say so) when chromium is not installed; CI sets
REQUIRE_BROWSER=1, which turns a missing browser into a failure.
"""

import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
MEMBER_LINK = re.compile(r"^/members/[a-z0-9-]+/$")

if not Path(CHROMIUM).exists():
    if os.environ.get("REQUIRE_BROWSER"):
        raise RuntimeError(f"REQUIRE_BROWSER is set but {CHROMIUM} is missing: install Debian's chromium package.")
    requires_chromium = pytest.mark.skip(
        reason=f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium)"
    )
else:
    requires_chromium = pytest.mark.browser

# Playwright's sync API runs an event loop in this thread; the test's own ORM calls are synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


class BrowserTestCase(StaticLiveServerTestCase):
    """A live server and one chromium for the class, driven by Playwright."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        from playwright.sync_api import sync_playwright

        cls.playwright = sync_playwright().start()
        cls.browser = cls.playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)

    @classmethod
    def tearDownClass(cls):
        cls.browser.close()
        cls.playwright.stop()
        super().tearDownClass()


class StaffBrowserTestCase(BrowserTestCase):
    """An Editor (erin) and a Publisher (paul), and a media folder of the test's own."""

    def setUp(self):
        import tempfile

        from django.contrib.auth import get_user_model

        from cicasite.core.roles import ensure_groups

        groups = ensure_groups()  # the live server's database was flushed by earlier browser tests
        for username, group in (("erin", "Editor"), ("paul", "Publisher")):
            user = get_user_model().objects.create_user(username, password="a-long-password-123", is_staff=True)
            user.groups.add(groups[group])
        self.media = tempfile.mkdtemp(prefix="cica-browser-media-")
        self.settings_override = self.settings(MEDIA_ROOT=self.media)
        self.settings_override.enable()

    def tearDown(self):
        import shutil

        self.settings_override.disable()
        shutil.rmtree(self.media, ignore_errors=True)

    def log_in(self, username):
        context = self.browser.new_context(viewport={"width": 1280, "height": 900})
        page = context.new_page()
        page.goto(f"{self.live_server_url}/admin/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", "a-long-password-123")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        return context, page

    def public_status(self, path):
        context = self.browser.new_context()
        response = context.new_page().goto(f"{self.live_server_url}{path}")
        status = response.status
        context.close()
        return status
