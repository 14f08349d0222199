from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cicasite.core.admin import PublishableAdmin
from cicasite.core.admin_base import PUBLICATION_FIELDS
from cicasite.core.status import PublicationStateFilter
from initiatives.models import Chairmanship, Initiative


@admin.register(Chairmanship)
class ChairmanshipAdmin(PublishableAdmin):
    list_display = ["__str__", "member", "start_year", "end_year"]
    list_select_related = ["member"]
    search_fields = ["member__name", "slug"]
    autocomplete_fields = ["member", "sources"]
    autocomplete_select_related = ["member"]


@admin.register(Initiative)
class InitiativeAdmin(PublishableAdmin):
    list_display = ["title", "status", "proposed_by", "chairmanship", "lead", "state_display"]
    list_filter = [PublicationStateFilter, "status", "proposed_by", "chairmanship", "dimensions"]
    list_select_related = ["chairmanship__member", "lead"]
    search_fields = ["title", "summary"]
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["chairmanship", "lead", "dimensions", "events", "sources"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "status", "proposed_by", "author", "chairmanship", "lead"]}),
        (_("Text"), {"fields": ["summary", "body"]}),
        (_("Links"), {"fields": ["dimensions", "events"]}),
        (_("Research"), {"fields": ["verified", "partly_verified", "notes", "sources"]}),
        (
            _("Publication"),
            {"fields": PUBLICATION_FIELDS},
        ),
    ]

    def autocomplete_label(self, obj):
        return f"{obj.title} ({obj.get_status_display()})"
