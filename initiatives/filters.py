import django_filters
from django.utils.translation import gettext_lazy as _

from cicasite.core.filters import FacetedFilterSet, FacetSelect
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension


def chairmanship_queryset(request):
    """Chairmanships of public members, read per request (published() reads the clock)."""
    return Chairmanship.objects.published().select_related("member")


class InitiativeFilter(FacetedFilterSet):
    """/initiatives/?status=in_progress&chairmanship=kazakhstan-2020-2024&dimension=human&proposed_by=member

    proposed_by=commentary lists the ideas from public debate, which no other choice includes.
    """

    status = django_filters.ChoiceFilter(
        label=_("Status"), choices=Initiative.Status.choices, empty_label=_("Any status"), widget=FacetSelect
    )
    chairmanship = django_filters.ModelChoiceFilter(
        label=_("Chairmanship"),
        queryset=chairmanship_queryset,
        to_field_name="slug",
        empty_label=_("Any chairmanship"),
        widget=FacetSelect,
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        field_name="dimensions",
        empty_label=_("Any dimension"),
        widget=FacetSelect,
    )
    proposed_by = django_filters.ChoiceFilter(
        label=_("Proposed by"),
        choices=Initiative.ProposedBy.choices,
        empty_label=_("CICA (chairmanships and member states)"),
        widget=FacetSelect,
    )

    class Meta:
        model = Initiative
        fields = {}

    def filter_extra(self, queryset, excluded):
        """Without a proposed_by choice the list holds CICA's own initiatives only; ideas from public
        debate (proposed_by=commentary) are listed only when asked for. The proposed_by facet itself
        counts every kind, so its options show how many of each there are."""
        if "proposed_by" in excluded or "proposed_by" in self.applied():
            return queryset
        return queryset.cica_own()

    @property
    def qs(self):
        # An unbound FilterSet (no parameters at all) filters nothing: CICA's own still applies.
        queryset = super().qs
        return queryset if self.is_bound else self.filter_extra(queryset, ())

    @property
    def shows_public_debate(self):
        """The list shows ideas from public debate (proposed_by=commentary), not CICA's initiatives."""
        return self.applied().get("proposed_by") in Initiative.NOT_CICA

    def facets(self):
        return {
            "status": (self.queryset_without("status"), "status", "pk"),
            "chairmanship": (self.queryset_without("chairmanship"), "chairmanship__slug", "pk"),
            "dimension": (self.queryset_without("dimension"), "dimensions__slug", "pk"),
            "proposed_by": (self.queryset_without("proposed_by"), "proposed_by", "pk"),
        }
