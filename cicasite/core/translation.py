"""Translated fields (django-modeltranslation): one column per field and language."""

from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import TranslationOptions, register

from cicasite.core.i18n import column_help
from cicasite.core.models import Organ, Partner, SecretariatHead, SiteSettings


@register(Organ)
class OrganTranslation(TranslationOptions):
    fields = ("name", "summary", "body", "notes")


@register(SiteSettings)
class SiteSettingsTranslation(TranslationOptions):
    fields = ("publisher_name", "publisher_description")


@register(SecretariatHead)
class SecretariatHeadTranslation(TranslationOptions):
    fields = ("name", "country", "title", "notes")


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("name",)


# The Russian columns' own help texts (cicasite.core.i18n.column_help).
column_help(
    Organ,
    "ru",
    name=_("The name of the body in Russian, as in CICA's official documents, e.g. Комитет старших должностных лиц."),
    summary=_("What it does, in Russian: a few sentences for the About page at /ru/about/."),
    body=_("Further facts in Russian. When it is empty, the Russian page shows the English text."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
column_help(
    SiteSettings,
    "ru",
    publisher_name=_("Who publishes this website, in Russian, as the footer and the About page at /ru/ show it."),
    publisher_description=_("One or two sentences in Russian for the About page at /ru/about/."),
)
column_help(
    SecretariatHead,
    "ru",
    name=_("The full name in Russian, as CICA's Russian documents spell it, e.g. Кайрат Сарыбай."),
    country=_("The country in Russian, as CICA writes it, e.g. Кыргызстан."),
    title=_("The title of the office in Russian, e.g. Генеральный секретарь, Исполнительный директор."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
column_help(
    Partner,
    "ru",
    name=_("The organisation's name in Russian, as it writes it, e.g. Шанхайская организация сотрудничества."),
)
