"""Translated columns in queries (django-modeltranslation adds name_en, name_ru, ...).

django-modeltranslation rewrites `name` in a query to the current language's
column, without the fallback to English that model attributes have: ordering by
`name` on a Russian page would put records without a Russian name together at
one end (first on SQLite, last on PostgreSQL). shown() is the text a visitor
sees: the language's column, or English's where it is empty.
"""

from django.conf import settings
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def current_language():
    language = get_language() or DEFAULT_LANGUAGE
    return language if language in dict(settings.LANGUAGES) else DEFAULT_LANGUAGE


def is_translated(model, name):
    try:
        return name in translator.get_options_for_model(model).all_fields
    except NotRegistered:
        return False


def localized(model, path, language):
    """The column path of a field in a language: "name" -> "name_ru", "event__title" -> "event__title_ru";
    the path itself for a field that is not translated."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    if is_translated(model, name):
        return "__".join([*relations, build_localized_fieldname(name, language)])
    return path


def shown(model, path, language=None):
    """The text shown for a field: the language's column, or English's where it is empty."""
    language = language or current_language()
    own, english = localized(model, path, language), localized(model, path, DEFAULT_LANGUAGE)
    if own == english:
        return F(own)
    return Coalesce(NullIf(F(own), Value("")), F(english), output_field=TextField())


def order_for(model, *fields, language=None):
    """order_by() arguments for `model` in which translated fields sort by their shown text."""
    language = language or current_language()
    result = []
    for field in fields:
        if not isinstance(field, str) or language == DEFAULT_LANGUAGE:
            result.append(field)
            continue
        descending = field.startswith("-")
        path = field.lstrip("-")
        if path == "pk" or localized(model, path, language) == path:
            result.append(field)
            continue
        text = shown(model, path, language)
        result.append(text.desc() if descending else text.asc())
    return result
