"""Translated fields (django-modeltranslation): one column per field and language."""

from django.utils.translation import gettext_lazy as _
from modeltranslation.translator import TranslationOptions, register

from cicasite.core.i18n import column_help
from members.models import Dimension, Member, PriorityArea, Region


@register(Dimension)
class DimensionTranslation(TranslationOptions):
    fields = ("name", "short_name", "summary", "notes")


@register(PriorityArea)
class PriorityAreaTranslation(TranslationOptions):
    fields = ("name",)


@register(Region)
class RegionTranslation(TranslationOptions):
    fields = ("name",)


@register(Member)
class MemberTranslation(TranslationOptions):
    fields = ("name", "capital", "summary", "body", "flag_alt", "notes")


# The Russian columns' own help texts (cicasite.core.i18n.column_help).
column_help(
    Dimension,
    "ru",
    name=_("The name in Russian, as in CICA's official documents, e.g. Экономическое измерение."),
    short_name=_("The short name in Russian, for filters and badges, e.g. Экономическое."),
    summary=_("What confidence building means here, in Russian, for the pages at /ru/."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
column_help(PriorityArea, "ru", name=_("The name of the priority area in Russian, as in CICA's official documents."))
column_help(Region, "ru", name=_("The name of the region in Russian, e.g. Центральная Азия."))
column_help(
    Member,
    "ru",
    name=_("The name in Russian, as in CICA's official documents, e.g. Турция, Кыргызстан."),
    capital=_("The capital or seat in Russian, e.g. Астана, Алматы (not declined)."),
    summary=_("One or two sentences in Russian, shown in the lists at /ru/."),
    body=_("The full text in Russian. When it is empty, the Russian page shows the English text with a notice."),
    flag_alt=_("Describes the image in Russian, for screen readers on the pages at /ru/, e.g. Флаг Казахстана."),
    notes=_(
        "The research notes in Russian. Public: the Russian pages show them with the record; write nothing that "
        "should stay internal."
    ),
)
