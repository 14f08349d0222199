"""Translated fields (django-modeltranslation): one column per field and language."""

from modeltranslation.translator import TranslationOptions, register

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
