from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cicasite.admin import PublishableAdmin, TranslatedStackedInline
from events.models import Document, Event


class DocumentInline(TranslatedStackedInline):
    model = Document
    extra = 0
    fields = [("title", "kind"), ("date", "position"), "file", "publication_status"]


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = ["title", "kind", "date_display", "place", "host", "status", "publication_status"]
    list_filter = ["publication_status", "kind", "status", "dimensions", "host"]
    list_select_related = ["host"]
    search_fields = ["title", "city", "country", "summary"]
    date_hierarchy = "start_date"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["host", "dimensions", "sources"]
    inlines = [DocumentInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "kind", "ordinal", "status"]}),
        (_("When and where"), {"fields": [("start_date", "date_precision"), "end_date", ("city", "country"), "host"]}),
        (_("Text"), {"fields": ["summary", "body", "dimensions"]}),
        (_("Image"), {"fields": ["image", "image_alt"]}),
        (_("Research"), {"fields": ["verified", "notes", "sources"]}),
        (_("Publication"), {"fields": ["publication_status", "created_at", "updated_at"]}),
    ]

    @admin.display(description=_("date"), ordering="start_date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    list_display = ["title", "kind", "event", "date", "publication_status"]
    list_filter = ["publication_status", "kind"]
    list_select_related = ["event"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    fields = ["event", "title", "kind", "date", "file", "position", "publication_status", "created_at", "updated_at"]
