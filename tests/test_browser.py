"""Real-browser tests of the public site (tests/browser.py: chromium, Playwright, the skip rule)."""

import io
import re

import pytest

from tests.browser import MEMBER_LINK, BrowserTestCase, requires_chromium
from tests.content import load_content

pytestmark = requires_chromium


@pytest.mark.browser
class MemberFilterBrowserTests(BrowserTestCase):
    def setUp(self):
        load_content()

    def member_names(self, page):
        """The members a page lists (the members map, which names some of them too, aside)."""
        links = page.eval_on_selector_all(
            "main a[href]:not(.members-map a)", "els => els.map(a => [a.getAttribute('href'), a.textContent.trim()])"
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
        page.locator("summary", has_text="Filters").click()  # folded on a phone
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

        load_content()
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
        load_content()
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
        load_content()

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

        # Filter by dimension, with the Russian form, folded on a phone.
        page.locator("summary", has_text="Фильтры").click()
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
