from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from cicasite.core.admin import PublishableAdmin, TranslatedTabularInline
from cicasite.core.admin_base import PUBLICATION_FIELDS, PublishableInlineMixin
from cicasite.core.editorial import EditorialAdmin
from cicasite.core.status import PublicationStateFilter
from members.models import Dimension, Member, PriorityArea, Region, Role


class PriorityAreaInline(PublishableInlineMixin, TranslatedTabularInline):
    model = PriorityArea
    extra = 0
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Dimension)
class DimensionAdmin(PublishableAdmin):
    list_display = ["name", "short_name", "slug", "position"]
    list_editable = ["position"]
    search_fields = ["name", "short_name"]
    prepopulated_fields = {"slug": ["short_name"]}
    inlines = [PriorityAreaInline]


@admin.register(PriorityArea)
class PriorityAreaAdmin(PublishableAdmin):
    list_display = ["name", "dimension", "position"]
    list_filter = ["dimension"]
    list_select_related = ["dimension"]
    search_fields = ["name", "dimension__name"]
    prepopulated_fields = {"slug": ["name"]}
    show_facets = admin.ShowFacets.ALWAYS
    autocomplete_select_related = ["dimension"]

    def autocomplete_label(self, obj):
        return f"{obj.name} ({obj.dimension})"


@admin.register(Region)
class RegionAdmin(PublishableAdmin):
    list_display = ["name", "slug"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


class RoleInline(PublishableInlineMixin, admin.TabularInline):
    model = Role
    extra = 0
    fields = ["area", "role", "as_of", "verified"]
    autocomplete_fields = ["area"]


@admin.register(Member)
class MemberAdmin(PublishableAdmin):
    list_display = ["flag_thumbnail", "name", "status", "region", "joined", "iso_code", "state_display"]
    list_display_links = ["flag_thumbnail", "name"]
    list_filter = [PublicationStateFilter, "status", "region", "roles__area__dimension", "verified"]
    list_select_related = ["region"]
    search_fields = ["name", "iso_code", "capital"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["region", "sources"]
    inlines = [RoleInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "status", "iso_code", "region", "joined", "capital", "website"]}),
        (_("Text"), {"fields": ["summary", "body"]}),
        (_("Flag or emblem"), {"fields": ["flag", "flag_alt"]}),
        (_("Research"), {"fields": ["verified", "partly_verified", "notes", "sources"]}),
        (
            _("Publication"),
            {"fields": PUBLICATION_FIELDS},
        ),
    ]

    @admin.display(description=_("flag"))
    def flag_thumbnail(self, obj):
        if obj.flag:
            return format_html('<img src="{}" alt="{}" width="32" height="20">', obj.flag.url, obj.flag_alt)
        return obj.badge_text

    def autocomplete_label(self, obj):
        return f"{obj.name} ({obj.get_status_display()})"


@admin.register(Role)
class RoleAdmin(EditorialAdmin):
    list_display = ["member", "role", "area", "as_of", "verified"]
    list_filter = ["role", "area__dimension", "verified"]
    list_select_related = ["member", "area__dimension"]
    search_fields = ["member__name", "area__name"]
    autocomplete_fields = ["member", "area", "sources"]
    show_facets = admin.ShowFacets.ALWAYS
