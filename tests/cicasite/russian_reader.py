"""Reading Russian as a CICA editor does: the glossary, the house style of dates, and a reader of
pages, feeds and calendars that sees what a Russian reader sees (tests/cicasite/test_russian*.py)."""

import csv
import re
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

from django.conf import settings

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
