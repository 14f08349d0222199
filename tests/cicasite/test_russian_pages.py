"""Russian as a CICA editor writes it, on every kind of public page, feed, calendar and error page
(read by tests/cicasite/russian_reader.py against cicasite/data/glossary.ru.csv)."""

import re

from django.test import RequestFactory, SimpleTestCase, TestCase
from django.utils import translation

from cicasite.views import server_error
from initiatives.models import Chairmanship
from tests.cicasite.russian_reader import (
    CALENDARS,
    FEEDS,
    PAGES,
    forbidden_forms,
    problems_in,
    read_calendar,
    read_feed,
    read_html,
)
from tests.content import load_content


class RussianPagesTests(TestCase):
    """A Russian-reading pass of every page kind over the real content."""

    @classmethod
    def setUpTestData(cls):
        load_content()

    def get(self, url):
        response = self.client.get(url, follow=True)
        self.assertIn(response.status_code, (200, 404), url)
        return response

    def test_every_page_kind_reads_as_cicas_russian(self):
        self.assertGreater(len(forbidden_forms()), 20)
        for url in PAGES:
            with self.subTest(url=url):
                reader = read_html(self.get(url).content.decode())
                self.assertIn("СВМДА", reader.text)
                self.assertEqual(problems_in(reader.text), [])

    def test_feeds_and_calendars_read_as_cicas_russian(self):
        for url in FEEDS:
            with self.subTest(url=url):
                text = read_feed(self.get(url).content)
                self.assertIn("СВМДА", text)
                self.assertEqual(problems_in(text), [])
        for url in CALENDARS:
            with self.subTest(url=url):
                text = read_calendar(self.get(url).content.decode())
                self.assertIn("СВМДА", text)
                self.assertEqual(problems_in(text), [])

    def test_title_logo_footer_and_meta_say_svmda(self):
        html = self.get("/ru/").content.decode()
        self.assertRegex(html, r"<title>[^<]* · СВМДА</title>")
        self.assertIn('<meta property="og:site_name" content="СВМДА">', html)
        self.assertIn('<span class="site-header__logo" aria-hidden="true">СВМДА</span>', html)
        self.assertRegex(html, r'<abbr title="Совещание по взаимодействию и мерам доверия в Азии">СВМДА</abbr>')

    def test_dates_on_the_timeline_are_in_one_style(self):
        reader = read_html(self.get("/ru/timeline/").content.decode())
        self.assertGreater(len(reader.times), 30)
        for text in reader.times:
            with self.subTest(time=text):
                self.assertRegex(text, r"^(\d{1,2}(–\d{1,2})? [а-я]+ )?(\d{4}|[а-я]+ \d{4}) г\.$|^\d{4}–\d{4} гг\.$")

    def test_terms_of_the_secretariat_heads_are_in_one_style(self):
        html = self.get("/ru/about/").content.decode()
        terms = re.findall(r"<td>([^<]*(?:гг\.|г\.|по настоящее время|в должности))</td>", html)
        self.assertTrue(terms)
        self.assertNotIn("–по настоящее время", html)
        self.assertNotRegex(html, r"<td>\d{4}–\d{4}</td>")

    def test_meeting_dates_show_their_precision_in_russian(self):
        html = self.get("/ru/events/seventh-cica-summit-2026/").content.decode()
        self.assertIn("<dd>2026 г.</dd>", html)
        html = self.get("/ru/events/first-cica-summit-2002/").content.decode()
        self.assertIn("<dd>4 июня 2002 г.</dd>", html)
        self.assertContains(self.get("/ru/events/first-cica-summit-2002/"), "Акт</span> 4 июня 2002 г.")

    def test_no_label_repeats_as_its_own_value(self):
        for url in PAGES:
            with self.subTest(url=url):
                reader = read_html(self.get(url).content.decode())
                for group in reader.lists:
                    self.assertFalse(set(group["dt"]) & set(group["dd"]), group)

    def test_a_chairmanships_initiative_names_its_proposer_and_term_in_russian(self):
        response = self.get("/ru/initiatives/cica-fund/")
        self.assertContains(response, "Государство-председатель")
        self.assertContains(response, "Казахстан, 2020–2024 гг.")
        with translation.override("ru"):
            self.assertEqual(str(Chairmanship.objects.get(slug="kazakhstan-2020-2024")), "Казахстан, 2020–2024 гг.")

    def test_source_titles_in_english_are_marked_english(self):
        html = self.get("/ru/members/kazakhstan/").content.decode()
        titles = re.findall(r'<a class="sources__link" href="[^"]*" rel="external noopener"( lang="en")?>', html)
        self.assertTrue(titles)
        self.assertNotIn("", titles)  # every one carries lang="en"
        html = self.get("/ru/about/").content.decode()
        self.assertNotRegex(html, r'<(a|abbr) [^>]*title="[^"]*"(?![^>]*lang="en")[^>]*>S\d\d<')

    def test_cicas_russian_names_are_used(self):
        self.assertContains(self.get("/ru/members/kyrgyzstan/"), '<h1 class="page-header__title">Кыргызстан</h1>')
        response = self.get("/ru/events/first-cica-summit-2002/")
        self.assertContains(response, "Алматинский акт")
        self.assertContains(response, "Алматы, Казахстан")
        self.assertContains(self.get("/ru/events/?kind=soc"), "Заседание Комитета старших должностных лиц")
        self.assertContains(self.get("/ru/about/"), "Совет мудрецов")


class RussianErrorPageTests(SimpleTestCase):
    def test_error_pages_in_russian_say_so_and_name_svmda(self):
        request = RequestFactory().get("/ru/")
        with translation.override("ru"):
            html = server_error(request).content.decode()
        self.assertIn('<html lang="ru">', html)
        self.assertIn("<title>Ошибка сервера · СВМДА</title>", html)
        self.assertEqual(problems_in(read_html(html).text), [])
