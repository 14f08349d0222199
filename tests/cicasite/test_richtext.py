"""Issue 13: bodies are rich text, cleaned on every write, shown as HTML, searched and summarised as plain text."""

import io
import re

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import SimpleTestCase, TestCase, TransactionTestCase
from django.urls import reverse
from django.utils import translation
from django.utils.html import linebreaks
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cicasite.core import richtext
from cicasite.core.models import Organ, WorkingCopy
from cicasite.core.richtext import from_text, sanitize, to_text
from cicasite.core.search import search_site
from events.models import Event
from members.models import Member
from tests.cicasite.test_editorial import changeform_data, staff
from tests.cicasite.test_review import approve
from tests.factories import make_event, make_initiative, make_member

# What Word puts on the clipboard (abridged from a real copy of a Word 365 paragraph, heading and list).
WORD_HTML = """<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><title>Summit note</title>
<!--[if gte mso 9]><xml><w:WordDocument><w:View>Normal</w:View></w:WordDocument></xml><![endif]-->
<style><!-- p.MsoNormal {margin:0cm; font-size:11.0pt; font-family:"Calibri",sans-serif;} --></style></head>
<body lang=EN-GB style='tab-interval:36.0pt;word-wrap:break-word'>
<!--StartFragment-->
<h1 style='mso-margin-top-alt:auto'><span lang=RU style='mso-fareast-font-family:"Times New Roman"'>Sixth Summit
</span></h1>
<p class=MsoNormal><b><span style='font-size:12.0pt;mso-bidi-font-family:Calibri'>Astana</span></b>
<span style='color:#1F3864'>hosted the <i>Sixth</i> Summit</span> &amp; adopted <a href="https://s-cica.org/x"
target="_blank" style='mso-hyperlink'>the Astana Statement</a>.<o:p></o:p></p>
<p class=MsoNormal><o:p>&nbsp;</o:p></p>
<p class=MsoListParagraphCxSpFirst style='text-indent:-18.0pt;mso-list:l0 level1 lfo1'><![if !supportLists]>
<span style='font-family:Symbol'>·<span style='font:7.0pt "Times New Roman"'>&nbsp;&nbsp; </span></span>
<![endif]>Security<o:p></o:p></p>
<ul><li class=MsoNormal>Economy</li><li class=MsoNormal>Ecology</li></ul>
<!--EndFragment-->
</body></html>"""

HOSTILE_HTML = (
    '<p>Before<script>alert("s")</script><img src=x onerror="alert(1)">'
    '<svg onload="alert(2)"></svg><iframe src="https://evil.example/"></iframe>'
    '<a href="javascript:alert(3)">js</a> <a href="JaVaScRiPt:alert(4)">js2</a> '
    '<a href="data:text/html;base64,PHNjcmlwdD4=">data</a> <a href="//evil.example/">proto</a> '
    '<a href="/\\evil.example/">backslash</a> <a href="vbscript:x">vb</a> '
    '<p style="background:url(javascript:alert(5))" onclick="alert(6)" class="x" id="y">After</p>'
    "<object data=x></object><form action=/x><input name=q></form><!-- a comment --></p>"
)


class SanitizeTests(SimpleTestCase):
    def test_word_html_keeps_its_structure_and_drops_the_rest(self):
        self.assertEqual(
            sanitize(WORD_HTML),
            "<h2>Sixth Summit\n</h2>\n"
            "<p><strong>Astana</strong>\nhosted the <em>Sixth</em> Summit &amp; adopted "
            '<a href="https://s-cica.org/x" rel="noopener noreferrer">the Astana Statement</a>.</p>\n\n'
            "<p>\n·&nbsp;&nbsp; \nSecurity</p>\n<ul><li>Economy</li><li>Ecology</li></ul>",
        )

    def test_nothing_hostile_survives(self):
        clean = sanitize(HOSTILE_HTML)
        self.assertEqual(clean, "<p>Beforejs js2 data proto backslash vb </p><p>After</p>")
        for word in ("script", "onerror", "onload", "onclick", "javascript", "alert", "style", "iframe", "<!--"):
            self.assertNotIn(word, clean.lower())

    def test_links_external_get_rel_internal_stay_relative(self):
        html = (
            '<p><a href="https://example.org/" rel="opener" target="_blank">a</a> '
            '<a href="mailto:press@s-cica.org">b</a> <a href="/ru/events/sixth-cica-summit-2022/">c</a> '
            '<a href="#documents" title="x">d</a> <a href="events/x/">e</a></p>'
        )
        self.assertEqual(
            sanitize(html),
            '<p><a href="https://example.org/" rel="noopener noreferrer">a</a> '
            '<a href="mailto:press@s-cica.org" rel="noopener noreferrer">b</a> '
            '<a href="/ru/events/sixth-cica-summit-2022/">c</a> <a href="#documents" title="x">d</a> e</p>',
        )

    def test_a_title_with_markup_characters_does_not_confuse_the_rel_pass(self):
        html = '<a title="a > b &quot;c&quot;" href="https://example.org/">x</a>'
        self.assertEqual(
            sanitize(html),
            '<a title="a &gt; b &quot;c&quot;" href="https://example.org/" rel="noopener noreferrer">x</a>',
        )

    def test_empty_editor_output_is_an_empty_field(self):
        for empty in ("<p></p>", "<p><br></p>", " <p>&nbsp;</p>\n", ""):
            self.assertEqual(sanitize(empty), "")
        self.assertIsNone(sanitize(None))

    def test_cleaning_clean_html_changes_nothing(self):
        for html in (WORD_HTML, HOSTILE_HTML, "<p>a<br>b</p><h3>c</h3><ol><li>d</li></ol>"):
            once = sanitize(html)
            self.assertEqual(sanitize(once), once)


