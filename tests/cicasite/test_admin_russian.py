"""Issue 13, a Russian admin: each member of staff chooses the admin's language; every screen, help text,
the readiness panel and the review mails follow it; the public site keeps the language of its address."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import RequestFactory, TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version

from cicasite.core import pagecache
from cicasite.core.models import StaffPreferences
from cicasite.core.preferences import SESSION_KEY
from members.models import Member
from tests.cicasite.admin_reader import prefer, untranslated, visible_text
from tests.cicasite.staff import changeform_data, staff
from tests.content import load_content
from tests.factories import make_document, make_event, make_member


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


class EveryScreenInRussianTests(TestCase):
    """The audit as a test: every changelist, add and change form, history and compare page of the admin,
    in Russian, shows no message of our own code in English."""

    @classmethod
    def setUpTestData(cls):
        load_content()
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
