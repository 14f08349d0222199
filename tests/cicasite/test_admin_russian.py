"""Issue 13, a Russian admin: each member of staff chooses the admin's language; every screen, help text,
the readiness panel and the review mails follow it; the public site keeps the language of its address."""

import io
import re
import shutil
import tempfile
from html.parser import HTMLParser

import polib
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname
from reversion.models import Version

from cicasite.core import pagecache
from cicasite.core.models import StaffPreferences, TranslationState
from cicasite.core.preferences import SESSION_KEY
from members.models import Member
from tests.cicasite.test_editorial import changeform_data, staff
from tests.cicasite.test_i18n import CATALOGUE
from tests.factories import image_bytes, make_document, make_event, make_member

MEDIA = tempfile.mkdtemp(prefix="cica-test-media-")


class VisibleText(HTMLParser):
    """What a reader sees or hears: text outside <script>, <style> and <textarea> (record content), plus
    alt, title, placeholder and aria-label attributes and the labels of buttons."""

    SKIP = {"script", "style", "textarea"}
    VOID = {"br", "input", "img", "meta", "link", "hr", "source"}

    def __init__(self):
        super().__init__()
        self.stack, self.parts = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag not in self.VOID:
            self.stack.append(tag)
        self.parts += [attrs[name] for name in ("alt", "title", "placeholder", "aria-label") if attrs.get(name)]
        if tag == "input" and attrs.get("type") in ("submit", "button") and attrs.get("value"):
            self.parts.append(attrs["value"])

    def handle_endtag(self, tag):
        if tag in self.stack:
            while self.stack.pop() != tag:
                pass

    def handle_data(self, data):
        if not self.SKIP.intersection(self.stack):
            self.parts.append(data)


def visible_text(response):
    parser = VisibleText()
    parser.feed(response.content.decode())
    return re.sub(r"\s+", " ", " ".join(parser.parts))


def _english_pieces():
    """(msgid, a piece of it) for every message of our catalogue whose Russian differs: the literal text
    between placeholders, long enough (15 characters and a space) not to occur by chance in record names."""
    pieces = []
    for entry in polib.pofile(str(CATALOGUE)):
        if entry.obsolete or not entry.translated():
            continue
        for msgid in filter(None, (entry.msgid, entry.msgid_plural)):
            for piece in re.split(r"%\(\w+\)[sd]|\{\w*\}|[“”«»]", msgid):
                piece = " ".join(piece.split())
                proper_name = all(word[:1].isupper() for word in piece.split())  # "Think Tank Forum": also content
                if len(piece) >= 15 and " " in piece and not proper_name and piece not in (entry.msgstr or ""):
                    pieces.append((msgid, piece))
    return pieces


ENGLISH_PIECES = _english_pieces()


def untranslated(response):
    """Messages of our own code (templates and Python) that the page shows in English."""
    text = visible_text(response)
    return sorted({msgid for msgid, piece in ENGLISH_PIECES if piece in text})


def prefer(user, language):
    StaffPreferences.objects.update_or_create(user=user, defaults={"language": language})


class RussianAdminTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        cls.editor.email = "erin@example.org"
        cls.editor.save()
        cls.publisher = staff("paul", "Publisher")
        prefer(cls.editor, "ru")
        cls.member = make_member(name="Kazakhstan", name_ru="Казахстан", slug="kazakhstan")
        cls.event = make_event(title="Sixth summit", title_ru="Шестой саммит СВМДА", summary="Old summary.")
        make_document(event=cls.event, title="Astana Statement")

    def test_the_catalogue_check_finds_english(self):
        """The check itself: the same page in English names our messages."""
        prefer(self.editor, "en")
        self.client.force_login(self.editor)
        found = untranslated(self.client.get(reverse("admin:members_member_change", args=[self.member.pk])))
        self.assertIn("Published: the public sees it.", found)
        self.assertGreater(len(found), 5)

    def test_an_editor_who_prefers_russian_gets_every_screen_in_russian(self):
        self.client.force_login(self.editor)
        change = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, change)
        data["summary_en"] = "New summary."
        self.assertEqual(self.client.post(change, data).status_code, 302)  # a live record: a working copy
        pages = {
            "index": (reverse("admin:index"), ["Мои настройки", "Ваши рабочие копии (1)", "Шестой саммит СВМДА"]),
            "changelist": (reverse("admin:members_member_changelist"), ["Выберите", "Перевод: Русский", "Казахстан"]),
            "change form": (change, ["Рабочая копия", "Перед публикацией", "Примечания о проверке [ru]"]),
            "review": (
                reverse("admin:events_event_review", args=[self.event.pk]),
                ["Что изменится после одобрения", "Отправить на проверку", "New summary."],
            ),
            "history": (reverse("admin:members_member_history", args=[self.member.pk]), ["Версий пока нет"]),
            "preferences": (reverse("admin-preferences"), ["Язык панели администрирования", "Русский"]),
        }
        for name, (url, expected) in pages.items():
            with self.subTest(page=name):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Language"], "ru")
                self.assertContains(response, '<html lang="ru"')
                for text in expected:
                    self.assertIn(text, visible_text(response))
                self.assertEqual(untranslated(response), [])

    def test_the_preference_page_switches_the_admin_language(self):
        self.client.force_login(self.publisher)
        self.assertEqual(self.client.get(reverse("admin:index"))["Content-Language"], "en")
        url = reverse("admin-preferences")
        response = self.client.post(url, {"language": "ru"}, follow=True)
        self.assertRedirects(response, url)
        self.assertContains(response, "Ваши настройки сохранены.")
        self.assertEqual(StaffPreferences.language_of(self.publisher), "ru")
        index = self.client.get(reverse("admin:index"))
        self.assertEqual(index["Content-Language"], "ru")
        self.assertContains(index, '<a href="/ru/">Открыть сайт</a>')  # "View site" opens the Russian site
        # A bad value is a form error, in the chosen language, never a 500.
        response = self.client.post(url, {"language": "xx"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Выберите корректный вариант.")
        self.assertEqual(StaffPreferences.language_of(self.publisher), "ru")

    def test_the_preference_costs_no_query_per_page(self):
        self.client.force_login(self.editor)  # read once, at login, into the session
        self.assertEqual(self.client.session[SESSION_KEY], "ru")
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(reverse("admin:index"))["Content-Language"], "ru")
        self.assertFalse([q["sql"] for q in queries if "staffpreferences" in q["sql"]])
        # A session from before the preference existed: looked up once, then kept.
        session = self.client.session
        del session[SESSION_KEY]
        session.save()
        with CaptureQueriesContext(connection) as queries:
            self.assertEqual(self.client.get(reverse("admin:index"))["Content-Language"], "ru")
        self.assertEqual(len([q for q in queries if "staffpreferences" in q["sql"]]), 1)
        with CaptureQueriesContext(connection) as queries:
            self.client.get(reverse("admin:index"))
        self.assertFalse([q["sql"] for q in queries if "staffpreferences" in q["sql"]])

    def test_the_login_page_and_public_pages_keep_their_own_language(self):
        self.assertEqual(self.client.get(reverse("admin:login"))["Content-Language"], "en")
        self.client.force_login(self.editor)  # prefers Russian
        for url, language in (("/members/", "en"), ("/ru/members/", "ru"), ("/members/kazakhstan/", "en")):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response["Content-Language"], language)
                self.assertContains(response, f'<html lang="{language}"')

    def test_the_review_queue_names_records_in_the_readers_language(self):
        prefer(self.editor, "en")
        self.client.force_login(self.editor)
        change = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, change)
        data["summary_en"] = "New summary."
        self.client.post(change, data)
        self.client.post(reverse("admin:events_event_review", args=[self.event.pk]), {"action": "submit"})
        prefer(self.publisher, "ru")
        self.client.force_login(self.publisher)
        queue = self.client.get(reverse("admin:index")).context["queue"]["items"]
        self.assertEqual([(copy.object_repr, copy.name) for copy in queue], [("Sixth summit", "Шестой саммит СВМДА")])

    def test_review_mails_are_in_each_recipients_language(self):
        publisher_ru = staff("pyotr", "Publisher")
        prefer(publisher_ru, "ru")
        self.publisher.email = "paul@example.org"
        self.publisher.save()
        prefer(self.editor, "en")
        self.client.force_login(self.editor)
        change = reverse("admin:events_event_change", args=[self.event.pk])
        data = changeform_data(self.client, change)
        data["summary_en"] = "New summary."
        self.client.post(change, data)
        review = reverse("admin:events_event_review", args=[self.event.pk])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review, {"action": "submit", "comment": "Please check."})
        sent = {tuple(message.to): message for message in mail.outbox}
        self.assertEqual(set(sent), {("paul@example.org",), ("pyotr@example.org",)})
        self.assertEqual(sent[("paul@example.org",)].subject, "For review: Sixth summit")
        self.assertEqual(sent[("pyotr@example.org",)].subject, "На проверку: Шестой саммит СВМДА")
        self.assertIn("Please check.", sent[("pyotr@example.org",)].body)


