"""Issue 15, the phone layout, measured in chromium at 390 × 844 and checked again at 1280 × 900.

Phones get the results first: a header of two rows whose links fold behind "Menu", and filters folded
behind a summary that counts the active ones, both <details> that work without JavaScript. Wide screens
keep the links and the filters open, as before. Wide tables scroll inside their own labelled box.
"""

import re

import pytest

from tests.browser import BrowserTestCase, requires_chromium
from tests.content import load_content

pytestmark = requires_chromium

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}

# What a list shows as its results: cards, meetings, or (/dimensions/) the five dimension cards,
# which come before the coordination matrix that the filters narrow.
FIRST_RESULT = "main .card-grid > li, main .event-list > li, main .matrix__table tbody tr"

HEIGHT = "el => el.getBoundingClientRect().height"
TOP = "el => el.getBoundingClientRect().top"
OVERFLOW = "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.mark.browser
class PhoneLayoutBrowserTests(BrowserTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.phone = cls.browser.new_context(viewport=PHONE)
        cls.phone_ru = cls.browser.new_context(viewport=PHONE, locale="ru-RU")
        cls.phone_no_js = cls.browser.new_context(viewport=PHONE, java_script_enabled=False)
        cls.desktop = cls.browser.new_context(viewport=DESKTOP)
        for context in (cls.phone, cls.phone_ru, cls.phone_no_js, cls.desktop):
            context.set_default_timeout(10_000)  # a hidden control fails in seconds, not half a minute

    @classmethod
    def tearDownClass(cls):
        for context in (cls.phone, cls.phone_ru, cls.phone_no_js, cls.desktop):
            context.close()
        super().tearDownClass()

    def setUp(self):
        load_content()

    def open(self, context, path):
        page = context.new_page()
        self.addCleanup(page.close)
        response = page.goto(f"{self.live_server_url}{path}")
        self.assertEqual(response.status, 200, path)
        return page

    def test_the_header_takes_at_most_140_px_of_a_phone_screen(self):
        for context, path in ((self.phone, "/"), (self.phone, "/members/"), (self.phone_ru, "/ru/members/")):
            with self.subTest(path):
                page = self.open(context, path)
                self.assertLessEqual(page.locator(".site-header").evaluate(HEIGHT), 140)
                # Brand, menu, language and a labelled search box are all on that first screen.
                self.assertTrue(page.locator(".site-header__brand").is_visible())
                self.assertTrue(page.locator(".site-nav summary").is_visible())
                self.assertTrue(page.get_by_role("navigation", name=re.compile("Language|Язык")).is_visible())
                self.assertTrue(page.get_by_role("searchbox", name=re.compile("Search the site|Поиск")).is_visible())

    def test_the_menu_opens_and_leads_on_without_javascript(self):
        page = self.open(self.phone_no_js, "/members/")
        meetings = page.get_by_role("link", name="Meetings", exact=True)
        self.assertFalse(meetings.is_visible())  # folded
        page.locator(".site-nav summary").click()
        self.assertTrue(meetings.is_visible())
        self.assertLessEqual(page.locator(".site-header").evaluate(HEIGHT), 350)  # eight links, two columns
        meetings.click()
        page.wait_for_url(f"{self.live_server_url}/events/")
        self.assertEqual(page.locator("h1").inner_text(), "Meetings")

    def test_the_menu_works_from_the_keyboard_in_reading_order(self):
        page = self.open(self.phone, "/")
        focused = "() => document.activeElement.textContent.trim()"
        page.keyboard.press("Tab")  # the skip link
        page.keyboard.press("Tab")
        self.assertIn("Conference on Interaction", page.evaluate(focused))
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate(focused), "Menu")
        page.keyboard.press("Enter")
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate(focused), "Home")  # the links come right after their button
        for _ in range(8):  # Home ... About
            page.keyboard.press("Tab")
        self.assertEqual(page.evaluate(focused), "Русский")  # then the language, then the search
        page.keyboard.press("Tab")
        self.assertEqual(page.evaluate("() => document.activeElement.id"), "site-search-q")

    def test_every_control_in_the_header_and_filters_is_at_least_24_px(self):
        page = self.open(self.phone, "/members/?dimension=economic&role=coordinator")
        page.locator(".site-nav summary").click()
        page.locator(".filter-panel summary").click()
        sizes = page.eval_on_selector_all(
            ".site-header a, .site-header summary, .site-header input, .site-header button, "
            ".filter-panel summary, .filter-panel select, .filter-panel input, .filter-panel .button, .chip",
            "els => els.filter(e => e.getClientRects().length).map(e => [e.textContent.trim() || e.id,"
            " e.getBoundingClientRect().width, e.getBoundingClientRect().height])",
        )
        self.assertGreater(len(sizes), 20)
        for name, width, height in sizes:
            with self.subTest(name):
                self.assertGreaterEqual(min(width, height), 24)

    def test_the_first_result_is_on_the_first_screen_with_filters_active(self):
        lists = {
            "/members/?dimension=economic&role=coordinator": "Filters (2 active)",
            "/members/?q=a&dimension=human&role=coordinator&status=member": "Filters (4 active)",
            "/events/?kind=summit&dimension=economic": "Filters (2 active)",
            "/initiatives/?dimension=economic": "Filters (1 active)",
            "/dimensions/?dimension=economic&status=member": "Filters (2 active)",
            "/ru/members/?dimension=economic&role=coordinator": "Фильтры (2 активно)",
            "/ru/events/?kind=summit": "Фильтры (1 активен)",
        }
        for path, summary in lists.items():
            with self.subTest(path):
                page = self.open(self.phone_ru if path.startswith("/ru/") else self.phone, path)
                self.assertEqual(page.locator(".filter-panel summary").inner_text(), summary)
                self.assertFalse(page.locator(".filter-form").is_visible())  # folded
                self.assertLess(page.locator(FIRST_RESULT).first.evaluate(TOP), PHONE["height"])

    def test_filters_without_any_active_say_so_plainly(self):
        page = self.open(self.phone, "/events/")
        self.assertEqual(page.locator(".filter-panel summary").inner_text(), "Filters")
        self.assertLess(page.locator(FIRST_RESULT).first.evaluate(TOP), PHONE["height"])

    def test_a_value_not_understood_opens_the_filters_to_show_it(self):
        page = self.open(self.phone, "/members/?dimension=nowhere&role=coordinator")
        self.assertEqual(page.locator(".filter-panel summary").inner_text(), "Filters (1 active)")
        self.assertTrue(page.get_by_label("Dimension").is_visible())

    def test_filters_apply_on_a_phone_without_javascript(self):
        page = self.open(self.phone_no_js, "/ru/members/")
        page.locator(".filter-panel summary").click()
        page.get_by_label("Измерение").select_option("economic")
        page.get_by_label("Роль").select_option("coordinator")
        page.get_by_role("button", name="Применить фильтры").click()
        page.wait_for_url(re.compile(r"/ru/members/\?dimension=economic&role=coordinator$"))
        self.assertEqual(page.locator(".filter-panel summary").inner_text(), "Фильтры (2 активно)")
        self.assertEqual(page.locator(FIRST_RESULT).count(), 2)

    def test_a_phone_picks_several_filters_before_applying(self):
        page = self.open(self.phone, "/members/")
        page.locator(".filter-panel summary").click()
        page.get_by_label("Dimension").select_option("economic")
        page.wait_for_timeout(300)
        self.assertEqual(page.url, f"{self.live_server_url}/members/")  # no submit on change: the panel stays
        page.get_by_label("Role").select_option("coordinator")
        page.get_by_role("button", name="Apply filters").click()
        page.wait_for_url(re.compile(r"\?dimension=economic&role=coordinator$"))

    def test_no_page_scrolls_sideways_on_a_phone(self):
        paths = [
            "/",
            "/members/",
            "/members/?dimension=economic",
            "/members/kazakhstan/",
            "/dimensions/",
            "/dimensions/economic/",
            "/events/",
            "/events/sixth-cica-summit-2022/",
            "/initiatives/",
            "/timeline/",
            "/about/",
            "/data/",
            "/search/?q=summit",
            "/ru/",
            "/ru/members/",
            "/ru/about/",
        ]
        for path in paths:
            with self.subTest(path):
                page = self.open(self.phone_ru if path.startswith("/ru/") else self.phone, path)
                page.locator(".site-nav summary").click()  # open, the menu must fit too
                self.assertEqual(page.evaluate(OVERFLOW), 0)

    def test_a_wide_table_scrolls_in_its_own_labelled_box(self):
        for path in ("/about/", "/ru/about/", "/data/"):
            with self.subTest(path):
                page = self.open(self.phone, path)
                box = page.locator(".table-wrap").first
                self.assertEqual(box.get_attribute("role"), "region")
                self.assertTrue(box.evaluate("el => el.scrollWidth > el.clientWidth + 100"))  # it does scroll
                self.assertEqual(page.evaluate(OVERFLOW), 0)  # the page does not
                table = box.get_by_role("table")
                self.assertTrue(box.locator("caption").is_visible())
                self.assertTrue(table.evaluate("t => t.caption.textContent.trim().length > 10"))
                self.assertTrue(box.evaluate("el => el.getAttribute('aria-labelledby') && el.tabIndex === 0"))
                # Its caption stays within the box; the cue is painted (shadow backgrounds).
                right = box.evaluate("el => el.getBoundingClientRect().right")
                self.assertLessEqual(box.locator("caption").evaluate("el => el.getBoundingClientRect().right"), right)
                self.assertIn("radial-gradient", box.evaluate("el => getComputedStyle(el).backgroundImage"))
                # A keyboard user scrolls it once it has focus.
                box.focus()
                page.keyboard.press("ArrowRight")
                page.keyboard.press("ArrowRight")
                page.wait_for_function("el => el.scrollLeft > 0", arg=box.element_handle())

    def test_the_matrix_scrolls_in_its_box_between_phone_and_laptop(self):
        context = self.browser.new_context(viewport={"width": 800, "height": 900})
        self.addCleanup(context.close)
        page = self.open(context, "/dimensions/")
        box = page.locator(".matrix__scroll")
        self.assertTrue(box.evaluate("el => el.scrollWidth > el.clientWidth"))
        self.assertEqual(page.evaluate(OVERFLOW), 0)
        self.assertEqual(box.get_attribute("tabindex"), "0")

    def test_wide_screens_keep_links_and_filters_open(self):
        for path in ("/members/?dimension=economic&role=coordinator", "/ru/events/"):
            with self.subTest(path):
                page = self.open(self.desktop, path)
                self.assertFalse(page.locator(".site-nav summary").is_visible())
                self.assertFalse(page.locator(".filter-panel summary").is_visible())
                links = page.locator(".site-nav__link")
                self.assertEqual(links.count(), 8)
                tops = {round(top) for top in links.evaluate_all("els => els.map(e => e.getBoundingClientRect().top)")}
                self.assertEqual(len(tops), 1)  # one row, as before
                self.assertTrue(page.locator(".filter-form select").first.is_visible())
                self.assertTrue(page.locator(".filter-form button[type=submit]").is_visible())
                self.assertLessEqual(page.locator(".site-header").evaluate(HEIGHT), 230)
                self.assertEqual(page.evaluate(OVERFLOW), 0)
                # Still a navigation landmark with its links for screen readers, summary or not.
                nav = page.get_by_role("navigation", name=re.compile("Main|Основная"))
                self.assertEqual(nav.get_by_role("link").count(), 8)

    def test_wide_screens_still_submit_a_filter_on_change(self):
        page = self.open(self.desktop, "/members/")
        page.get_by_label("Dimension").select_option("economic")
        page.wait_for_url(re.compile(r"\?dimension=economic$"))
        self.assertEqual(page.locator(FIRST_RESULT).count(), 4)
