"""The members map and the flags in chromium, at phone and desktop width (tests/browser.py)."""

import pytest

from tests.browser import BrowserTestCase, requires_chromium
from tests.content import load_content

pytestmark = requires_chromium

WIDTHS = (390, 1280)


@pytest.mark.browser
class MembersMapBrowserTests(BrowserTestCase):
    def setUp(self):
        load_content()

    def open(self, width, path):
        """A page at this width, with what chromium reported: console errors, CSP violations, failed requests."""
        context = self.browser.new_context(viewport={"width": width, "height": 900}, is_mobile=width == 390)
        page = context.new_page()
        problems = []
        page.on("console", lambda msg: msg.type in ("error", "warning") and problems.append(msg.text))
        page.on("pageerror", lambda exc: problems.append(str(exc)))
        page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
        page.on("response", lambda response: response.status >= 400 and problems.append(f"{response.status}"))
        page.goto(f"{self.live_server_url}{path}")
        page.wait_for_load_state("networkidle")
        self.addCleanup(context.close)
        return page, problems

    def drawn(self, page, receded):
        """Accessible names of the states drawn prominent (receded=False) or receded, by status."""
        return page.evaluate(
            """receded => {
                const out = {};
                for (const g of document.querySelectorAll('.members-map__states')) {
                    if (g.classList.contains('members-map__states--receded') !== receded) continue;
                    const status = g.classList.contains('members-map__states--member') ? 'member' : 'observer';
                    for (const a of g.querySelectorAll('a')) {
                        const box = a.getBoundingClientRect();
                        if (box.width > 0 && box.height > 0) (out[status] ||= []).push(a.getAttribute('aria-label'));
                    }
                }
                return out;
            }""",
            receded,
        )

    def test_the_map_shows_28_members_and_10_observer_states_at_both_widths(self):
        for width in WIDTHS:
            with self.subTest(width=width):
                page, problems = self.open(width, "/")
                states = self.drawn(page, receded=False)
                self.assertEqual((len(states["member"]), len(states["observer"])), (28, 10))
                self.assertIn("Bahrain", states["member"])
                svg = page.locator(".members-map__svg").bounding_box()
                self.assertLessEqual(svg["width"], width)  # fits the phone, no sideways scrolling
                self.assertGreater(svg["width"], width * 0.8 if width == 390 else 600)
                self.assertEqual(page.evaluate("document.documentElement.scrollWidth"), width)
                self.assertEqual(problems, [])

    def test_the_economic_dimension_stands_out_and_the_rest_recedes(self):
        for width in WIDTHS:
            with self.subTest(width=width):
                page, problems = self.open(width, "/members/?dimension=economic")
                self.assertEqual(
                    self.drawn(page, receded=False), {"member": ["Azerbaijan", "China", "Kyrgyzstan", "Russia"]}
                )
                receded = self.drawn(page, receded=True)
                self.assertEqual((len(receded["member"]), len(receded["observer"])), (24, 10))
                opacity = page.evaluate(
                    "getComputedStyle(document.querySelector('.members-map__states--receded')).opacity"
                )
                self.assertLess(float(opacity), 0.5)
                self.assertEqual(problems, [])

    def test_a_country_on_the_map_leads_to_its_page(self):
        for width in WIDTHS:
            with self.subTest(width=width):
                page, _ = self.open(width, "/")
                page.get_by_role("link", name="China", exact=True).click()
                page.wait_for_url(f"{self.live_server_url}/members/china/")
                self.assertEqual(page.locator("h1").inner_text(), "China")

    def test_flags_load_under_the_policy(self):
        for width in WIDTHS:
            with self.subTest(width=width):
                page, problems = self.open(width, "/members/?dimension=economic")
                flags = page.locator("img[src*='/static/flags/']")
                self.assertGreaterEqual(flags.count(), 8)  # the map's legend and the list's cards
                for i in range(flags.count()):
                    flag = flags.nth(i)
                    flag.scroll_into_view_if_needed()
                    flag.evaluate("img => img.decode()")
                    self.assertGreater(flag.evaluate("img => img.naturalWidth"), 0)
                    self.assertEqual(flag.get_attribute("alt"), "")
                self.assertEqual(problems, [])