@override_settings(
    PAGE_CACHE=True,
    CACHES={
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "admin-russian-pages"},
    },
)
class PageCacheLanguageTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.editor = staff("erin", "Editor")
        prefer(cls.editor, "ru")
        make_member(name="Kazakhstan", name_ru="Казахстан", slug="kazakhstan")

    def test_a_russian_admin_never_puts_russian_into_the_cached_english_pages(self):
        pagecache.page_cache().clear()
        staff_client = self.client_class()
        staff_client.force_login(self.editor)
        for _ in range(2):  # an admin page in Russian, then anonymous visitors, in the same thread
            self.assertEqual(staff_client.get(reverse("admin:index"))["Content-Language"], "ru")
            english = self.client.get("/members/")
            russian = self.client.get("/ru/members/")
            self.assertContains(english, '<html lang="en"')
            self.assertContains(russian, '<html lang="ru"')
        self.assertEqual(english["X-Page-Cache"], "hit")
        self.assertEqual(russian["X-Page-Cache"], "hit")
        self.assertFalse(staff_client.get(reverse("admin:index")).has_header("X-Page-Cache"))


class ColumnHelpTextTests(TestCase):
    """django-modeltranslation copies a field's help text to every language's column; ours have their own."""

    @classmethod
    def setUpTestData(cls):
        cls.superuser = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password-123")

    def forms(self):
        request = RequestFactory().get("/admin/")
        request.user = self.superuser
        for model, model_admin in admin.site._registry.items():
            yield model, model_admin.get_form(request)
            for inline in model_admin.get_inline_instances(request):
                yield inline.model, inline.get_formset(request).form

    def test_every_russian_column_has_its_own_help_text_in_both_admin_languages(self):
        checked = 0
        for language in ("en", "ru"):
            with translation.override(language):
                for model, form in self.forms():
                    if model not in translator.get_registered_models():
                        continue
                    for field in translator.get_options_for_model(model).fields:
                        english, russian = (build_localized_fieldname(field, code) for code in ("en", "ru"))
                        if russian not in form.base_fields:
                            continue
                        with self.subTest(model=model._meta.label, field=field, language=language):
                            own = str(form.base_fields[russian].help_text)
                            self.assertTrue(own)
                            self.assertNotEqual(own, str(form.base_fields[english].help_text))
                            checked += 1
        self.assertGreater(checked, 60)  # about 37 translated fields, in two languages

    def test_the_russian_name_says_how_to_write_it(self):
        self.client.force_login(self.superuser)
        prefer(self.superuser, "ru")
        self.client.force_login(self.superuser)
        response = self.client.get(reverse("admin:members_member_add"))
        form = response.context["adminform"].form
        self.assertEqual(
            form.fields["name_ru"].help_text,
            "Название на русском языке, как в официальных документах СВМДА, например «Турция», «Кыргызстан».",
        )
        self.assertEqual(form.fields["name_en"].help_text, "Общепринятое английское название, например Türkiye.")

    def test_research_notes_say_they_are_public_in_both_languages(self):
        self.client.force_login(self.superuser)
        url = reverse("admin:events_event_add")
        form = self.client.get(url).context["adminform"].form
        self.assertIn("Public: the site shows these notes with the record", form.fields["notes_en"].help_text)
        self.assertIn("Public: the Russian pages show them", form.fields["notes_ru"].help_text)
        prefer(self.superuser, "ru")
        self.client.force_login(self.superuser)
        form = self.client.get(url).context["adminform"].form
        self.assertIn("Публикуется: сайт показывает эти примечания", form.fields["notes_en"].help_text)
        self.assertIn("Публикуются: русские страницы показывают их", form.fields["notes_ru"].help_text)


