from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from cicasite.core import citations, structured_data
from cicasite.core.filters import canonical_redirect
from cicasite.core.i18n import shown_language
from cicasite.core.links import absolute
from cicasite.core.opendata import download
from cicasite.core.views import FilteredListView, PreviewMixin, content_fragments, related_model
from events.filters import DocumentFilter, EventFilter
from events.models import Document, Event
from events.opendata import DOCUMENTS, MEETINGS


class EventListView(FilteredListView):
    filterset_class = EventFilter
    template_name = "events/event_list.html"
    results_partial = "events/event_list.html#results"

    def get_base_queryset(self):
        return (
            Event.objects.published()
            .select_related("host")
            .prefetch_related("dimensions")
            .defer("body", "notes")
            # Ties on a date break by the English title in every language: never NULL, and the
            # list index (publication_status, -start_date, title_en, id) serves every language.
            .order_by("-start_date", "title_en", "pk")
        )


@method_decorator(content_fragments, name="dispatch")
class EventDetailView(PreviewMixin, DetailView):
    model = Event  # what the page shows (cicasite.views.target_is_public reads it)
    template_name = "events/event_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(structured_data=structured_data.event(self.object), **kwargs)
        photo = structured_data.share_image(self.object.image_picture, self.object.image_alt)
        if photo:
            context["og_image"] = photo  # else the emblem (cicasite.core.context_processors.site)
        return context

    def get_queryset(self):
        return (
            Event.objects.visible_to(self.request.user)
            .select_related("host")
            .prefetch_related(
                # Without its text and the PDFs' texts (up to MAX_CHARS each), which only search reads.
                # Here, not in content_context(): the JSON-LD in the page's head lists them too.
                Prefetch(
                    "documents",
                    queryset=Document.objects.published().defer("body", "text_en", "text_ru"),
                    to_attr="public_documents",
                ),
            )
        )

    def content_context(self):
        """What only the page's main content shows, looked up when it is rendered: never when it comes
        whole from the data cache ({% cachedcontent %})."""
        prefetch_related_objects(
            [self.object],
            "dimensions",
            "sources",
            # The initiatives app sits above this one: its model is reached through the reverse relation.
            Prefetch(
                "initiatives",
                queryset=related_model(Event, "initiatives").objects.published().cica_own(),
                to_attr="public_initiatives",
            ),
        )
        return {}


@require_safe
def event_data(request, format):
    """/events/data.csv and .json: every meeting the list shows for the same filters, all pages at once."""
    # The list's rows; MEETINGS.rows reads their columns with values() (events.opendata.meeting_rows).
    return download(request, MEETINGS, EventListView().get_base_queryset(), format)


# Outcome documents


class DocumentListView(FilteredListView):
    filterset_class = DocumentFilter
    template_name = "events/document_list.html"

    def get_base_queryset(self):
        return (
            Document.objects.published()
            .select_related("event")
            .defer("body", "event__body", "event__notes", "event__summary")
            # Latest meetings first, each meeting's documents in their order (document_event_list_idx).
            .order_by("-event__start_date", "event_id", "position", "pk")
        )


def related_initiatives():
    """The initiatives the public may see that name a meeting (the initiatives app sits above this one)."""
    return related_model(Event, "initiatives").objects.published().cica_own().order_by("title_en", "pk")


class DocumentDetailView(PreviewMixin, DetailView):
    model = Document  # what the page shows (cicasite.views.target_is_public reads it)
    template_name = "events/document_detail.html"

    def get_queryset(self):
        return (
            Document.objects.visible_to(self.request.user)
            .select_related("event", "event__host")
            .defer("event__body", "event__notes")
            .prefetch_related(
                "event__dimensions",
                Prefetch("event__initiatives", queryset=related_initiatives(), to_attr="public_initiatives"),
            )
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            structured_data=structured_data.outcome_document(self.object), citation=citation_of(self.object), **kwargs
        )
        day = self.object.date_display  # "4 June 2002", "4 июня 2002 г.": one full stop after it, not two
        context["cite_date"] = day if day.endswith(".") else f"{day}."
        if not self.object.event.is_published:
            context["preview"] = self.object  # a document of a draft meeting is not public either
        return context


def citation_of(document):
    """What cicasite.core.citations writes for a document, in the page's language."""
    event = document.event
    issued, precision = document.issued
    return citations.Citation(
        key=document.slug,
        author=structured_data.cica_name(),
        author_short=structured_data.cica_short_name(),
        title=document.title,
        genre=document.get_kind_display(),
        event=event.title,
        place=event.place,
        issued=issued,
        precision=precision,
        url=absolute(document.get_absolute_url()),
        language=shown_language(document, "title"),
        files=tuple(citations.CitedFile(f.language, f.sha256) for f in document.files() if f.sha256),
    )


@require_safe
def cite(request, slug, format):
    """/documents/<slug>/cite.bib, .ris and .json: the citation of the page, to download."""
    redirect = canonical_redirect(request, [])  # it takes no parameters: one address
    if redirect:
        return redirect
    document = get_object_or_404(Document.objects.published().select_related("event").defer("body"), slug=slug)
    text, content_type = citations.write(citation_of(document), format)
    response = HttpResponse(text, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.slug}.{format}"'
    response["Access-Control-Allow-Origin"] = "*"  # reference managers may fetch it from anywhere
    return response


cite.model = Document  # the record it shows (cicasite.views.target_is_public reads it)


@require_safe
def document_data(request, format):
    """/documents/data.csv and .json: every document the list shows for the same filters, all pages at once."""
    # The list's rows; DOCUMENTS.rows reads their columns with values() (events.opendata.document_rows).
    return download(request, DOCUMENTS, DocumentListView().get_base_queryset(), format)
