from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cicasite.core.admin import PublishableAdmin, TranslatedStackedInline
from cicasite.core.admin_base import PUBLICATION_FIELDS, SCHEDULE_FIELDS, PublishableInlineMixin
from cicasite.core.editorial import PublicationStateFilter
from events.models import Document, Event


class DocumentInline(PublishableInlineMixin, TranslatedStackedInline):
    model = Document
    extra = 0
    fields = [("title", "kind"), ("date", "position"), "file", "publication_status", SCHEDULE_FIELDS]


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = ["title", "kind", "date_display", "place", "host", "status", "state_display"]
    list_filter = [PublicationStateFilter, "kind", "status", "dimensions", "host"]
    list_select_related = ["host"]
    search_fields = ["title", "city", "country", "summary"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["host", "dimensions", "sources"]
    inlines = [DocumentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "ordinal", "status"]}),
        (
            _("When and where"),
            {"fields": [("start_date", "date_precision"), "end_date", ("city", "country"), "online", "host"]},
        ),
        (_("Text"), {"fields": ["summary", "body", "dimensions"]}),
        (_("Image"), {"fields": ["image", "image_alt"]}),
        (_("Research"), {"fields": ["verified", "partly_verified", "notes", "sources"]}),
        (
            _("Publication"),
            {"fields": PUBLICATION_FIELDS},
        ),
    ]

    @admin.display(description=_("date"), ordering="start_date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ["title", "kind", "event", "date", "state_display"]
    list_filter = [PublicationStateFilter, "kind"]
    list_select_related = ["event"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    fields = [
        "event",
        "title",
        "kind",
        "date",
        "file",
        "position",
        "publication_status",
        ("publish_at", "unpublish_at"),
        "created_at",
        "updated_at",
    ]
