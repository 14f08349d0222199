"""Real-browser tests: Debian's chromium driven by Playwright against a live server.

Skipped (and said so) when chromium is not installed; CI sets REQUIRE_BROWSER=1,
which turns a missing browser into a failure.
"""

import io
import os
import re
from pathlib import Path

import pytest
from django.contrib.staticfiles.testing import StaticLiveServerTestCase
from django.core.management import call_command

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
    pytestmark = pytest.mark.skip(reason=f"browser tests skipped: {CHROMIUM} not found (apt-get install chromium)")

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


@pytest.mark.browser
class MemberFilterBrowserTests(BrowserTestCase):
    def setUp(self):
        call_command("load_cica", stdout=io.StringIO())

    def member_names(self, page):
        links = page.eval_on_selector_all(
            "main a[href]", "els => els.map(a => [a.getAttribute('href'), a.textContent.trim()])"
        )
        names = []
        for href, text in links:
            if MEMBER_LINK.match(href) and text and text not in names:
                names.append(text)
        return names

    def pick_dimension_and_submit(self, javascript):
        context = self.browser.new_context(java_script_enabled=javascript, viewport={"width": 390, "height": 844})
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{self.live_server_url}/members/")
        page.get_by_label("Dimension").select_option("economic")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"dimension=economic"))
        page.wait_for_load_state("load")
        names = self.member_names(page)
        selected = page.get_by_label("Dimension").input_value()
        context.close()
        return names, selected, problems

    def test_pick_a_dimension_and_see_exactly_its_members(self):
        names, selected, problems = self.pick_dimension_and_submit(javascript=True)
        self.assertEqual(names, ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
        self.assertEqual(selected, "economic")  # the form keeps its value
        self.assertEqual(problems, [])  # no console errors, no CSP violations

    def test_the_same_works_without_javascript(self):
        names, selected, _ = self.pick_dimension_and_submit(javascript=False)
        self.assertEqual(names, ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
        self.assertEqual(selected, "economic")


@pytest.mark.browser
class ContentSecurityPolicyBrowserTests(BrowserTestCase):
    """Chromium reports no CSP violation, and no other console error, on every page kind and in the admin."""

    def setUp(self):
        from django.contrib.auth import get_user_model

        call_command("load_cica", stdout=io.StringIO())
        get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-123")

    def visit_all(self, page, paths):
        problems = []
        page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        for path in paths:
            response = page.goto(f"{self.live_server_url}{path}")
            self.assertLess(response.status, 400, path)
            page.wait_for_load_state("networkidle")
        return problems

    def test_public_pages_have_no_csp_violation(self):
        page = self.browser.new_page()
        problems = self.visit_all(
            page,
            [
                "/",
                "/members/?dimension=economic&role=coordinator",
                "/members/kazakhstan/",
                "/dimensions/economic/",
                "/events/?kind=summit",
                "/events/sixth-cica-summit-2022/",
                "/initiatives/",
                "/about/",
            ],
        )
        page.close()
        self.assertEqual(problems, [])

    def test_admin_works_under_the_strict_policy(self):
        from members.models import Member

        page = self.browser.new_page()
        page.goto(f"{self.live_server_url}/admin/login/")
        page.fill("#id_username", "editor")
        page.fill("#id_password", "a-long-password-123")
        page.click("input[type=submit]")
        page.wait_for_url(re.compile(r"/admin/$"))
        member = Member.objects.get(slug="kazakhstan")
        problems = self.visit_all(
            page,
            [
                "/admin/",
                "/admin/members/member/",
                f"/admin/members/member/{member.pk}/change/",  # image field, autocomplete, inline roles
                "/admin/initiatives/initiative/add/",
                "/admin/events/event/add/",  # date widgets, prepopulated slug, inline documents (last)
            ],
        )
        # The admin's own scripts ran: the calendar link of the date widget exists only when JS works.
        self.assertTrue(page.locator(".datetimeshortcuts").first.is_visible())
        page.close()
        self.assertEqual([p for p in problems if "Refused" in p or "Content Security Policy" in p], [])
        self.assertEqual(problems, [])


@pytest.mark.browser
class DiscoveryJourneyBrowserTests(BrowserTestCase):
    """Issue 4's 'done when', tried as a new visitor would in chromium."""

    def setUp(self):
        call_command("load_cica", stdout=io.StringIO())
        self.page = self.browser.new_page()

    def tearDown(self):
        self.page.close()

    def member_names(self):
        return MemberFilterBrowserTests.member_names(self, self.page)

    def test_filter_page_share_subscribe_download_search_and_timeline(self):
        import csv

        from django.db import connection
        from icalendar import Calendar

        page = self.page
        # Filter members by two facets.
        page.goto(f"{self.live_server_url}/members/")
        page.get_by_label("Dimension").select_option("economic")
        page.get_by_label("Role").select_option("coordinator")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"\?dimension=economic&role=coordinator$"))
        self.assertEqual(self.member_names(), ["Azerbaijan", "Russia"])

        # Page through a filtered list, then share the address: a fresh visitor sees the same page.
        page.goto(f"{self.live_server_url}/members/?status=member")
        page.get_by_role("link", name=re.compile("Next")).first.click()
        page.wait_for_url(re.compile(r"status=member&page=2"))
        second_page = self.member_names()
        self.assertEqual(len(second_page), 28 - 24)
        shared = self.browser.new_page()
        shared.goto(page.url)
        self.assertEqual(MemberFilterBrowserTests.member_names(self, shared), second_page)
        shared.close()

        # Subscribe to the filtered calendar and download the same slice as CSV.
        page.goto(f"{self.live_server_url}/events/?kind=summit")
        ics_url = page.get_by_role("link", name="Calendar (.ics)").get_attribute("href")
        self.assertIn("kind=summit", ics_url)
        calendar = Calendar.from_ical(page.request.get(self.live_server_url + ics_url).body())
        summits = [str(event["SUMMARY"]) for event in calendar.walk("VEVENT")]
        self.assertEqual(len(summits), 6)  # the seventh is known only to the year, so it is left out
        csv_url = page.get_by_role("link", name="CSV").get_attribute("href")
        rows = list(csv.DictReader(io.StringIO(page.request.get(self.live_server_url + csv_url).text())))
        self.assertEqual(len(rows), 7)
        self.assertTrue(all(row["kind"] == "summit" for row in rows))

        # Search from the header; a misspelt name still finds the member.
        misspelt = "Kazakstan" if connection.vendor == "postgresql" else "Turkiye"
        expected = "Kazakhstan" if connection.vendor == "postgresql" else "Türkiye"
        page.goto(f"{self.live_server_url}/")
        page.locator("#site-search-q").fill(misspelt)
        page.locator("#site-search-q").press("Enter")
        page.wait_for_url(re.compile(r"/search/\?q="))
        self.assertIn(expected, self.member_names())

        # The 1992 proposal is on the timeline.
        page.goto(f"{self.live_server_url}/timeline/")
        year_1992 = page.locator("#y1992").locator("xpath=..")
        self.assertIn("Proposal of CICA", year_1992.inner_text())


