"""The site in English (at /...) and Russian (at /ru/...): interface, content, fallbacks, discovery."""

import ast
import io
import re
from html.parser import HTMLParser
from pathlib import Path

import polib
from django.conf import settings
from django.core.management import call_command
from django.test import SimpleTestCase, TestCase
from django.utils import translation
from django.utils.translation.template import templatize

from cicasite.core.models import Organ, Partner, SecretariatHead
from events.models import Document, Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member, PriorityArea, Region
from tests.content import load_content
from tests.factories import make_event, make_member

ROOT = Path(settings.BASE_DIR)
CATALOGUE = ROOT / "locale" / "ru" / "LC_MESSAGES" / "django.po"
COMPILED = CATALOGUE.with_suffix(".mo")
APPS = ("cicasite", "members", "events", "initiatives")
GETTEXT = {
    "_": ("msgid",),
    "gettext": ("msgid",),
    "gettext_lazy": ("msgid",),
    "ngettext": ("msgid", "plural"),
    "ngettext_lazy": ("msgid", "plural"),
    "pgettext": ("context", "msgid"),
    "pgettext_lazy": ("context", "msgid"),
    "npgettext": ("context", "msgid", "plural"),
    "npgettext_lazy": ("context", "msgid", "plural"),
}
# The calls that templatize() writes for {% translate %} and {% blocktranslate %}.
TEMPLATE_CALL = re.compile(r"\b(n?p?gettext)\(((?:u'(?:[^'\\]|\\.)*'(?:,\s*)?)+)")
STRING = re.compile(r"u'(?:[^'\\]|\\.)*'")


def message(function, strings):
    names = GETTEXT[function]
    values = dict(zip(names, strings, strict=False))
    return values.get("context"), values["msgid"]


def template_messages():
    """(context, msgid, where) of every message in the project's templates."""
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for function, arguments in TEMPLATE_CALL.findall(templatize(path.read_text(encoding="utf-8"))):
            strings = [ast.literal_eval(s) for s in STRING.findall(arguments)]
            yield (*message(function, strings), path.relative_to(ROOT))


def python_messages():
    """(context, msgid, where) of every gettext call with literal strings in the apps' code."""
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts or "data" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", getattr(node.func, "attr", None))
                if name not in GETTEXT:
                    continue
                strings = [
                    arg.value for arg in node.args if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
                ]
                if len(strings) >= len([n for n in GETTEXT[name] if n != "plural"]):
                    yield (*message(name, strings), path.relative_to(ROOT))


class CatalogueTests(SimpleTestCase):
    def test_every_interface_message_is_translated_into_russian(self):
        catalogue = {(entry.msgctxt, entry.msgid): entry for entry in polib.pofile(str(CATALOGUE))}
        used = list(template_messages()) + list(python_messages())
        self.assertGreater(len(used), 400)  # the extraction works
        problems = []
        for context, msgid, where in used:
            entry = catalogue.get((context, msgid))
            if entry is None:
                problems.append(f"missing: {msgid!r} ({where})")
            elif entry.fuzzy or not entry.translated():
                problems.append(f"fuzzy or untranslated: {msgid!r} ({where})")
        self.assertEqual(problems, [], "Run `make messages` and translate locale/ru/LC_MESSAGES/django.po.")

    def test_the_compiled_catalogue_matches_its_source(self):
        def contents(entries):
            return {
                (entry.msgctxt, entry.msgid): entry.msgstr or tuple(sorted(entry.msgstr_plural.items()))
                for entry in entries
                if entry.msgid and not entry.obsolete
            }

        source = polib.pofile(str(CATALOGUE))
        compiled = polib.mofile(str(COMPILED))
        self.assertEqual(
            contents(compiled),
            contents(entry for entry in source if entry.translated() and not entry.fuzzy),
            "Run `make messages` (or manage.py compile_catalogues) and commit django.mo.",
        )

    def test_russian_plurals_have_three_forms(self):
        with translation.override("ru"):
            forms = {
                n: translation.npgettext("key figure", "member state", "member states", n) for n in (1, 2, 5, 11, 21)
            }
        self.assertEqual(
            forms,
            {
                1: "государство-член",
                2: "государства-члена",
                5: "государств-членов",
                11: "государств-членов",
                21: "государство-член",
            },
        )