# Pieces of HTML, good and bad, that Hypothesis strings together in any order.
PIECES = st.sampled_from(
    [
        *("<p>", "</p>", "<h1>", "</h1>", "<h2>", "<h4>", "<b>", "</b>", "<i>", "<strong>", "<ul>", "<li>", "</li>"),
        *('<a href="', '">', "</a>", ' title="', '"', "'", "<br>", "<table><tr><td>", "<o:p>", "<!--", "-->"),
        *("<script>", "</script>", "<style>", "<img src=x onerror=", " onclick=", ' style="'),
        *("javascript:", "//evil", "/\\evil", "/ok/", "https://e.org/", "mailto:a@b", "#top"),
        *("&amp;", "&lt;", "&nbsp;", "&", "<", ">", "x", " ", "\n"),
    ]
)
ALLOWED_TAG = re.compile(r"</?(p|h2|h3|strong|em|ul|ol|li|a|br)\b")


class SanitizeFuzzTests(SimpleTestCase):
    @settings(max_examples=300, deadline=None)
    @given(st.lists(PIECES, max_size=30).map("".join))
    @example("<h1><p>")  # found by Hypothesis: an empty block inside another
    @example("<li><table><tr><td><li>")  # found by Hypothesis: list items in a table cell
    def test_any_html_comes_out_clean_and_stable(self, html):
        clean = sanitize(html)
        self.assertEqual(sanitize(clean), clean)
        for tag in re.findall(r"</?[a-zA-Z][^>]*>", clean):
            self.assertRegex(tag, ALLOWED_TAG)
            names = set(re.findall(r'\s([a-z-]+)="[^"]*"', tag))  # nh3 double-quotes every value
            self.assertLessEqual(names, {"href", "title", "rel"} if tag.startswith("<a") else set(), tag)
        for tag in re.findall(r"<a\b[^>]*>", clean):
            href = re.search(r' href="([^"]*)"', tag)
            if href:
                self.assertTrue(richtext.allowed_href(href.group(1)), tag)
                if richtext.is_external(href.group(1)):
                    self.assertIn('rel="noopener noreferrer"', tag)
        self.assertNotRegex(clean, r"<script|<img|<style|<!--")


VISIBLE = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\u2028\u2029\x85")
    | st.sampled_from("\n\n\r\n <>&\"'\xa0\t"),
    max_size=300,
)


def shown(text):
    """The text a reader sees of plain text rendered by linebreaks: runs of spaces collapse, as HTML does,
    and a paragraph of nothing but spaces (no-break ones too) shows nothing, so rich text has none."""
    seen = to_text(linebreaks(text, autoescape=True))  # as the templates called it: {{ body|linebreaks }}
    return "\n\n".join(paragraph for paragraph in seen.split("\n\n") if paragraph.strip())


class FromTextTests(SimpleTestCase):
    def test_paragraphs_line_breaks_and_escapes(self):
        text = "Leaders met in Astana.\nThey signed <the Act> & more.\n\n\nSecond paragraph\xa0here.\r\n"
        self.assertEqual(
            from_text(text),
            "<p>Leaders met in Astana.<br>They signed &lt;the Act&gt; &amp; more.</p>"
            "<p>Second paragraph&nbsp;here.</p>",
        )

    @settings(max_examples=300, deadline=None)
    @given(VISIBLE)
    @example("\xa0")  # found by Hypothesis: a paragraph of a no-break space alone
    @example("<?")  # found by Hypothesis: what an unescaped parser reads as a processing instruction
    def test_no_character_is_lost_or_reinterpreted(self, text):
        html = from_text(text)
        self.assertEqual(sanitize(html), html)  # already clean: nothing read as markup
        self.assertEqual(to_text(html), shown(text))  # a reader sees what linebreaks showed


