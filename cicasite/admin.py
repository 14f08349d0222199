from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from cicasite.models import LegacyRedirect, Organ, Partner, Publishable, SecretariatHead, Source
from cicasite.pagecache import bump_content_version

admin.site.site_header = _("CICA site administration")
admin.site.site_title = _("CICA admin")
admin.site.index_title = _("Content")


class PublishableAdmin(admin.ModelAdmin):
    """Shared admin behaviour for every public record: status column, filter and bulk actions."""

    show_facets = admin.ShowFacets.ALWAYS
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at"]

    def response_action(self, request, queryset, **kwargs):
        # Bulk actions may write with QuerySet.update(), which sends no signal: cached pages go stale here.
        response = super().response_action(request, queryset, **kwargs)
        bump_content_version()
        return response

    @admin.action(description=_("Publish the selected records"))
    def publish(self, request, queryset):
        count = queryset.exclude(publication_status=Publishable.PublicationStatus.PUBLISHED).update(
            publication_status=Publishable.PublicationStatus.PUBLISHED
        )
        self.message_user(
            request,
            ngettext("%(count)d record published.", "%(count)d records published.", count) % {"count": count},
            messages.SUCCESS,
        )

    @admin.action(description=_("Unpublish the selected records (back to draft)"))
    def unpublish(self, request, queryset):
        count = queryset.exclude(publication_status=Publishable.PublicationStatus.DRAFT).update(
            publication_status=Publishable.PublicationStatus.DRAFT
        )
        self.message_user(
            request,
            ngettext("%(count)d record unpublished.", "%(count)d records unpublished.", count) % {"count": count},
            messages.SUCCESS,
        )


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
