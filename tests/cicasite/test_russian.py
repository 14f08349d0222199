"""Russian as a CICA editor writes it: every page kind, read against cicasite/data/glossary.ru.csv.

The glossary lists each name choice with its source and the forms not to use. These
tests load the real content (cicasite/data/cica.json and cica.ru.json), render every
kind of public page, feed and calendar in Russian, and read what a Russian reader
reads: visible text and the attributes shown or read aloud, outside lang="en"
(English source titles, fallbacks) and outside addresses.
"""

import csv
import json
import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import polib
from django.conf import settings
from django.test import RequestFactory, SimpleTestCase, TestCase
from django.utils import translation

from cicasite import dates
from cicasite.templatetags.i18n_content import term_years
from cicasite.views import server_error
from events.models import Event
from initiatives.models import Chairmanship, Initiative
from tests.content import load_content

ROOT = Path(settings.BASE_DIR)
GLOSSARY = ROOT / "cicasite" / "data" / "glossary.ru.csv"
RUSSIAN_CONTENT = ROOT / "cicasite" / "data" / "cica.ru.json"
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"

# Every page kind, in Russian (filters in their canonical order; redirects are followed anyway).
PAGES = [
    "/ru/",
    "/ru/members/",
    "/ru/members/?dimension=economic&role=coordinator",
    "/ru/members/?status=observer_state",
    "/ru/members/kazakhstan/",
    "/ru/members/kyrgyzstan/",
    "/ru/members/united-nations/",
    "/ru/dimensions/",
    "/ru/dimensions/economic/",
    "/ru/events/",
    "/ru/events/?kind=soc",
    "/ru/events/first-cica-summit-2002/",
    "/ru/events/sixth-cica-summit-2022/",
    "/ru/events/seventh-cica-summit-2026/",
    "/ru/initiatives/",
    "/ru/initiatives/?status=achieved",
    "/ru/initiatives/cica-fund/",
    "/ru/initiatives/cica-development-bank/",
    "/ru/about/",
    "/ru/timeline/",
    "/ru/search/?q=саммит",
    "/ru/search/?q=Алматы",
    "/ru/data/",
    "/ru/members/no-such-member/",  # the 404 page
]
FEEDS = ["/ru/events/feed/", "/ru/initiatives/feed/"]
CALENDARS = ["/ru/events/calendar.ics", "/ru/events/sixth-cica-summit-2022/calendar.ics"]

MONTHS_IN_A_DATE = "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря"
MONTHS_ALONE = "январь|февраль|март|апрель|май|июнь|июль|август|сентябрь|октябрь|ноябрь|декабрь"
ENGLISH_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
# Any date style but the house style ("19 марта 2024 г.", "март 2024 г.", "2024 г.").
WRONG_DATES = [
    ("a day date without «г.»", re.compile(rf"\b\d{{1,2}}\s(?:{MONTHS_IN_A_DATE})\s\d{{4}}\b(?!\s?г\.)")),
    ("a month and year without «г.»", re.compile(rf"\b(?:{MONTHS_ALONE})\s\d{{4}}\b(?!\s?г\.)", re.IGNORECASE)),
    ("a capitalised month before a year", re.compile(rf"\b(?:{MONTHS_ALONE.title()})\s\d{{4}}\b")),
    ("an English month", re.compile(rf"\b(?:{ENGLISH_MONTHS})\b")),
    ("a numeric date", re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b")),
]
LATIN_CICA = re.compile(r"\bCICA\b")


def glossary():
    """The glossary's rows, as editors edit them."""
    with GLOSSARY.open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def forbidden_forms():
    """(term, form) for every form in the glossary's "do not use" column ("a | b | c")."""
    return [(row["term"], form.strip()) for row in glossary() for form in row["do_not_use"].split("|") if form.strip()]


class RussianReading(HTMLParser):
    """What a Russian reader reads on a page: text and shown attributes outside lang="en" and addresses.

    Collects, separately: the Russian text, the text of each <time>, and each <dl>'s labels and values.
    """

    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
    SKIP = {"script", "style", "code", "pre"}  # machine data and code samples (the data page's field names)
    READ_ATTRIBUTES = ("title", "alt", "aria-label", "placeholder", "label")
    READ_META = ("description", "og:title", "og:description", "og:site_name")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, language)
        self.skip = 0
        self.texts = []
        self.times = []
        self.lists = []  # [{"dt": [...], "dd": [...]}]
        self.capture = None  # (kind, parts) while inside <time>, <dt> or <dd>

    @property
    def language(self):
        return self.stack[-1][1] if self.stack else "ru"

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        language = (attrs.get("lang") or self.language).lower()
        if language == "ru" or language.startswith("ru-"):
            if tag == "meta" and (attrs.get("name") or attrs.get("property")) in self.READ_META:
                self.texts.append(attrs.get("content") or "")
            self.texts.extend(attrs[name] for name in self.READ_ATTRIBUTES if attrs.get(name))
        if tag in self.VOID:
            return
        self.stack.append((tag, language))
        if tag in self.SKIP:
            self.skip += 1
        elif tag == "dl":
            self.lists.append({"dt": [], "dd": []})
        elif tag in ("time", "dt", "dd") and self.capture is None:
            self.capture = (tag, [])

    def handle_endtag(self, tag):
        if tag in self.VOID or tag not in (t for t, _ in self.stack):
            return
        while self.stack:
            opened, _ = self.stack.pop()
            if opened in self.SKIP:
                self.skip -= 1
            if self.capture and opened == self.capture[0]:
                kind, parts = self.capture
                text = " ".join("".join(parts).split())
                if kind == "time":
                    self.times.append(text)
                elif self.lists:
                    self.lists[-1][kind].append(text)
                self.capture = None
            if opened == tag:
                break

    def handle_data(self, data):
        if self.skip:
            return
        if self.capture:
            self.capture[1].append(data)
        if self.language == "ru":
            self.texts.append(data)

    @property
    def text(self):
        return " ".join(" ".join(self.texts).split())


