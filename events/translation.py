"""Translated fields (django-modeltranslation): one column per field and language."""

from modeltranslation.translator import TranslationOptions, register

from events.models import Document, Event


@register(Event)
class EventTranslation(TranslationOptions):
    fields = ("title", "city", "country", "summary", "body", "image_alt", "notes")


@register(Document)
class DocumentTranslation(TranslationOptions):
    fields = ("title",)
    # A missing title is NULL, not "": titles are unique per meeting and language,
    # and many documents may lack a Russian title.
    empty_values = None
