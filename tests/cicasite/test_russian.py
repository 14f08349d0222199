"""Russian as a CICA editor writes it: every page kind, read against cicasite/data/glossary.ru.csv.

The glossary lists each name choice with its source and the forms not to use. These
tests load the real content (cicasite/data/cica.json and cica.ru.json), render every
kind of public page, feed and calendar in Russian, and read what a Russian reader
reads: visible text and the attributes shown or read aloud, outside lang="en"
(English source titles, fallbacks) and outside addresses.
"""

import json
from datetime import date

import polib
from django.test import SimpleTestCase
from django.utils import translation

from cicasite.core import dates
from cicasite.core.templatetags.i18n_content import term_years
from events.models import Event
from initiatives.models import Initiative
from tests.cicasite.russian_reader import CATALOGUE, RUSSIAN_CONTENT, forbidden_forms, glossary, problems_in, read_html


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
