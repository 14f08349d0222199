"""Translated columns in queries (django-modeltranslation adds name_en, name_ru, ...).

django-modeltranslation rewrites `name` in a query to the current language's
column, without the fallback to English that model attributes have: ordering by
`name` on a Russian page would put records without a Russian name together at
one end (first on SQLite, last on PostgreSQL). shown() is the text a visitor
sees: the language's column, or English's where it is empty.
"""

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db.models import F, TextField, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.text import format_lazy
from django.utils.translation import get_language, get_language_info
from django.utils.translation import gettext_lazy as _
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


def has_language_columns(model, name):
    """Whether `name` is no field of the model but the stem of one column per language (text_en, text_ru:
    a document's PDF texts), which then read like a translated field's."""
    fields = {field.name for field in model._meta.get_fields()}
    columns = [build_localized_fieldname(name, code) for code, _name in settings.LANGUAGES]
    return name not in fields and all(column in fields for column in columns)


def localized(model, path, language):
    """The column path of a field in a language: "name" -> "name_ru", "event__title" -> "event__title_ru";
    the path itself for a field that is not translated."""
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    if is_translated(model, name) or has_language_columns(model, name):
        return "__".join([*relations, build_localized_fieldname(name, language)])
    return path


def shown_language(obj, field):
    """The language obj.<field> is shown in now: the current one, or English where its text falls back."""
    language = current_language()
    if language == DEFAULT_LANGUAGE or obj is None or obj == "" or not is_translated(type(obj), field):
        return language
    if getattr(obj, build_localized_fieldname(field, language), None):
        return language
    return DEFAULT_LANGUAGE if getattr(obj, build_localized_fieldname(field, DEFAULT_LANGUAGE), None) else language


def shown(model, path, language=None):
    """The text shown for a field: the language's column, or English's where it is empty."""
    language = language or current_language()
    own, english = localized(model, path, language), localized(model, path, DEFAULT_LANGUAGE)
    if own == english:
        return F(own)
    return Coalesce(NullIf(F(own), Value("")), F(english), output_field=TextField())


def order_by_shown(queryset, *fields, language=None):
    """The queryset ordered by `fields`, translated ones by the text shown ("-title" allowed).

    In English that is the English column. In another language a translated field
    sorts by an annotation, <field>_shown (the language's text, else English's), so
    that the ordering stays a list of plain names, never NULL: what the seek
    paginator (cicasite.core.pagination) needs.
    """
    language = language or current_language()
    names, annotations = [], {}
    for field in fields:
        descending = field.startswith("-")
        path = field.lstrip("-")
        column = localized(queryset.model, path, language)
        if path == "pk" or column == path:
            names.append(field)
        elif language == DEFAULT_LANGUAGE:
            names.append(("-" if descending else "") + column)
        else:
            alias = f"{path.replace('__', '_')}_shown"
            annotations[alias] = shown(queryset.model, path, language)
            names.append(("-" if descending else "") + alias)
    return queryset.annotate(**annotations).order_by(*names)


# Translation freshness: which languages of a record changed, and when.


def translated_fields(model):
    try:
        return sorted(translator.get_options_for_model(model).all_fields)
    except NotRegistered:
        return []


def _texts(model, values):
    """{language: (values of its columns)} from a dict of column values."""
    return {
        code: tuple(values.get(build_localized_fieldname(field, code)) or "" for field in translated_fields(model))
        for code, _name in settings.LANGUAGES
    }


def note_changed_languages(sender, instance, raw=False, update_fields=None, **kwargs):
    """pre_save: remember which languages' texts this save changes (all non-empty ones for a new record)."""
    if raw:
        return
    columns = [
        build_localized_fieldname(field, code) for field in translated_fields(sender) for code, _ in settings.LANGUAGES
    ]
    new = _texts(sender, {column: getattr(instance, column) for column in columns})
    old = None
    if instance.pk is not None and not instance._state.adding:
        old = sender._base_manager.filter(pk=instance.pk).values(*columns).first()
    if old is None:
        instance._changed_languages = [code for code, texts in new.items() if any(texts)]
    else:
        old = _texts(sender, old)
        instance._changed_languages = [code for code in new if new[code] != old[code]]


