"""A reader finds a document, opens its page and downloads its citation, at phone and desktop widths."""

import re
import tempfile

import bibtexparser
import pytest
from django.conf import settings
from django.test import override_settings

from tests.browser import BrowserTestCase, requires_chromium
from tests.content import load_content

pytestmark = requires_chromium


@pytest.mark.browser
@override_settings(MEDIA_ROOT=tempfile.mkdtemp(prefix="cica-documents-browser-"))
class DocumentBrowserTests(BrowserTestCase):
    def setUp(self):
        load_content()

    def test_filter_open_and_cite_at_390_and_1280(self):
        for width in (390, 1280):
            with self.subTest(width=width):
                context = self.browser.new_context(viewport={"width": width, "height": 900}, accept_downloads=True)
                page = context.new_page()
                problems = []
                page.on("console", lambda msg, problems=problems: msg.type == "error" and problems.append(msg.text))
                page.on("pageerror", lambda exc, problems=problems: problems.append(str(exc)))
                page.goto(f"{self.live_server_url}/documents/")
                folded = page.locator(".filter-panel summary")
                self.assertEqual(folded.is_visible(), width == 390)  # phones: the filters fold
                if width == 390:
                    folded.click()
                page.get_by_label("Kind").select_option("act")
                page.locator("main form button[type=submit]").first.click()
                page.wait_for_url(re.compile(r"kind=act"))
                self.assertEqual(page.locator(".document-card").count(), 1)
                # Nothing sticks out sideways on a phone.
                self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), width)
                page.locator(".document-card h2 a").click()
                page.wait_for_url(re.compile(r"/documents/almaty-act-2002/$"))
                self.assertEqual(page.locator("h1").inner_text(), "Almaty Act")
                self.assertLessEqual(page.evaluate("document.documentElement.scrollWidth"), width)
                self.assertIn("Almaty Act", page.locator(".cite__text").inner_text())
                with page.expect_download() as download:
                    page.get_by_role("link", name=re.compile("BibTeX")).click()
                entry = bibtexparser.loads(open(download.value.path(), encoding="utf-8").read()).entries[0]
                self.assertEqual(entry["title"], "Almaty Act")
                self.assertEqual(entry["url"], f"{settings.SITE_URL}/documents/almaty-act-2002/")  # the permanent one
                page.screenshot(path=f"{tempfile.gettempdir()}/cica-document-{width}.png", full_page=True)
                self.assertEqual(problems, [])
                context.close()
