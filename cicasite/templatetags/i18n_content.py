"""Translated content in templates: mark text that falls back to English.

django-modeltranslation shows the English text when the current language's
column is empty. Templates say so: `lang_of` puts lang="en" on the element
(screen readers switch voice), and `fallback_notice` renders a polite notice
before a block that is shown in English.

    <h1{{ member|lang_of:"name" }}>{{ member.name }}</h1>
    {% fallback_notice member "summary" "body" %}
"""

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import get_language
from modeltranslation.translator import NotRegistered, translator
from modeltranslation.utils import build_localized_fieldname

register = template.Library()
DEFAULT = settings.MODELTRANSLATION_DEFAULT_LANGUAGE


def shown_language(obj, field):
    """The language `obj.<field>` is shown in now: the current one, or English when it falls back."""
    language = get_language() or DEFAULT
    if language == DEFAULT or obj is None or obj == "":
        return language
    try:
        translator.get_options_for_model(type(obj))
    except NotRegistered:
        return language
    own = getattr(obj, build_localized_fieldname(field, language), None)
    if own:
        return language
    return DEFAULT if getattr(obj, build_localized_fieldname(field, DEFAULT), None) else language


@register.filter
def lang_of(obj, field):
    """' lang="en"' when the field is shown in English on a page in another language, else ''."""
    shown = shown_language(obj, field)
    return format_html(' lang="{}"', shown) if shown != (get_language() or DEFAULT) else ""


@register.simple_tag
def fallback_notice(obj, *fields):
    """The notice for a block shown in English because its translation is missing."""
    current = get_language() or DEFAULT
    if all(shown_language(obj, field) == current for field in fields if getattr(obj, field, None)):
        return ""
    return render_to_string("includes/fallback_notice.html", {"shown": DEFAULT})