@pytest.mark.browser
class LanguageBrowserTests(BrowserTestCase):
    """As a Russian reader: offered Russian, filter in Russian, switch to English on the same filtered page."""

    def setUp(self):
        call_command("load_cica", stdout=io.StringIO())

    def test_a_russian_browser_filters_in_russian_and_switches_to_english_on_the_same_page(self):
        context = self.browser.new_context(locale="ru-RU", viewport={"width": 390, "height": 844})
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))

        # The English URL stays English, but the page offers Russian to this browser.
        page.goto(f"{self.live_server_url}/members/")
        self.assertEqual(page.locator("html").get_attribute("lang"), "en")
        offer = page.locator("[data-language-offer=ru]")
        offer.wait_for(state="visible")
        self.assertEqual(offer.get_attribute("lang"), "ru")
        offer.get_by_role("link").click()
        page.wait_for_url(f"{self.live_server_url}/ru/members/")
        self.assertEqual(page.locator("html").get_attribute("lang"), "ru")
        self.assertEqual(page.locator("h1").inner_text(), "Государства-члены и наблюдатели")
        self.assertFalse(page.locator("[data-language-offer]").first.is_visible())  # Russian is what it prefers

        # Filter by dimension, with the Russian form.
        page.get_by_label("Измерение").select_option("economic")
        page.locator("main form button[type=submit]").first.click()
        page.wait_for_url(re.compile(r"/ru/members/\?.*dimension=economic"))
        names = page.eval_on_selector_all(
            "main h2 a[href^='/ru/members/']", "els => els.map(a => a.textContent.trim())"
        )
        self.assertEqual(sorted(names), ["Азербайджан", "Китай", "Кыргызстан", "Россия"])

        # Switch to English: the same filtered page.
        page.get_by_role("navigation", name="Язык").get_by_role("link", name="English").click()
        page.wait_for_url(re.compile(r"/members/\?.*dimension=economic"))
        self.assertNotIn("/ru/", page.url)
        self.assertEqual(page.locator("html").get_attribute("lang"), "en")
        names = page.eval_on_selector_all("main h2 a[href^='/members/']", "els => els.map(a => a.textContent.trim())")
        self.assertEqual(sorted(names), ["Azerbaijan", "China", "Kyrgyzstan", "Russia"])
        self.assertEqual(problems, [])
        context.close()