class EveryWriteIsCleanedTests(TestCase):
    def test_save_create_update_bulk_and_translation_columns(self):
        event = make_event(body=HOSTILE_HTML)
        event.refresh_from_db()
        self.assertNotIn("onerror", event.body_en)
        self.assertEqual(event.body_en, sanitize(HOSTILE_HTML))
        with translation.override("ru"):
            event.body = "<p>Текст<script>x</script></p>"  # modeltranslation: the Russian column
            event.save()
        event.refresh_from_db()
        self.assertEqual(event.body_ru, "<p>Текст</p>")
        self.assertEqual(event.body_en, sanitize(HOSTILE_HTML))  # untouched
        Event.objects.filter(pk=event.pk).update(body_ru='<p onclick="x">Обновлено</p>')
        event.refresh_from_db()
        self.assertEqual(event.body_ru, "<p>Обновлено</p>")
        created = Member.objects.bulk_create([Member(name="Testland", slug="testland", body_en="<b>x</b><script>")])
        self.assertEqual(created[0].body_en, "<strong>x</strong>")  # the instance holds what is stored
        self.assertEqual(Member.objects.get(slug="testland").body_en, "<strong>x</strong>")
        member = Member.objects.get(slug="testland")
        member.body_ru = "<h1>Заголовок</h1><style>p{}</style>"
        Member.objects.bulk_update([member], ["body_ru"])
        self.assertEqual(Member.objects.get(slug="testland").body_ru, "<h2>Заголовок</h2>")

    def test_a_tampered_working_copy_is_cleaned_when_applied(self):
        event = make_event(title="Sixth summit", body="<p>Old.</p>")
        editor, publisher = staff("erin", "Editor"), staff("paul", "Publisher")
        self.client.force_login(editor)
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["body_en"] = "<p>New.</p>"
        self.assertEqual(self.client.post(url, data).status_code, 302)
        copy = WorkingCopy.objects.get()
        for item in copy.data["objects"]:
            if item["model"] == "events.event":
                item["fields"]["body_en"] = HOSTILE_HTML  # as if the stored copy had been altered
        copy.save()
        self.client.force_login(publisher)
        approve(self.client, reverse("admin:events_event_review", args=[event.pk]))
        event.refresh_from_db()
        self.assertEqual(event.body_en, sanitize(HOSTILE_HTML))


class ReviewShowsWordsAndLinksTests(TestCase):
    def test_a_publisher_reviews_the_text_and_every_link_target_not_the_markup(self):
        event = make_event(title="Sixth summit", body="<p>Old <em>text</em>.</p>")
        self.client.force_login(staff("erin", "Editor"))
        url = reverse("admin:events_event_change", args=[event.pk])
        data = changeform_data(self.client, url)
        data["body_en"] = '<p>New <strong>text</strong> on <a href="/members/kazakhstan/">Kazakhstan</a>.</p>'
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.client.force_login(staff("paul", "Publisher"))
        page = self.client.get(reverse("admin:events_event_review", args=[event.pk]))
        self.assertContains(page, "Old text.")
        self.assertContains(page, "New text on Kazakhstan &lt;/members/kazakhstan/&gt;.")
        self.assertNotContains(page, "&lt;strong&gt;")


class AdminEditorTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("admin", "a@example.org", "a-long-password-123")
        cls.event = make_event(title="Sixth summit", slug="sixth-summit", body="<p>Old.</p>")

    def setUp(self):
        self.client.force_login(self.user)

    def test_the_change_form_has_the_editor_under_the_csp(self):
        response = self.client.get(reverse("admin:events_event_change", args=[self.event.pk]))
        html = response.content.decode()
        nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
        self.assertIn(f'<script type="importmap" nonce="{nonce}">', html)  # the editor's modules resolve
        self.assertEqual(html.count("data-django-prose-editor-configurable="), 2)  # body_en and body_ru
        self.assertIn("/static/js/richtext-links.js", html)
        self.assertIn("/static/css/richtext-admin.css", html)
        self.assertIn("&quot;language&quot;:&quot;ru&quot;", html)  # body_ru links to Russian pages
        self.assertNotRegex(html, r"<style(?![^>]*nonce)")  # no inline style the CSP would refuse

    def test_a_posted_body_is_cleaned_and_shown(self):
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data["body_ru"] = (
            '<p>Итоги: <b>важно</b> <a href="/ru/members/kazakhstan/">Казахстан</a></p>'
            '<p>x<script>alert(1)</script><img src=x onerror="alert(2)">'
            '<span style="color:red" onclick="alert(3)">y</span>'
        )
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.event.refresh_from_db()
        self.assertNotIn("script", self.event.body_ru)
        page = self.client.get("/ru/events/sixth-summit/")
        self.assertContains(page, '<strong>важно</strong> <a href="/ru/members/kazakhstan/">Казахстан</a>', html=False)
        self.assertNotContains(page, "onerror")
        self.assertNotContains(page, "javascript:")

    def test_a_link_that_would_be_dropped_is_refused_with_a_message(self):
        url = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, url)
        data["body_en"] = (
            '<p><a href="www.example.org">site</a> <a href="javascript:x()">js</a> <a href="/ok/">ok</a></p>'
        )
        response = self.client.post(url, data)
        self.assertEqual(response.status_code, 200)
        self.assertContains(
            response,
            "A link must start with https://, http://, mailto: or / (a page of this site). "
            "Correct or remove: www.example.org, javascript:x()",
        )
        self.event.refresh_from_db()
        self.assertEqual(self.event.body_en, "<p>Old.</p>")


class ShownAndSummarisedTests(TestCase):
    def test_public_pages_render_the_html_and_clean_it_again(self):
        event = make_event(slug="summit", summary="Plain standfirst & more.", body="<p>Body <em>text</em>.</p>")
        # Written past the field (raw SQL, a restored dump): the page still shows only the allow-list.
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE events_event SET body_en = %s WHERE id = %s", ["<p>Hi<script>alert(1)</script></p>", event.pk]
            )
        page = self.client.get("/events/summit/")
        self.assertContains(page, '<div class="prose"><p>Hi</p></div>', html=False)
        self.assertNotContains(page, "alert(1)")
        self.assertContains(page, '<meta name="description" content="Plain standfirst &amp; more.">')

    def test_organs_on_the_about_page(self):
        Organ.objects.create(name="Secretariat", slug="secretariat", kind="executive", body="<ul><li>Astana</li></ul>")
        self.assertContains(self.client.get("/about/"), "<ul><li>Astana</li></ul>")


class LoadCicaTests(TestCase):
    def test_plain_text_of_the_data_files_becomes_paragraphs_and_a_second_run_changes_nothing(self):
        call_command("load_cica", stdout=io.StringIO())
        organ = Organ.objects.get(slug="secretariat")
        self.assertTrue(organ.body_en.startswith("<p>The standing administrative body of CICA."))
        self.assertIn("<br>Address: 55/20 Mangilik Yel Ave., Astana.<br>", organ.body_en)
        self.assertIn("<br>Адрес: Астана, проспект Мангилик Ел, 55/20.<br>", organ.body_ru)
        out = io.StringIO()
        call_command("load_cica", stdout=out)
        self.assertIn("0 created, 0 updated", out.getvalue())


class SearchTests(TestCase):
    """Markup is never matched nor shown: on PostgreSQL (full text) and on the SQLite fallback alike."""

    @classmethod
    def setUpTestData(cls):
        cls.event = make_event(
            title="Ministerial meeting",
            slug="ministerial",
            body='<p>Ministers agreed on <strong>water</strong> &amp; <a href="https://example.org/href">energy</a>.</p>',
        )
        make_initiative(title="A fund", slug="fund", body="<h2>Heading</h2><p>Nothing else.</p>")
        make_member(name="Testland", slug="testland", body="<ul><li>Listed</li></ul>")

    def hits(self, query):
        return {group.key: group.hits for group in search_site(query)}

    def test_tag_and_attribute_names_find_nothing(self):
        for query in ("strong", "href", "noopener", "example", "amp", "ul li", "h2"):
            with self.subTest(query=query):
                self.assertEqual(sum(len(hits) for hits in self.hits(query).values()), 0)

    def test_words_are_found_and_snippets_are_plain(self):
        hits = self.hits("water")["events"]
        self.assertEqual([hit.object.pk for hit in hits], [self.event.pk])
        snippet = str(hits[0].snippet_html)
        self.assertIn("<mark>water</mark>", snippet.replace("<mark>Water</mark>", "<mark>water</mark>"))
        self.assertIn("&amp; energy", snippet)  # the entity decoded, then escaped once
        self.assertNotIn("strong", snippet)
        self.assertNotIn("&amp;amp;", snippet)
        self.assertEqual(len(self.hits("heading")["initiatives"]), 1)


class LinkTargetsTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.user = get_user_model().objects.create_superuser("admin", "a@example.org", "a-long-password-123")
        make_member(name="Kazakhstan", name_ru="Казахстан", slug="kazakhstan")
        make_event(title="Sixth CICA Summit", title_ru="Шестой саммит СВМДА", slug="sixth-summit")
        make_event(title="Draft meeting", slug="draft", publication_status="draft")
        make_initiative(title="Summit fund", slug="summit-fund")

    def get(self, **params):
        return self.client.get(reverse("richtext-links"), params)

    def test_staff_only(self):
        response = self.get(q="summit")
        self.assertEqual(response.status_code, 302)
        self.assertIn("/admin/login/", response["Location"])

    def test_published_records_with_addresses_in_the_bodys_language(self):
        self.client.force_login(self.user)
        results = self.get(q="summit", lang="ru").json()["results"]
        self.assertIn(
            {
                "url": "/ru/events/sixth-summit/",
                "title": "Шестой саммит СВМДА",
                "kind": "Мероприятие",
                "meta": "1 января 2020 г. · Astana, Kazakhstan",
            },
            results,
        )
        self.assertIn("/ru/initiatives/summit-fund/", [r["url"] for r in results])
        self.assertNotIn("draft", str(results))
        english = self.get(q="kazakhstan", lang="en").json()["results"]
        self.assertEqual(english[0]["url"], "/members/kazakhstan/")

    def test_titles_only_any_case_one_query_per_kind(self):
        self.client.force_login(self.user)
        # The session, the user, then members, meetings, documents, initiatives: a query each, at any size.
        with self.assertNumQueries(6):
            results = self.get(q="казах", lang="ru").json()["results"]
        self.assertEqual([r["url"] for r in results], ["/ru/members/kazakhstan/"])
        self.assertEqual(self.get(q="SIXTH summit", lang="en").json()["results"][0]["url"], "/events/sixth-summit/")
        self.assertEqual(self.get(q="astana", lang="en").json()["results"], [])  # a city, not a title

    def test_bad_input_gets_a_clear_answer(self):
        self.client.force_login(self.user)
        self.assertEqual(self.get(q="s", lang="ru").json(), {"results": []})
        self.assertEqual(self.get().json(), {"results": []})
        response = self.get(q="summit", lang="xx")
        self.assertEqual(response.status_code, 400)
        self.assertEqual(response.json(), {"error": "Unknown language."})
        self.assertEqual(self.get(q="summit " * 500, lang="en").status_code, 200)
        self.assertEqual(self.client.post(reverse("richtext-links")).status_code, 405)


class DataMigrationTests(TransactionTestCase):
    """The events migration on real rows: plain text in, paragraphs out, every character kept; and back."""

    before = [("events", "0015_admin_list_indexes")]
    after = [("events", "0016_event_body_rich_text")]

    def migrate(self, targets):
        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate(targets)
        return executor.loader.project_state(targets).apps

    def test_plain_text_becomes_paragraphs_and_back(self):
        plain = 'Leaders met.\nThey signed <the Act> & "more".\n\nSecond\xa0paragraph.'
        old_apps = self.migrate(self.before)
        OldEvent = old_apps.get_model("events", "Event")
        OldEvent.objects.create(
            title_en="Summit",
            title="Summit",
            slug="summit",
            kind="summit",
            start_date="2020-01-01",
            body=plain,
            body_en=plain,
            body_ru="Первая строка\nвторая <b>",
            created_at="2020-01-01T00:00Z",
            updated_at="2020-01-01T00:00Z",
        )
        try:
            self.migrate(self.after)
            row = Event.objects.values("body_en", "body_ru").get(slug="summit")
            self.assertEqual(
                row["body_en"],
                '<p>Leaders met.<br>They signed &lt;the Act&gt; &amp; "more".</p><p>Second&nbsp;paragraph.</p>',
            )
            self.assertEqual(row["body_ru"], "<p>Первая строка<br>вторая &lt;b&gt;</p>")
            self.migrate(self.before)
            row = old_apps.get_model("events", "Event").objects.values("body_en", "body_ru").get(slug="summit")
            self.assertEqual(row["body_en"], plain)
            self.assertEqual(row["body_ru"], "Первая строка\nвторая <b>")
        finally:
            self.migrate(self.after)
            call_command("migrate", verbosity=0)
