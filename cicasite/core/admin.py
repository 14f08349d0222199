from django.conf import settings
from django.contrib import admin
from django.urls import translate_url
from django.utils.functional import lazy
from django.utils.text import format_lazy
from django.utils.translation import get_language, override
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationStackedInline, TranslationTabularInline
from modeltranslation.utils import build_localized_fieldname

from cicasite.core import i18n
from cicasite.core.admin_lists import LabelledAutocompleteJsonView
from cicasite.core.editorial import EditorialAdmin
from cicasite.core.models import LegacyRedirect, Organ, Partner, SecretariatHead, SiteSettings, Source
from cicasite.core.pagecache import bump_content_version

admin.site.site_header = _("CICA site administration")
admin.site.site_title = _("CICA admin")
admin.site.index_title = _("Content")


def site_home():
    """The public home page in the active language: "/" or "/ru/" (resolved as the English "/")."""
    language = get_language()
    with override(settings.LANGUAGE_CODE):
        return translate_url("/", language)


# "View site" opens the home page in the admin's language (/ru/ for a Russian admin).
admin.site.site_url = lazy(site_home, str)()
# The index shows the review queue above the models (templates/admin/cicasite/index.html).
admin.site.index_template = "admin/cicasite/index.html"


def autocomplete_view(request):
    """The site's autocomplete, with labels that tell records apart (a meeting's date and place)."""
    return LabelledAutocompleteJsonView.as_view(admin_site=admin.site)(request)


admin.site.autocomplete_view = autocomplete_view  # AdminSite.get_urls() reads it from the instance


def translation_filter(language, name):
    """A list filter: records whose translation into `language` is missing, outdated or up to date."""

    class TranslationFilter(admin.SimpleListFilter):
        title = format_lazy(_("Translation: {language}"), language=name)
        parameter_name = f"translation_{language}"

        def lookups(self, request, model_admin):
            return [
                ("missing", _("Missing (some text only in English)")),
                ("outdated", _("Outdated (English changed since)")),
                ("current", _("Complete and up to date")),
            ]

        def queryset(self, request, queryset):
            missing = i18n.missing_translation(queryset.model, language)
            if self.value() == "missing":
                return queryset.filter(missing)
            if self.value() == "outdated":
                return i18n.outdated_translation(queryset, language)
            if self.value() == "current":
                return queryset.exclude(missing).exclude(pk__in=i18n.outdated_keys(queryset.model, language))
            return queryset

    return TranslationFilter


TRANSLATION_FILTERS = [
    translation_filter(code, name) for code, name in settings.LANGUAGES if code != i18n.DEFAULT_LANGUAGE
]


class ColumnHelpMixin:
    """Each language's column of a translated field with its own help text (cicasite.core.i18n.column_help)."""

    def patch_translation_field(self, db_field, field, request, **kwargs):
        super().patch_translation_field(db_field, field, request, **kwargs)
        if hasattr(db_field, "translated_field"):
            field.help_text = i18n.column_help_text(db_field)


class TranslatedAdmin(ColumnHelpMixin, TranslationAdmin):
    """Both languages of a record on one form (django-modeltranslation), a filter per translation,
    and search over every language's text."""

    def get_list_filter(self, request):
        return [*super().get_list_filter(request), *TRANSLATION_FILTERS]

    def get_search_fields(self, request):
        fields = []
        for field in super().get_search_fields(request):
            *relations, name = field.split("__")
            model = self.model
            for relation in relations:
                model = model._meta.get_field(relation).related_model
            if i18n.is_translated(model, name):
                fields += [
                    "__".join([*relations, build_localized_fieldname(name, code)]) for code, _ in settings.LANGUAGES
                ]
            else:
                fields.append(field)
        return fields


class TranslatedTabularInline(ColumnHelpMixin, TranslationTabularInline):
    pass


class TranslatedStackedInline(ColumnHelpMixin, TranslationStackedInline):
    pass


class PublishableAdmin(EditorialAdmin, TranslatedAdmin):
    """Shared admin behaviour for every translated public record (publishable or not): the publishing
    rule and review (cicasite/core/editorial.py) and both languages on one form."""

    def response_action(self, request, queryset, **kwargs):
        # Bulk actions may write with QuerySet.update(), which sends no signal: cached pages go stale here.
        response = super().response_action(request, queryset, **kwargs)
        bump_content_version()
        return response


@admin.register(Source)
class SourceAdmin(EditorialAdmin):
    list_display = ["code", "title", "url"]
    search_fields = ["code", "title", "url", "used_for"]


@admin.register(Organ)
class OrganAdmin(PublishableAdmin):
    list_display = ["name", "kind", "position", "verified"]
    list_editable = ["position"]
    list_filter = ["kind", "verified"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(SecretariatHead)
class SecretariatHeadAdmin(PublishableAdmin):
    list_display = ["name", "title", "country", "start_year", "end_year", "is_deputy", "verified"]
    list_filter = ["is_deputy", "title", "verified"]
    search_fields = ["name", "country"]
    autocomplete_fields = ["sources"]


@admin.register(Partner)
class PartnerAdmin(PublishableAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(SiteSettings)
class SiteSettingsAdmin(PublishableAdmin):
    """Who publishes the site, in every language: one row (created by load_cica), never deleted."""

    list_display = ["__str__", "publisher_name", "publisher_url"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(EditorialAdmin):
    list_display = ["kind", "key", "target", "note"]
    list_filter = ["kind"]
    search_fields = ["key", "target", "note"]
    show_facets = admin.ShowFacets.ALWAYS