@pytest.mark.browser
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


@pytest.mark.browser
class EditorialWorkflowBrowserTests(StaffBrowserTestCase):
    """Issue 3's 'done when': an Editor writes a draft, a Publisher publishes it, the public sees it."""

    def test_editor_drafts_publisher_publishes_public_sees_it_with_its_flag(self):
        from members.models import Member
        from tests.factories import image_bytes

        context, page = self.log_in("erin")
        page.goto(f"{self.live_server_url}/admin/members/member/add/")
        page.locator("#id_name_en").press_sequentially("Newland")
        page.fill("#id_name_ru", "Ньюленд")  # both languages on one form
        self.assertEqual(page.input_value("#id_slug"), "newland")  # the admin's slug script ran
        page.select_option("#id_status", "member")
        page.set_input_files(
            "#id_flag", files=[{"name": "flag.png", "mimeType": "image/png", "buffer": image_bytes()}]
        )
        page.fill("#id_flag_alt_en", "Flag of Newland")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/members/member/$"))
        self.assertIn("Draft", page.locator("#result_list").inner_text())
        member = Member.objects.get(slug="newland")
        self.assertEqual(member.publication_status, "draft")
        self.assertEqual(self.public_status("/members/newland/"), 404)

        # The editor's preview shows the draft under its banner.
        page.goto(f"{self.live_server_url}/members/newland/")
        self.assertIn("Draft, not public.", page.locator(".preview-banner").inner_text())
        # Publication is a Publisher's decision: the editor sees it, read-only.
        page.goto(f"{self.live_server_url}/admin/members/member/{member.pk}/change/")
        self.assertEqual(page.locator("#id_publication_status").count(), 0)
        self.assertIn("Draft", page.locator(".field-publication_status .readonly").inner_text())
        context.close()
        self.assertEqual(self.public_status("/members/newland/"), 404)

        context, page = self.log_in("paul")
        page.goto(f"{self.live_server_url}/admin/members/member/{member.pk}/change/")
        page.select_option("#id_publication_status", "published")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/members/member/$"))
        context.close()

        public = self.browser.new_context()
        page = public.new_page()
        self.assertEqual(page.goto(f"{self.live_server_url}/members/newland/").status, 200)
        self.assertEqual(page.locator("h1").inner_text().strip(), "Newland")
        flag = page.locator("img[alt='Flag of Newland']").first
        self.assertTrue(flag.evaluate("img => img.complete && img.naturalWidth > 0"))
        public.close()


