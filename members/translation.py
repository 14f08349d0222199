"""Translated fields (django-modeltranslation): one column per field and language."""

from modeltranslation.translator import TranslationOptions, register

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
