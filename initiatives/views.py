from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from cicasite.core.i18n import order_by_shown
from cicasite.core.opendata import download
from cicasite.core.views import FilteredListView, PreviewMixin
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative
from initiatives.opendata import INITIATIVES

IDEAS_LIMIT = 10  # ideas from public debate listed under CICA's initiatives; the rest on their own list


class InitiativeListView(FilteredListView):
    filterset_class = InitiativeFilter
    template_name = "initiatives/initiative_list.html"
    results_partial = "initiatives/initiative_list.html#results"
    results_context = ("canonical_url", "shows_public_debate")  # the title and description say which list

    def get_base_queryset(self):
        initiatives = (
            Initiative.objects.published()
            .select_related("chairmanship__member", "lead")
            .prefetch_related("dimensions")
            .defer("body", "notes")
        )
        return order_by_shown(initiatives, "title", "pk")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["shows_public_debate"] = self.filterset.shows_public_debate
        if "proposed_by" not in self.filterset.applied():
            # Ideas from public debate matching the other filters, in their own section below CICA's
            # initiatives, each with its author and sources: two queries (the ideas, their sources).
            ideas = list(
                self.filterset.queryset_without("proposed_by")
                .public_debate()
                .defer("summary")
                .prefetch_related(None)
                .prefetch_related("sources")[: IDEAS_LIMIT + 1]
            )
            context["ideas"] = ideas[:IDEAS_LIMIT]
            context["more_ideas"] = len(ideas) > IDEAS_LIMIT
        return context


class InitiativeDetailView(PreviewMixin, DetailView):
    model = Initiative  # what the page shows (cicasite.views.target_is_public reads it)
    template_name = "initiatives/initiative_detail.html"

    def get_queryset(self):
        return (
            Initiative.objects.visible_to(self.request.user)
            .select_related("chairmanship__member", "lead")
            .prefetch_related("dimensions", "sources")
            .with_public_events()
        )


@require_safe
def initiative_data(request, format):
    """/initiatives/data.csv and .json: every initiative the list shows for the same filters, all pages at once."""
    # The list's rows; INITIATIVES.rows reads their columns with values() (initiatives.opendata.initiative_rows).
    return download(request, INITIATIVES, InitiativeListView().get_base_queryset(), format)