def read_html(html):
    reader = RussianReading()
    reader.feed(html)
    reader.close()
    return reader


def read_feed(xml):
    """The text of an Atom feed a reader sees: titles, subtitles, authors, categories and summaries."""
    root = ElementTree.fromstring(xml)
    texts = []
    for element in root.iter():
        name = element.tag.rsplit("}", 1)[-1]
        if name in ("title", "subtitle", "name", "summary", "content", "rights") and element.text:
            texts.append(read_html(element.text).text)  # summaries are escaped HTML
        if name == "category":
            texts.append(element.get("label") or element.get("term") or "")
    return " ".join(texts)


def read_calendar(text):
    """The text of an iCalendar file a reader sees: names, summaries, descriptions and places, URLs left out."""
    unfolded = re.sub(r"\r?\n[ \t]", "", text)
    texts = []
    for line in unfolded.splitlines():
        name, _, value = line.partition(":")
        if name.split(";")[0] in ("X-WR-CALNAME", "X-WR-CALDESC", "SUMMARY", "DESCRIPTION", "LOCATION", "COMMENT"):
            value = value.replace("\\n", " ").replace("\\,", ",").replace("\\;", ";")
            texts.append(re.sub(r"https?://\S+", "", value))
    return " ".join(texts)


def problems_in(text):
    """Every glossary "do not use" form, Latin CICA and wrong date style in a Russian text."""
    found = []
    for term, form in forbidden_forms():
        if re.search(rf"(?<!\w){re.escape(form)}(?!\w)", text):
            found.append(f"«{form}» (glossary: {term})")
    found += [f"Latin CICA: …{text[max(m.start() - 30, 0) : m.end() + 30]}…" for m in LATIN_CICA.finditer(text)]
    for what, pattern in WRONG_DATES:
        found += [f"{what}: «{m.group()}»" for m in pattern.finditer(text)]
    return found


class GlossaryFileTests(SimpleTestCase):
    def test_every_name_choice_has_a_use_and_a_source(self):
        rows = glossary()
        self.assertGreaterEqual(len(rows), 20)
        for row in rows:
            with self.subTest(term=row["term"]):
                self.assertEqual(set(row), {"term", "use", "do_not_use", "source"})  # no stray column
                self.assertTrue(row["use"].strip())
                self.assertTrue(row["source"].strip())

    def test_the_forms_not_to_use_include_cicas_own_usage(self):
        forms = {form for _, form in forbidden_forms()}
        for form in ("CICA", "Алма-Ата", "Алма-Атинский акт", "Киргизия", "Совет старейшин"):
            self.assertIn(form, forms)
        self.assertIn("Совещание Комитета старших должностных лиц", forms)


def strings(tree):
    """Every string value of a JSON document (its keys are the English texts translated)."""
    if isinstance(tree, dict):
        for value in tree.values():
            yield from strings(value)
    elif isinstance(tree, list):
        for value in tree:
            yield from strings(value)
    elif isinstance(tree, str):
        yield tree


class RussianSourceTextTests(SimpleTestCase):
    """The Russian content file and the interface catalogue follow the glossary, including the
    records and messages no page test renders (admin, other meetings, error messages)."""

    def test_russian_content_uses_cicas_russian(self):
        texts = list(strings(json.loads(RUSSIAN_CONTENT.read_text(encoding="utf-8"))))
        self.assertGreater(len(texts), 300)
        self.assertEqual([(text[:80], problems_in(text)) for text in texts if problems_in(text)], [])

    def test_russian_interface_uses_cicas_russian(self):
        catalogue = polib.pofile(str(CATALOGUE))
        texts = [entry.msgstr for entry in catalogue] + [
            text for entry in catalogue for text in entry.msgstr_plural.values()
        ]
        self.assertGreater(len(texts), 500)
        self.assertEqual([(text[:80], problems_in(text)) for text in texts if problems_in(text)], [])


