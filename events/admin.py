from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from cicasite.core.admin import PublishableAdmin, TranslatedStackedInline
from cicasite.core.admin_base import PUBLICATION_FIELDS, SCHEDULE_FIELDS, PublishableInlineMixin
from cicasite.core.admin_lists import year_filter
from cicasite.core.status import PublicationStateFilter
from events.forms import DocumentForm, DocumentInlineForm
from events.models import FILE_LABELS, FILES, Document, Event

TEXT_PREVIEW_CHARS = 1500  # of a PDF's text on the document's change form


def text_preview(text):
    """The start of a PDF's stored text, with its length: what search finds in it."""
    if not text:
        return "—"
    more = "…" if len(text) > TEXT_PREVIEW_CHARS else ""
    return format_html(
        '<p class="help">{}</p><div class="document-text">{}{}</div>',
        _("%(chars)s characters, found by site search.") % {"chars": len(text)},
        text[:TEXT_PREVIEW_CHARS],
        more,
    )


class DocumentFilesMixin:
    """The stored PDFs of a document as the admin shows them: size, SHA-256 and the text read from each."""

    @admin.display(description=_("stored files"))
    def stored_files(self, obj):
        rows = []
        extraction = (obj.text_extraction or {}) if obj is not None else {}
        for spec in FILES:
            if obj is None or not getattr(obj, spec.file):
                continue
            size, sha256 = getattr(obj, spec.size), getattr(obj, spec.sha256)
            state = extraction.get(spec.language, {})
            if state.get("sha256") == sha256:
                text = _("%(chars)s characters of text from %(pages)s pages") % {
                    "chars": len(getattr(obj, spec.text)),
                    "pages": state.get("pages", 0),
                }
            else:
                text = _("text not read yet")
            rows.append(
                (
                    FILE_LABELS[spec.language],
                    filesizeformat(size) if size is not None else "—",
                    sha256 or "—",
                    text,
                )
            )
        if not rows:
            return _("No PDF yet.")
        return format_html(
            '<ul class="document-files">{}</ul>',
            format_html_join(
                "",
                "<li>{}: {}, {} <code>{}</code>; {}</li>",
                ((label, size, _("SHA-256"), sha256, text) for label, size, sha256, text in rows),
            ),
        )


class DocumentInline(DocumentFilesMixin, PublishableInlineMixin, TranslatedStackedInline):
    model = Document
    form = DocumentInlineForm
    extra = 0
    fields = [
        ("title", "kind"),
        "slug",
        ("date", "position"),
        ("file", "file_ru"),
        "stored_files",
        "publication_status",
        SCHEDULE_FIELDS,
    ]
    readonly_fields = ["stored_files"]
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
class DocumentAdmin(DocumentFilesMixin, PublishableAdmin):
    form = DocumentForm
    list_display = ["title", "kind", "meeting", "date", "state_display"]
    list_filter = [PublicationStateFilter, "kind"]
    # The page's meetings by key: joined, 100,000 meetings met 20,000 documents before each sort.
    list_select_related = []
    list_prefetch_related = ["event"]
    list_defer = ["text_en", "text_ru"]  # up to MAX_CHARS each: never shown in the list
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
        ("file", "file_ru"),
        "stored_files",
        "english_text",
        "russian_text",
        "position",
        "body",
        "publication_status",
        ("publish_at", "unpublish_at"),
        "created_at",
        "updated_at",
    ]

    readonly_fields = ["stored_files", "english_text", "russian_text"]

    @admin.display(description=_("text of the English PDF"))
    def english_text(self, obj):
        return text_preview(obj.text_en if obj is not None else "")

    @admin.display(description=_("text of the Russian PDF"))
    def russian_text(self, obj):
        return text_preview(obj.text_ru if obj is not None else "")

    @admin.display(description=_("meeting"), ordering="event__start_date")
    def meeting(self, obj):
        return obj.event
