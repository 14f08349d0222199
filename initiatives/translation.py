"""Translated fields (django-modeltranslation): one column per field and language."""

from modeltranslation.translator import TranslationOptions, register

from initiatives.models import Chairmanship, Initiative


@register(Chairmanship)
class ChairmanshipTranslation(TranslationOptions):
    fields = ("summary",)


@register(Initiative)
class InitiativeTranslation(TranslationOptions):
    fields = ("title", "author", "summary", "body", "notes")