class ReaderTests(SimpleTestCase):
    """The checks can fail: they find what the glossary forbids, and leave English and addresses alone."""

    def test_finds_forbidden_forms_latin_cica_and_wrong_dates_in_russian_text(self):
        html = (
            '<html lang="ru"><head><title>Мероприятия · CICA</title>'
            '<meta property="og:site_name" content="CICA"></head><body>'
            "<p>Саммит в Алма-Ате, 4 июня 2002, Киргизия.</p><p>Март 2024 г., June 2021</p>"
            '<p><a href="https://s-cica.org/CICA/">ссылка</a> <span lang="en">CICA release (2023)</span></p>'
            "</body></html>"
        )
        found = problems_in(read_html(html).text)
        self.assertEqual(sum("Latin CICA" in problem for problem in found), 2)  # the title and og:site_name
        self.assertTrue(any("Алма-Ате" in problem for problem in found))
        self.assertTrue(any("Киргизия" in problem for problem in found))
        self.assertTrue(any("4 июня 2002" in problem for problem in found))
        self.assertTrue(any("Март 2024" in problem for problem in found))
        self.assertTrue(any("June" in problem for problem in found))

    def test_the_house_style_passes(self):
        html = (
            '<html lang="ru"><body><p>СВМДА, Алматы, Кыргызстан: 19 марта 2024 г., март 2024 г., 2024 г., '
            '11–12 октября 2021 г., 2020–2024 гг.</p><p lang="en">Almaty, CICA, 4 June 2002</p></body></html>'
        )
        self.assertEqual(problems_in(read_html(html).text), [])


class RussianDateTests(SimpleTestCase):
    def test_dates_in_russian_have_one_style(self):
        with translation.override("ru"):
            self.assertEqual(dates.day(date(2024, 3, 19)), "19 марта 2024 г.")
            self.assertEqual(dates.month(date(2024, 3, 1)), "март 2024 г.")
            self.assertEqual(dates.year(2024), "2024 г.")
            self.assertEqual(dates.year(date(2024, 1, 1)), "2024 г.")
            self.assertEqual(dates.day_range(date(2021, 10, 11), date(2021, 10, 12)), "11–12 октября 2021 г.")
            self.assertEqual(dates.day_range(date(2021, 9, 30), date(2021, 10, 2)), "30 сентября – 2 октября 2021 г.")
            new_year = dates.day_range(date(2021, 12, 31), date(2022, 1, 1))
            self.assertEqual(new_year, "31 декабря 2021 г. – 1 января 2022 г.")
            self.assertEqual(dates.years(2020, 2024), "2020–2024 гг.")
            self.assertEqual(dates.years(2024), "с 2024 г.")

    def test_dates_in_english_keep_their_style(self):
        with translation.override("en"):
            self.assertEqual(dates.day(date(2024, 3, 19)), "19 March 2024")
            self.assertEqual(dates.month(date(2024, 3, 1)), "March 2024")
            self.assertEqual(dates.year(2024), "2024")
            self.assertEqual(dates.day_range(date(1996, 2, 7), date(1996, 2, 8)), "7 February 1996 – 8 February 1996")
            self.assertEqual(dates.years(2020, 2024), "2020–2024")
            self.assertEqual(dates.years(2024), "2024–")


class TermOfOfficeTests(SimpleTestCase):
    def test_terms_of_office_in_russian_read_as_dates(self):
        with translation.override("ru"):
            self.assertEqual(term_years(2006, 2008), "2006–2008 гг.")
            self.assertEqual(term_years(2020, None), "с 2020 г. по настоящее время")
            self.assertEqual(term_years(None, 2014), "по 2014 г.")
            self.assertEqual(term_years(None, None), "в должности")

    def test_terms_of_office_in_english_are_unchanged(self):
        with translation.override("en"):
            self.assertEqual(term_years(2006, 2008), "2006–2008")
            self.assertEqual(term_years(2020, None), "2020–present")
            self.assertEqual(term_years(None, 2014), "–2014")
            self.assertEqual(term_years(None, None), "in office")


class StatusLabelTests(SimpleTestCase):
    def test_status_labels_agree_with_the_noun_of_their_model(self):
        with translation.override("ru"):
            # мероприятие (neuter) состоялось; инициатива (feminine) реализована
            self.assertEqual(str(Event.Status.HELD.label), "Состоялось")
            self.assertEqual(str(Event.Status.PLANNED.label), "Запланировано")
            self.assertEqual(str(Initiative.Status.PROPOSED.label), "Предложена")
            self.assertEqual(str(Initiative.Status.IN_PROGRESS.label), "Реализуется")
            self.assertEqual(str(Initiative.Status.ACHIEVED.label), "Реализована")

    def test_each_models_status_labels_have_their_own_context(self):
        models = ((Event.Status, "status of a meeting"), (Initiative.Status, "status of an initiative"))
        for choices, context in models:
            for label in choices.labels:
                with self.subTest(label=str(label)):
                    self.assertEqual(label._args[0], context)  # pgettext_lazy(context, message)


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
