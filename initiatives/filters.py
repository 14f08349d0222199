import django_filters
from django.utils.translation import gettext_lazy as _

from cicasite.filters import FacetedFilterSet, FacetSelect
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension


def chairmanship_queryset(request):
    """Chairmanships of public members, read per request (published() reads the clock)."""
    return Chairmanship.objects.published().select_related("member")


class InitiativeFilter(FacetedFilterSet):
    """/initiatives/?status=in_progress&chairmanship=kazakhstan-2020-2024&dimension=human&proposed_by=commentary"""

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
        label=_("Proposed by"), choices=Initiative.ProposedBy.choices, empty_label=_("Anyone"), widget=FacetSelect
    )

    class Meta:
        model = Initiative
        fields = {}

    def facets(self):
        return {
            "status": (self.queryset_without("status"), "status", "pk"),
            "chairmanship": (self.queryset_without("chairmanship"), "chairmanship__slug", "pk"),
            "dimension": (self.queryset_without("dimension"), "dimensions__slug", "pk"),
            "proposed_by": (self.queryset_without("proposed_by"), "proposed_by", "pk"),
        }