class LangParser(HTMLParser):
    """The <html lang>, hreflang alternates, the switcher links and every lang attribute inside <body>."""

    def __init__(self):
        super().__init__()
        self.html_lang = None
        self.alternates = {}
        self.switcher = {}
        self.in_switcher = False

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html_lang = attrs.get("lang")
        elif tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        elif tag == "nav" and "language-switcher" in attrs.get("class", ""):
            self.in_switcher = True
        elif self.in_switcher and tag == "a":
            self.switcher[attrs["hreflang"]] = attrs["href"]

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_switcher = False


def parse(response):
    parser = LangParser()
    parser.feed(response.content.decode())
    return parser


class BothLanguagesTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        load_content()

    PAGES = [
        "/",
        "/about/",
        "/members/",
        "/members/?dimension=economic&role=coordinator",
        "/members/kazakhstan/",
        "/members/osce/",
        "/dimensions/",
        "/dimensions/economic/",
        "/events/",
        "/events/?kind=summit",
        "/events/sixth-cica-summit-2022/",
        "/initiatives/",
        "/initiatives/cica-fund/",
        "/timeline/",
        "/data/",
        "/search/?q=Astana",
    ]

    def test_every_public_page_answers_in_both_languages_with_the_right_lang(self):
        for path in self.PAGES:
            for language, url in (("en", path), ("ru", f"/ru{path}")):
                with self.subTest(url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertEqual(parse(response).html_lang, language)
                    self.assertEqual(response["Content-Language"], language)
                    # The URL alone decides: no cookie, no Vary on the browser's languages.
                    self.assertNotIn("Accept-Language", response.get("Vary", ""))
                    self.assertFalse(response.cookies)

    def test_the_browser_language_never_changes_an_english_url(self):
        response = self.client.get("/members/", headers={"accept-language": "ru-RU,ru;q=0.9"})
        self.assertEqual(parse(response).html_lang, "en")
        self.assertContains(response, 'data-language-offer="ru"')  # offered, by a notice the script reveals
        self.assertContains(response, "Эта страница есть на русском языке.")

    def test_the_switcher_keeps_the_filters_and_the_alternates_are_absolute(self):
        english = parse(self.client.get("/members/?dimension=economic&role=coordinator"))
        self.assertEqual(english.switcher, {"ru": "/ru/members/?dimension=economic&role=coordinator"})
        russian = parse(self.client.get("/ru/members/?dimension=economic&role=coordinator"))
        self.assertEqual(russian.switcher, {"en": "/members/?dimension=economic&role=coordinator"})
        for parsed in (english, russian):
            self.assertEqual(
                parsed.alternates,
                {
                    "en": f"{settings.SITE_URL}/members/?dimension=economic&role=coordinator",
                    "x-default": f"{settings.SITE_URL}/members/?dimension=economic&role=coordinator",
                    "ru": f"{settings.SITE_URL}/ru/members/?dimension=economic&role=coordinator",
                },
            )

    def test_russian_pages_show_russian_content_dates_and_plurals(self):
        response = self.client.get("/ru/events/sixth-cica-summit-2022/")
        self.assertContains(response, "Шестой саммит СВМДА</h1>")
        self.assertContains(response, "12 октября 2022")  # the genitive month
        self.assertContains(response, '"inLanguage": "ru"')  # JSON-LD
        home = self.client.get("/ru/")
        self.assertContains(
            home,
            '<span class="key-figures__number">28</span> <span class="key-figures__label">государств-членов</span>',
            html=True,
        )
        members = self.client.get("/ru/members/?dimension=economic")
        self.assertContains(members, "Азербайджан")
        self.assertNotContains(members, "Azerbaijan</a>")

    def test_feeds_and_calendars_follow_the_language(self):
        feed = self.client.get("/ru/events/feed/")
        self.assertContains(feed, 'xml:lang="ru"')
        self.assertContains(feed, "Шестой саммит СВМДА")
        self.assertContains(feed, f"{settings.SITE_URL}/ru/events/sixth-cica-summit-2022/")
        english_feed = self.client.get("/events/feed/")
        self.assertContains(english_feed, 'xml:lang="en"')
        self.assertContains(english_feed, "Sixth CICA Summit")
        calendar = self.client.get("/ru/events/sixth-cica-summit-2022/calendar.ics").content.decode()
        self.assertIn("SUMMARY:Шестой саммит СВМДА", calendar)
        self.assertIn(f"{settings.SITE_URL}/ru/events/sixth-cica-summit-2022/", calendar.replace("\r\n ", ""))

    def test_a_missing_translation_falls_back_to_english_with_a_notice_marked_lang_en(self):
        make_member(name="Atlantis", slug="atlantis", summary="An island state in the ocean.", notes="One source.")
        response = self.client.get("/ru/members/atlantis/")
        self.assertContains(response, '<h1 class="page-header__title" lang="en">Atlantis</h1>', html=True)
        self.assertContains(response, '<p class="lead" lang="en">An island state in the ocean.</p>', html=True)
        self.assertContains(response, "Перевод ещё не готов: текст показан на английском языке.", count=2)
        # In the list too, the English name is marked as English, and sorted by the name shown
        # (Latin before Cyrillic), not left at one end as a record without a Russian name.
        listing = self.client.get("/ru/members/").content.decode()
        self.assertIn('href="/ru/members/atlantis/" lang="en">Atlantis</a>', listing)
        self.assertLess(listing.index(">Atlantis</a>"), listing.index(">Азербайджан</a>"))
        # A translated record has neither.
        translated = self.client.get("/ru/members/kazakhstan/")
        self.assertNotContains(translated, "Перевод ещё не готов")
        self.assertNotContains(translated, 'lang="en">Казахстан')
        # English pages never show the notice.
        self.assertNotContains(self.client.get("/members/atlantis/"), "Not yet translated")


class LoaderLanguagesTests(TestCase):
    def test_every_loaded_record_has_its_english_and_russian_text(self):
        call_command("load_cica", stdout=io.StringIO())
        counts = {}
        for model, fields in (
            (Member, ("name", "capital", "notes")),
            (Dimension, ("name", "short_name", "summary")),
            (PriorityArea, ("name",)),
            (Region, ("name",)),
            (Event, ("title", "city", "country", "summary", "notes")),
            (Document, ("title",)),
            (Initiative, ("title", "summary", "notes")),
            (Chairmanship, ("summary",)),
            (Organ, ("name", "summary", "body")),
            (SecretariatHead, ("name", "country", "title", "notes")),
            (Partner, ("name",)),
        ):
            for field in fields:
                english = set(model.objects.exclude(**{f"{field}_en": ""}).values_list("pk", flat=True))
                russian = set(
                    model.objects.exclude(**{f"{field}_ru": ""})
                    .exclude(**{f"{field}_ru__isnull": True})
                    .values_list("pk", flat=True)
                )
                with self.subTest(model=model.__name__, field=field):
                    self.assertTrue(english)
                    self.assertEqual(russian, english)  # Russian wherever there is English
            counts[model.__name__] = model.objects.count()
        self.assertEqual(counts["Member"], 43)
        self.assertEqual(counts["Event"], 30)
        self.assertEqual(counts["Initiative"], 14)
        self.assertEqual(Member.objects.get(slug="kazakhstan").name_ru, "Казахстан")
        with translation.override("ru"):
            self.assertEqual(str(Event.objects.get(slug="sixth-cica-summit-2022")), "Шестой саммит СВМДА")

    def test_a_second_run_changes_nothing_in_either_language(self):
        call_command("load_cica", stdout=io.StringIO())
        out = io.StringIO()
        call_command("load_cica", stdout=out)
        self.assertIn("0 created, 0 updated", out.getvalue())

    def test_an_editors_english_only_record_stays_english_only(self):
        event = make_event(title="Workshop on water", slug="water-workshop")
        self.assertEqual((event.title_en, event.title_ru), ("Workshop on water", None))
        with translation.override("ru"):
            self.assertEqual(Event.objects.get(pk=event.pk).title, "Workshop on water")  # the fallback


class AdminTranslationTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        from django.contrib.auth import get_user_model

        cls.editor = get_user_model().objects.create_superuser("editor", "editor@example.org", "a-long-password-123")

    def setUp(self):
        self.client.force_login(self.editor)

    def changelist(self, **params):
        response = self.client.get("/admin/members/member/", params)
        self.assertEqual(response.status_code, 200)
        return {member.slug for member in response.context["cl"].result_list}

    def test_one_form_edits_both_languages(self):
        member = make_member(name="Kazakhstan", slug="kazakhstan", name_ru="Казахстан")
        response = self.client.get(f"/admin/members/member/{member.pk}/change/")
        for field in ("name_en", "name_ru", "summary_en", "summary_ru", "notes_en", "notes_ru"):
            self.assertContains(response, f'name="{field}"')
        self.assertContains(response, 'value="Казахстан"')

    def test_admin_search_finds_either_language(self):
        make_member(name="Kazakhstan", slug="kazakhstan", name_ru="Казахстан")
        self.assertEqual(self.changelist(q="Казах"), {"kazakhstan"})
        self.assertEqual(self.changelist(q="Kazakh"), {"kazakhstan"})

    def test_lists_missing_and_outdated_russian(self):
        complete = make_member(name="Kazakhstan", slug="kazakhstan", name_ru="Казахстан", capital_ru="Астана")
        make_member(name="Atlantis", slug="atlantis", capital="Poseidonia")  # no Russian at all
        self.assertEqual(self.changelist(translation_ru="missing"), {"atlantis"})
        self.assertEqual(self.changelist(translation_ru="outdated"), set())
        self.assertEqual(self.changelist(translation_ru="current"), {"kazakhstan"})

        # The English text changes later: the Russian one is now older.
        complete.refresh_from_db()
        complete.capital_en = "Astana (Nur-Sultan 2019-2022)"
        complete.save()
        self.assertEqual(self.changelist(translation_ru="outdated"), {"kazakhstan"})
        self.assertEqual(self.changelist(translation_ru="current"), set())

        # A translator brings the Russian up to date.
        complete.capital_ru = "Астана (Нур-Султан в 2019–2022)"
        complete.save()
        self.assertEqual(self.changelist(translation_ru="outdated"), set())
        self.assertEqual(self.changelist(translation_ru="current"), {"kazakhstan"})

    def test_saving_without_text_changes_keeps_the_translation_current(self):
        member = make_member(name="Kazakhstan", slug="kazakhstan", name_ru="Казахстан", capital_ru="Астана")
        member.refresh_from_db()
        member.joined = 1992
        member.save()
        self.assertEqual(self.changelist(translation_ru="current"), {"kazakhstan"})


class RussianListPagesTests(TestCase):
    def test_every_page_of_a_russian_list_in_order_of_the_title_shown(self):
        from tests.factories import make_initiative

        for n in range(30):
            # every third without a Russian title: it sorts by its English one, among the others
            russian = {} if n % 3 == 0 else {"title_ru": f"Инициатива {n:02d}"}
            make_initiative(title=f"Initiative {n:02d}", slug=f"initiative-{n:02d}", **russian)
        shown = []
        for page in (1, 2):
            response = self.client.get("/ru/initiatives/", {"page": page} if page > 1 else {})
            self.assertEqual(response.status_code, 200)
            shown += [str(initiative) for initiative in response.context["object_list"]]
        self.assertEqual(len(shown), 30)
        self.assertEqual(len(set(shown)), 30)
        self.assertEqual(shown[:10], [f"Initiative {n:02d}" for n in range(0, 30, 3)])  # Latin first
        self.assertEqual(shown[10:], [f"Инициатива {n:02d}" for n in range(30) if n % 3])
        self.assertEqual(self.client.get("/ru/initiatives/", {"page": 3}).status_code, 404)