def stamp_changed_languages(sender, instance, raw=False, **kwargs):
    """post_save: record the time of the change for each language that changed."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone

    from cicasite.core.models import TranslationState

    languages = getattr(instance, "_changed_languages", [])
    if raw or not languages:
        return
    content_type = ContentType.objects.get_for_model(sender)
    now = timezone.now()
    for language in languages:
        TranslationState.objects.update_or_create(
            content_type=content_type, object_id=instance.pk, language=language, defaults={"changed_at": now}
        )
    instance._changed_languages = []


def missing_translation(model, language):
    """Q: records with an English text whose translation into `language` is empty."""
    from django.db.models import Q

    condition = Q(pk__in=[])
    for field in translated_fields(model):
        english = build_localized_fieldname(field, DEFAULT_LANGUAGE)
        own = build_localized_fieldname(field, language)
        condition |= (~Q(**{english: ""}) & Q(**{f"{english}__isnull": False})) & (
            Q(**{own: ""}) | Q(**{f"{own}__isnull": True})
        )
    return condition


def outdated_translation(queryset, language):
    """The records of a queryset whose `language` text last changed before their English text."""
    return queryset.filter(pk__in=outdated_keys(queryset.model, language))


def outdated_keys(model, language):
    """A subquery: the pks of model's records whose `language` text last changed before their English text.

    Read from the translation states alone (a few rows per edited record), not per record of the
    model: the admin's "Translation" filter on 100,000 meetings no longer probes each one."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import OuterRef, Subquery

    from cicasite.core.models import TranslationState

    states = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(model))
    own = states.filter(language=language, object_id=OuterRef("object_id")).values("changed_at")[:1]
    english = states.filter(language=DEFAULT_LANGUAGE).annotate(own_changed=Subquery(own))
    return english.filter(changed_at__gt=F("own_changed")).values("object_id")


# Help texts of each language's column.
#
# django-modeltranslation gives every column of a translated field (name_en, name_ru) the field's
# own help text: TranslationField.__init__ copies the field's __dict__ (modeltranslation/fields.py),
# so the Russian column of a member's name repeated "Common English name, e.g. Türkiye.". The
# English column keeps the field's help text; every other language's column gets its own, declared
# beside the translation options (column_help() in <app>/translation.py), or else a general one.
# The admin puts them on its forms (cicasite.core.admin): a help text is a form's concern, and
# changing the columns' own would only add migrations.

_column_help = {}


def column_help(model, language, **texts):
    """Declare the help texts of `language`'s columns of model's translated fields: name=_("...")."""
    for name, text in texts.items():
        if not is_translated(model, name):
            raise ImproperlyConfigured(f"{model._meta.label}.{name} is not a translated field.")
        _column_help[(model, name, language)] = text


def column_help_text(db_field):
    """The help text for one column of a translated field (name_ru); a field that is no column keeps its own."""
    original = getattr(db_field, "translated_field", None)
    if original is None:
        return db_field.help_text
    language = db_field.language
    own = _column_help.get((db_field.model, original.name, language))
    if own is not None:
        return own
    if language == DEFAULT_LANGUAGE:
        return original.help_text
    return format_lazy(
        _("The text in {language}, for the pages at /{code}/. When it is empty, they show the English text."),
        language=get_language_info(language)["name_translated"],
        code=language,
    )


# What the admin's readiness panel says about each language of a record.


def _has_text(value):
    return bool(value and str(value).strip())


def translation_gaps(obj):
    """[(row, field name, language)] of texts missing in a language while another language has them.

    Alt texts count only when their image is there (flag_alt without a flag needs no translation).
    """
    gaps = []
    for field in translated_fields(type(obj)):
        if field.endswith("_alt") and not getattr(obj, field.removesuffix("_alt"), None):
            continue
        values = {
            code: getattr(obj, build_localized_fieldname(field, code), None) for code, _name in settings.LANGUAGES
        }
        if not any(_has_text(value) for value in values.values()):
            continue
        gaps += [(obj, field, code) for code, value in values.items() if not _has_text(value)]
    return gaps


def changed_at(obj):
    """{language: when its text last changed} for one record (cicasite.core.models.TranslationState)."""
    from django.contrib.contenttypes.models import ContentType

    from cicasite.core.models import TranslationState

    states = TranslationState.objects.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)
    return dict(states.values_list("language", "changed_at"))


def translation_warnings(obj, children=()):
    """The readiness panel's lines about languages: missing texts (any language, alt texts included),
    and translations older than the English text. For obj and the children edited with it."""
    from django.utils import timezone
    from django.utils.formats import date_format

    missing = {code: [] for code, _name in settings.LANGUAGES}
    for row in [obj, *children]:
        for owner, field, code in translation_gaps(row):
            label = owner._meta.get_field(field).verbose_name
            if owner is not obj:
                label = _("%(field)s (%(kind)s “%(name)s”)") % {
                    "field": label,
                    "kind": owner._meta.verbose_name,
                    "name": owner,
                }
            missing[code].append(str(label))
    warnings = []
    for code, labels in missing.items():
        if labels:
            warnings.append(
                _("%(language)s: no text yet for %(fields)s.")
                % {"language": get_language_info(code)["name_translated"], "fields": ", ".join(labels)}
            )
    if obj.pk is not None and translated_fields(type(obj)):
        stamps = changed_at(obj)
        english = stamps.get(DEFAULT_LANGUAGE)
        for code, _name in settings.LANGUAGES:
            own = stamps.get(code)
            if code != DEFAULT_LANGUAGE and english and own and english > own:
                warnings.append(
                    _(
                        "%(language)s: may be out of date. The English text changed on %(english)s, this one "
                        "last on %(own)s: check that it still says the same."
                    )
                    % {
                        "language": get_language_info(code)["name_translated"],
                        "english": date_format(timezone.localtime(english), "DATETIME_FORMAT"),
                        "own": date_format(timezone.localtime(own), "DATETIME_FORMAT"),
                    }
                )
    return warnings