@pytest.mark.browser
class ReviewWorkflowBrowserTests(StaffBrowserTestCase):
    """Issue 11's 'done when': a live meeting edited, reviewed, sent back, fixed and approved, in both languages."""

    def setUp(self):
        super().setUp()
        from django.contrib.auth import get_user_model

        from tests.factories import make_document, make_event

        for username in ("erin", "paul"):
            get_user_model().objects.filter(username=username).update(email=f"{username}@example.org")
        self.event = make_event(title="Sixth CICA Summit", summary="Leaders met in Astana.", slug="sixth-summit")
        self.event.summary_ru = "Лидеры встретились в Астане."
        self.event.save()
        make_document(event=self.event, title="Astana Statement")

    def public_text(self, path):
        context = self.browser.new_context()
        page = context.new_page()
        self.assertEqual(page.goto(f"{self.live_server_url}{path}").status, 200)
        text = page.locator("main").inner_text()
        context.close()
        return text

    def review(self, page, action, comment=""):
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/review/")
        if comment:
            page.fill("#id_comment", comment)
        page.click(f"button[value={action}]")
        page.wait_for_load_state()

    def test_editor_edits_a_live_meeting_publisher_sends_back_then_approves(self):
        from django.core import mail

        en, ru = self.event.get_absolute_url(), f"/ru{self.event.get_absolute_url()}"
        context, page = self.log_in("erin")
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/change/")
        self.assertIn("You are editing its working copy", page.locator(".editorial-panel--copy").inner_text())
        page.fill("#id_summary_en", "Leaders adopted the Astana Statement.")
        page.fill("#id_summary_ru", "Лидеры приняли Астанинское заявление.")
        page.click("#documents-group .add-row a")
        page.fill("#id_documents-1-title_en", "Statement on the 30th anniversary")
        page.select_option("#id_documents-1-kind", "statement")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        self.assertIn("Saved in the working copy", page.locator(".messagelist").inner_text())
        # The public sees nothing of it, in either language; the editor's preview shows it all.
        for path, old in ((en, "Leaders met in Astana."), (ru, "Лидеры встретились в Астане.")):
            text = self.public_text(path)
            self.assertIn(old, text)
            self.assertNotIn("30th anniversary", text)
        page.goto(f"{self.live_server_url}{ru}")
        self.assertIn("Лидеры приняли Астанинское заявление.", page.locator("main").inner_text())
        self.assertIn("Statement on the 30th anniversary", page.locator("main").inner_text())
        self.review(page, "submit", "Adds the anniversary statement.")
        self.assertEqual([m.to for m in mail.outbox], [["paul@example.org"]])
        context.close()

        context, page = self.log_in("paul")
        self.assertIn("Waiting for review (1)", page.locator("#review-queue").inner_text())
        page.click("#review-queue a")
        self.assertIn("Statement on the 30th anniversary", page.locator("#content-main").inner_text())
        self.review(page, "send_back", "Name the summit's year in the summary.")
        self.assertEqual(mail.outbox[-1].to, ["erin@example.org"])
        self.assertIn("Name the summit's year", mail.outbox[-1].body)
        context.close()

        context, page = self.log_in("erin")
        self.assertIn("Sent back for changes", page.locator("#review-queue").inner_text())
        page.goto(f"{self.live_server_url}/admin/events/event/{self.event.pk}/change/")
        self.assertEqual(page.input_value("#id_summary_en"), "Leaders adopted the Astana Statement.")
        page.fill("#id_summary_en", "In 2022 leaders adopted the Astana Statement.")
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        self.review(page, "submit")
        context.close()

        context, page = self.log_in("paul")
        self.review(page, "approve", "Thank you.")
        self.assertIn("Approved", page.locator(".messagelist").inner_text())
        context.close()
        self.assertEqual(len(mail.outbox), 4)
        self.assertIn("Published", mail.outbox[-1].subject)
        text = self.public_text(en)
        self.assertIn("In 2022 leaders adopted the Astana Statement.", text)
        self.assertIn("Statement on the 30th anniversary", text)
        self.assertIn("Лидеры приняли Астанинское заявление.", self.public_text(ru))


