"""Translated content in templates: mark text that falls back to English.

django-modeltranslation shows the English text when the current language's
column is empty. Templates say so: `lang_of` puts lang="en" on the element
(screen readers switch voice), and `fallback_notice` renders a polite notice
before a block that is shown in English.

    <h1{{ member|lang_of:"name" }}>{{ member.name }}</h1>
    {% fallback_notice member "summary" "body" %}
"""

from django import template
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext

from cicasite.core import dates
from cicasite.core.i18n import DEFAULT_LANGUAGE, current_language, shown_language

register = template.Library()


@register.filter
def lang_of(obj, field):
    """' lang="en"' when the field is shown in English on a page in another language, else ''."""
    shown = shown_language(obj, field)
    return format_html(' lang="{}"', shown) if shown != current_language() else ""


@register.simple_tag
def fallback_notice(obj, *fields):
    """The notice for a block shown in English because its translation is missing."""
    current = current_language()
    if all(shown_language(obj, field) == current for field in fields if getattr(obj, field, None)):
        return ""
    return render_to_string("includes/fallback_notice.html", {"shown": DEFAULT_LANGUAGE})


@register.filter
def day_date(value):
    """A date known to the day, as the page's language writes it: '19 March 2024', '19 марта 2024 г.'."""
    return dates.day(value) if value else ""


@register.filter
def year_date(value):
    """A year, as the page's language writes it: '2024', '2024 г.'."""
    return dates.year(value) if value else ""


@register.filter
def term_years(start, end):
    """A term of office in years: '2006–2008 гг.', 'с 2020 г. по настоящее время' ('2020–present')."""
    if start and end:
        return dates.years(start, end)
    if start:
        return pgettext("term of office still running", "%(start)s–present") % {"start": start}
    if end:
        return pgettext("term of office, only its end known", "–%(end)s") % {"end": end}
    return gettext("in office")
