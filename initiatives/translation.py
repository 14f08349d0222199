"""Translated fields (django-modeltranslation): one column per field and language."""

from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import TranslationOptions, register

from cicasite.core.i18n import column_help
from initiatives.models import Chairmanship, Initiative


@register(Chairmanship)
class ChairmanshipTranslation(TranslationOptions):
    fields = ("summary",)


@register(Initiative)
class InitiativeTranslation(TranslationOptions):
    fields = ("title", "author", "summary", "body", "notes")


# The Russian columns' own help texts (cicasite.core.i18n.column_help).
column_help(Chairmanship, "ru", summary=_("How the term began and ended, in Russian."))
column_help(
    Initiative,
    "ru",
    title=_("The name of the initiative in Russian, as in CICA's official documents."),
    author=_("Who proposed it, in Russian: the name and institute as they are written in Russian."),
    summary=_("One or two sentences in Russian, shown in the lists at /ru/."),
    body=_("The full text in Russian. When it is empty, the Russian page shows the English text with a notice."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
