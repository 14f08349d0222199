from django.db.models import Prefetch
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from cicasite.core import structured_data
from cicasite.core.opendata import download
from cicasite.core.views import FilteredListView, PreviewMixin, related_model
from events.filters import EventFilter
from events.models import Document, Event
from events.opendata import MEETINGS


class EventListView(FilteredListView):
    filterset_class = EventFilter
    template_name = "events/event_list.html"

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
                "dimensions",
                "sources",
                # Without the PDFs' texts (up to MAX_CHARS each), which only search reads.
                Prefetch(
                    "documents",
                    queryset=Document.objects.published().defer("text_en", "text_ru"),
                    to_attr="public_documents",
                ),
                # The initiatives app sits above this one: its model is reached through the reverse relation.
                Prefetch(
                    "initiatives",
                    queryset=related_model(Event, "initiatives").objects.published().cica_own(),
                    to_attr="public_initiatives",
                ),
            )
        )


@require_safe
def event_data(request, format):
    """/events/data.csv and .json: every meeting the list shows for the same filters, all pages at once."""
    queryset = EventListView().get_base_queryset().defer(None).defer("body").prefetch_related("sources")
    return download(request, MEETINGS, queryset, format)