@override_settings(MEDIA_ROOT=MEDIA)
class ReadinessAndThumbnailTests(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.publisher = staff("paul", "Publisher")
        both = {"capital": "Astana", "capital_ru": "Астана", "summary": "A member.", "summary_ru": "Участник."}
        cls.member = make_member(name="Kazakhstan", name_ru="Казахстан", flag_alt="Flag of Kazakhstan", **both)
        cls.member.flag.save("flag.png", ContentFile(image_bytes(size=(300, 150))), save=True)
        cls.bare = make_member(name="Bareland", name_ru="Бареланд", **both)

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        shutil.rmtree(MEDIA, ignore_errors=True)

    def change(self, obj, language="en"):
        prefer(self.publisher, language)
        self.client.force_login(self.publisher)
        return self.client.get(reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk]))

    def readiness(self, response):
        return [re.sub(r"\s+", " ", str(w)) for w in response.context["readiness"].languages]

    def test_the_panel_names_a_missing_russian_alt_text(self):
        response = self.change(self.member)
        self.assertEqual(self.readiness(response), ["Russian: no text yet for flag alt text."])
        self.assertContains(response, '<li class="readiness__language">Russian: no text yet for flag alt text.</li>')
        russian = self.change(self.member, "ru")
        self.assertContains(russian, "Русский: пока нет текста в полях: альтернативный текст флага.")
        self.assertEqual(untranslated(russian), [])
        # Filled in: the line goes. Without a flag an alt text needs no translation.
        Member.objects.filter(pk=self.member.pk).update(flag_alt_ru="Флаг Казахстана")
        self.assertEqual(self.readiness(self.change(self.member)), [])
        Member.objects.filter(pk=self.bare.pk).update(flag_alt_en="Flag of Bareland")
        self.assertEqual(self.readiness(self.change(self.bare)), [])

    def test_the_panel_names_missing_english_and_outdated_russian(self):
        Member.objects.filter(pk=self.bare.pk).update(summary_en="", summary_ru="Только по-русски.")
        self.assertIn("English: no text yet for summary.", self.readiness(self.change(self.bare)))
        member = Member.objects.get(pk=self.member.pk)
        member.flag_alt_ru = "Флаг Казахстана"
        member.save()
        with translation.override("en"):
            member.summary = "A member state since 1992."
            member.save()  # the English changed after the Russian
        states = TranslationState.objects.filter(object_id=member.pk).values_list("language", flat=True)
        self.assertEqual(set(states), {"en", "ru"})
        lines = self.readiness(self.change(member))
        self.assertEqual(len(lines), 1)
        self.assertTrue(lines[0].startswith("Russian: may be out of date. The English text changed on"))
        self.assertIn("Русский: текст, возможно, устарел.", " ".join(self.readiness(self.change(member, "ru"))))

    def test_the_panel_names_a_childs_missing_translation(self):
        event = make_event(title="Summit", title_ru="Саммит", city_ru="Астана", country_ru="Казахстан")
        make_document(event=event, title="Astana Statement")
        self.assertEqual(
            self.readiness(self.change(event)),
            ["Russian: no text yet for title (outcome document “Astana Statement”)."],
        )

    def test_the_flag_field_shows_a_thumbnail_of_the_stored_image_with_its_alt_text(self):
        response = self.change(self.member)
        name = self.member.flag.name.rsplit("/", 1)[1].rsplit(".", 1)[0]
        self.assertContains(
            response,
            f'<img src="/media/members/flags/renditions/{name}-160.png" width="160" height="80" '
            'alt="Flag of Kazakhstan">',
            html=True,
        )
        self.assertContains(response, "Alt text: “Flag of Kazakhstan”")
        self.assertContains(self.change(self.member, "ru"), "Альтернативный текст: «Flag of Kazakhstan»")
        self.assertNotContains(self.change(self.bare), "image-thumbnail")

    def test_the_meeting_image_shows_a_thumbnail(self):
        event = make_event(title="Summit", image_alt="The summit hall")
        event.image.save("photo.jpg", ContentFile(image_bytes("JPEG", size=(100, 50))), save=True)
        response = self.change(event)
        self.assertContains(response, 'width="100" height="50" alt="The summit hall"')
        self.assertContains(response, "Alt text: “The summit hall”")
        self.assertNotContains(self.change(make_event(title="Bare meeting")), "image-thumbnail")


class EveryScreenInRussianTests(TestCase):
    """The audit as a test: every changelist, add and change form, history and compare page of the admin,
    in Russian, shows no message of our own code in English."""

    @classmethod
    def setUpTestData(cls):
        call_command("load_cica", stdout=io.StringIO())
        cls.superuser = get_user_model().objects.create_superuser("root", "root@example.org", "a-long-password-123")
        prefer(cls.superuser, "ru")

    def test_every_admin_screen_in_russian(self):
        self.client.force_login(self.superuser)
        member = Member.objects.get(slug="kazakhstan")
        change = reverse("admin:members_member_change", args=[member.pk])
        data = changeform_data(self.client, change)
        data["capital_en"] = "Astana (capital since 1997)"
        self.assertEqual(self.client.post(change, data).status_code, 302)  # a revision, to compare
        latest = Version.objects.get_for_object(member).first()
        urls = [
            reverse("admin:index"),
            reverse("admin:members_member_compare", args=[member.pk, latest.pk]),
            reverse("admin:members_member_changelist") + "?translation_ru=missing&state=published",
        ]
        request = RequestFactory().get("/")
        request.user = self.superuser
        for model in admin.site._registry:
            if model._meta.app_label in ("axes", "auth"):
                continue  # third-party and Django's own screens: translated (or not) by them
            opts = model._meta
            info = opts.app_label, opts.model_name
            urls += [reverse("admin:{}_{}_changelist".format(*info)), reverse("admin:app_list", args=[opts.app_label])]
            obj = model._default_manager.order_by("pk").first()
            if obj is not None:
                urls += [
                    reverse("admin:{}_{}_change".format(*info), args=[obj.pk]),
                    reverse("admin:{}_{}_history".format(*info), args=[obj.pk]),
                ]
            if admin.site._registry[model].has_add_permission(request):
                urls.append(reverse("admin:{}_{}_add".format(*info)))
        for url in dict.fromkeys(urls):
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 200)
                self.assertEqual(response["Content-Language"], "ru")
                self.assertEqual(untranslated(response), [])
