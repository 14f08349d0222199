from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cicasite.editorial import EditorialAdmin
from cicasite.models import LegacyRedirect, Organ, Partner, SecretariatHead, Source

admin.site.site_header = _("CICA site administration")
admin.site.site_title = _("CICA admin")
admin.site.index_title = _("Content")


class PublishableAdmin(EditorialAdmin):
    """Shared admin behaviour for every public record (the workflow lives in cicasite/editorial.py)."""


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ["code", "title", "url"]
    search_fields = ["code", "title", "url", "used_for"]


@admin.register(Organ)
class OrganAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "position"]
    list_editable = ["position"]
    list_filter = ["kind"]
    search_fields = ["name", "summary"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["sources"]
    show_facets = admin.ShowFacets.ALWAYS


@admin.register(SecretariatHead)
class SecretariatHeadAdmin(admin.ModelAdmin):
    list_display = ["name", "title", "country", "start_year", "end_year", "is_deputy"]
    list_filter = ["is_deputy", "title"]
    search_fields = ["name", "country"]


@admin.register(Partner)
class PartnerAdmin(admin.ModelAdmin):
    list_display = ["name", "position"]
    list_editable = ["position"]
    search_fields = ["name"]


@admin.register(LegacyRedirect)
class LegacyRedirectAdmin(admin.ModelAdmin):
    list_display = ["kind", "key", "target", "note"]
    list_filter = ["kind"]
    search_fields = ["key", "target", "note"]
    show_facets = admin.ShowFacets.ALWAYS
