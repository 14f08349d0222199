from django.db.models import Prefetch
from django.views.generic import DetailView

from cicasite.views import FilteredListView
from events.models import Event
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative


class InitiativeListView(FilteredListView):
    filterset_class = InitiativeFilter
    template_name = "initiatives/initiative_list.html"

    def get_base_queryset(self):
        return (
            Initiative.objects.published()
            .select_related("chairmanship__member", "lead")
            .prefetch_related("dimensions")
            .defer("body", "notes")
            .order_by("title", "pk")
        )


class InitiativeDetailView(DetailView):
    template_name = "initiatives/initiative_detail.html"

    def get_queryset(self):
        return (
            Initiative.objects.published()
            .select_related("chairmanship__member", "lead")
            .prefetch_related(
                "dimensions",
                "sources",
                Prefetch("events", queryset=Event.objects.published().order_by("start_date"), to_attr="public_events"),
            )
        )