@pytest.mark.browser
class RichTextBrowserTests(StaffBrowserTestCase):
    """Issue 13's 'done when': a Publisher writes a meeting's Russian body with a bold phrase and an
    internal link, pastes a hostile snippet too, and the public Russian page shows the first two only."""

    HOSTILE = (
        '<p>Вставка<img src=x onerror="window.pwned=1"><script>window.pwned=2</script> '
        '<a href="javascript:window.pwned=3">ссылка</a><span style="color:red" onclick="window.pwned=4">!</span></p>'
    )

    def test_bold_and_an_internal_link_in_russian_reach_the_public_page_a_pasted_attack_does_not(self):
        from events.models import Event
        from tests.factories import make_event, make_member

        make_member(name="Kazakhstan", name_ru="Казахстан", slug="kazakhstan")
        event = make_event(title="Sixth CICA Summit", title_ru="Шестой саммит СВМДА", slug="sixth-cica-summit-2022")
        context, page = self.log_in("paul")
        problems = []
        page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.goto(f"{self.live_server_url}/admin/events/event/{event.pk}/change/")
        editor = page.locator(".prose-editor:has(#id_body_ru)")
        editor.locator(".tiptap").click()
        page.keyboard.type("Саммит прошёл в Астане. ")
        page.keyboard.press("Control+b")
        page.keyboard.type("Принята декларация")
        page.keyboard.press("Control+b")
        page.keyboard.type(". Председатель — Казахстан")
        for _ in "Казахстан":  # select the word just typed
            page.keyboard.press("Shift+ArrowLeft")
        editor.locator("button[data-name=internalLink]").click()
        dialog = page.locator("dialog.richtext-links")
        dialog.get_by_label("Find a member, meeting, document or initiative").fill("Казах")
        dialog.locator(".richtext-links__choice", has_text="Казахстан").click()
        page.keyboard.press("End")
        self.assertEqual(problems, [])  # the editor itself: no CSP report, no script error
        # A paste from a web page, as the browser hands it to the editor.
        editor.locator(".tiptap").evaluate(
            """(el, html) => {
                const data = new DataTransfer();
                data.setData("text/html", html);
                data.setData("text/plain", "Вставка ссылка!");
                el.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
            }""",
            self.HOSTILE,
        )
        # While the editor reads the pasted HTML, the page's CSP refuses the snippet's handlers and
        # styles (and says so in the console): nothing of it runs, even before the server cleans it.
        self.assertEqual(page.evaluate("window.pwned"), None)
        self.assertEqual([p for p in problems if "violates the following Content Security Policy" not in p], [])
        page.click("input[name=_save]")
        page.wait_for_url(re.compile(r"/admin/events/event/$"))
        context.close()

        visitor = self.browser.new_context()
        public = visitor.new_page()
        public.goto(f"{self.live_server_url}/ru/events/sixth-cica-summit-2022/")
        body = public.locator("main .prose")
        self.assertEqual(body.locator("strong").inner_text(), "Принята декларация")
        link = body.locator("a", has_text="Казахстан")
        self.assertEqual(link.get_attribute("href"), "/ru/members/kazakhstan/")  # relative, in Russian
        self.assertIsNone(link.get_attribute("rel"))
        self.assertIn("Вставка", body.inner_text())  # the pasted text stays
        body_html = body.inner_html()
        for attack in ("<script", "onerror", "onclick", "javascript:", "style=", "pwned"):
            self.assertNotIn(attack, body_html)
        self.assertNotIn("pwned", public.content())
        self.assertIsNone(public.evaluate("window.pwned"))
        link.click()
        public.wait_for_url(re.compile(r"/ru/members/kazakhstan/$"))
        visitor.close()
        stored = Event.objects.get(pk=event.pk).body_ru
        self.assertIn("<strong>Принята декларация</strong>", stored)
        self.assertNotIn("pwned", stored)
