"""Issue 13: the Russian columns' own help texts, the readiness panel per language, image thumbnails."""

import re
import shutil

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test import RequestFactory, TestCase, override_settings
from django.urls import reverse
from django.utils import translation
from modeltranslation.translator import translator
from modeltranslation.utils import build_localized_fieldname

from cicasite.core.models import TranslationState
from members.models import Member
from tests.cicasite.admin_reader import MEDIA, prefer, untranslated
from tests.cicasite.staff import staff
from tests.factories import image_bytes, make_document, make_event, make_member


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
