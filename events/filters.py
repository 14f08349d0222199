import django_filters
from django.db.models import Exists, OuterRef
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext_lazy as _

from cicasite.core.filters import FacetedFilterSet, FacetSelect
from cicasite.core.pagecache import cached_data
from events.models import Event
from members.models import Dimension, Member


def year_choices():
    """Years that have a published meeting, latest first (one query, kept per content version)."""

    def compute():
        return [
            (str(d.year), str(d.year)) for d in Event.objects.published().dates("start_date", "year", order="DESC")
        ]

    return cached_data("event-years", "", compute)


def host_queryset(request):
    hosted = Event.objects.published().filter(host=OuterRef("pk"))
    return Member.objects.published().filter(Exists(hosted)).order_by("name")


class EventFilter(FacetedFilterSet):
    """/events/?kind=summit&year=2022&dimension=economic&host=kazakhstan&when=upcoming"""

    WHEN_CHOICES = [("upcoming", _("Upcoming")), ("past", _("Past"))]

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Event.Kind.choices, empty_label=_("Any kind"), widget=FacetSelect
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=[], empty_label=_("Any year"), method="filter_year", widget=FacetSelect
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        field_name="dimensions",
        empty_label=_("Any dimension"),
        widget=FacetSelect,
    )
    host = django_filters.ModelChoiceFilter(
        label=_("Host"), queryset=host_queryset, to_field_name="slug", empty_label=_("Any host"), widget=FacetSelect
    )
    when = django_filters.ChoiceFilter(
        label=_("When"),
        choices=WHEN_CHOICES,
        empty_label=_("Past and upcoming"),
        method="filter_when",
        widget=FacetSelect,
    )

    class Meta:
        model = Event
        fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Filters are copied per instance: the years are read once per request.
        self.filters["year"].extra["choices"] = year_choices()

    def filter_year(self, queryset, name, value):
        # __year on a DateField becomes a BETWEEN on start_date, so the date index serves it.
        return queryset.filter(start_date__year=int(value))

    def filter_when(self, queryset, name, value):
        return queryset.upcoming() if value == "upcoming" else queryset.past()

    def facets(self):
        return {
            "kind": (self.queryset_without("kind"), "kind", "pk"),
            "year": (self.queryset_without("year"), ExtractYear("start_date"), "pk"),
            "dimension": (self.queryset_without("dimension"), "dimensions__slug", "pk"),
            "host": (self.queryset_without("host"), "host__slug", "pk"),
            "when": (self.queryset_without("when"), "status", "pk"),
        }

    def adjust_counts(self, counts):
        by_status = counts["when"]
        return counts | {
            "when": {"upcoming": by_status.get(Event.Status.PLANNED, 0), "past": by_status.get(Event.Status.HELD, 0)}
        }
