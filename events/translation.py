"""Translated fields (django-modeltranslation): one column per field and language."""

from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import TranslationOptions, register

from cicasite.core.i18n import column_help
from events.models import Document, Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "city", "country", "summary", "body", "image_alt", "notes")


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title", "body")
    # A missing title is NULL, not "": titles are unique per meeting and language,
    # and many documents may lack a Russian title. A missing text is "", as a meeting's.
    empty_values = {"title": None, "body": ""}


# The Russian columns' own help texts (cicasite.core.i18n.column_help).
column_help(
    Event,
    "ru",
    title=_("The title in Russian, as in CICA's official documents, e.g. Шестой саммит СВМДА."),
    city=_("The city in Russian, e.g. Алматы, Астана. Empty for online meetings."),
    country=_("The country of the venue in Russian, e.g. Казахстан."),
    summary=_("One or two sentences in Russian, shown in the lists at /ru/."),
    body=_("The full text in Russian. When it is empty, the Russian page shows the English text with a notice."),
    image_alt=_("Describes the image in Russian, for screen readers on the pages at /ru/."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
column_help(
    Document,
    "ru",
    title=_("The official Russian title, as CICA published it, e.g. Алматинский акт. Empty if there is none."),
    body=_("The text in Russian. When it is empty, the Russian page shows the English text with a notice."),
)
