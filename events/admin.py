from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from cicasite.core.admin import PublishableAdmin, TranslatedStackedInline
from cicasite.core.admin_base import PUBLICATION_FIELDS, SCHEDULE_FIELDS, PublishableInlineMixin
from cicasite.core.admin_lists import year_filter
from cicasite.core.status import PublicationStateFilter
from events.forms import DocumentForm, DocumentInlineForm
from events.models import Document, Event


class DocumentInline(PublishableInlineMixin, TranslatedStackedInline):
    model = Document
    form = DocumentInlineForm
    extra = 0
    fields = [("title", "kind"), "slug", ("date", "position"), "file", "publication_status", SCHEDULE_FIELDS]
    prepopulated_fields = {"slug": ["title"]}


@admin.register(Event)
class EventAdmin(PublishableAdmin):
    list_display = ["title", "kind", "date_display", "place", "host", "status", "state_display"]
    list_filter = [PublicationStateFilter, year_filter("start_date"), "kind", "status", "dimensions", "host"]
    list_select_related = ["host"]
    # Each served by a trigram index (title, city, country in both languages); the summary and body
    # are found by the site's search, whose full-text index covers them.
    search_fields = ["title", "city", "country"]
    # Newest first, then by key: the event_admin_list_idx order (Meta.ordering's title has no index
    # per language). Sorting by a column keeps this order within its values.
    ordering = ["-start_date", "-id"]
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

    def autocomplete_label(self, obj):
        """Title, date and place: "Sixth CICA Summit: 12–13 October 2022, Astana, Kazakhstan"."""
        return ", ".join(part for part in (f"{obj.title}: {obj.date_display}", obj.place) if part)

    @admin.display(description=_("date"), ordering="start_date")
    def date_display(self, obj):
        return obj.date_display

    @admin.display(description=_("place"))
    def place(self, obj):
        return obj.place


@admin.register(Document)
class DocumentAdmin(PublishableAdmin):
    form = DocumentForm
    list_display = ["title", "kind", "meeting", "date", "state_display"]
    list_filter = [PublicationStateFilter, "kind"]
    # The page's meetings by key: joined, 100,000 meetings met 20,000 documents before each sort.
    list_select_related = []
    list_prefetch_related = ["event"]
    search_fields = ["title", "event__title"]
    autocomplete_fields = ["event"]
    # Newest first: Meta.ordering sorts by the meeting's own order, a join over every document per page.
    ordering = ["-id"]
    prepopulated_fields = {"slug": ["title"]}
    fields = [
        "event",
        "title",
        "slug",
        "kind",
        "date",
        "file",
        "position",
        "body",
        "publication_status",
        ("publish_at", "unpublish_at"),
        "created_at",
        "updated_at",
    ]

    @admin.display(description=_("meeting"), ordering="event__start_date")
    def meeting(self, obj):
        return obj.event
