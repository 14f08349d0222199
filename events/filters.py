import django_filters
from django.conf import settings
from django.db.models import Case, CharField, Exists, OuterRef, Q, Value, When
from django.db.models.functions import Coalesce, ExtractYear
from django.utils.translation import gettext_lazy as _

from cicasite.core.filters import FacetedFilterSet, FacetSelect
from cicasite.core.models import public_q
from cicasite.core.pagecache import cached_data
from events.models import Document, Event, in_language_q
from members.models import Dimension, Member


def year_choices():
    """Years that have a published meeting, latest first (one query, kept per content version)."""

    def compute():
        return [
            (str(d.year), str(d.year)) for d in Event.objects.published().dates("start_date", "year", order="DESC")
        ]

    return cached_data("event-years", "", compute)


def member_slugs():
    """{member pk: slug} of every member, draft or not (one query, kept until a member changes)."""
    return cached_data("member-slugs", "", lambda: dict(Member._base_manager.values_list("pk", "slug")))


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
            # By the host's key, not its slug: the counts then read the meetings' table alone, and stay
            # cached through an edit of a member (cicasite.core.pagecache keeps data per table read).
            "host": (self.queryset_without("host"), "host_id", "pk"),
            "when": (self.queryset_without("when"), "status", "pk"),
        }

    def adjust_counts(self, counts):
        by_status = counts["when"]
        slugs = member_slugs()
        return counts | {
            "host": {slugs[int(pk)]: n for pk, n in counts["host"].items() if int(pk) in slugs},
            "when": {"upcoming": by_status.get(Event.Status.PLANNED, 0), "past": by_status.get(Event.Status.HELD, 0)},
        }


# Outcome documents (/documents/)

# A document's year: its own date's, else its meeting's.
DOCUMENT_YEAR = ExtractYear(Coalesce("date", "event__start_date"))


def document_year_choices():
    """Years that have a public document, latest first (one query, kept per content version)."""

    def compute():
        years = (
            Document.objects.published()
            .annotate(year=DOCUMENT_YEAR)
            .order_by("-year")
            .values_list("year", flat=True)
            .distinct()
        )
        return [(str(year), str(year)) for year in years]

    return cached_data("document-years", "", compute)


# The meeting filter offers the latest meetings with a document (of the year chosen, if one is): an
# archive of 20,000 documents would otherwise make a select of thousands of options (megabytes of
# HTML). Each meeting's page links to /documents/?meeting=<slug>, which is always accepted.
MEETING_CHOICES = 40


def documents_in_year(year):
    """Documents of a year: their own date's, else their meeting's (each side a range on a date)."""
    return Q(date__year=year) | Q(date__isnull=True, event__start_date__year=year)


def meetings_with_documents():
    """The published meetings that have a published document, latest first."""
    documents = Document.objects.filter(public_q(), event=OuterRef("pk"))  # the outer meeting is published
    return Event.objects.published().filter(Exists(documents)).order_by("-start_date", "title_en", "pk")


def latest_meetings(year):
    """The MEETING_CHOICES + 1 latest meetings with a document (in year, if not None): their ids, one query,
    kept per content version. One more than is offered, to know whether some were left out."""

    def compute():
        meetings = meetings_with_documents()
        if year is not None:
            in_year = Document.objects.filter(public_q(), documents_in_year(year), event=OuterRef("pk"))
            meetings = meetings.filter(Exists(in_year))
        return list(meetings.values_list("pk", flat=True)[: MEETING_CHOICES + 1])

    return cached_data("document-meetings", str(year), compute)


class DocumentFilter(FacetedFilterSet):
    """/documents/?kind=declaration&year=2022&meeting=sixth-cica-summit-2022&dimension=economic&language=ru"""

    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=Document.Kind.choices, empty_label=_("Any kind"), widget=FacetSelect
    )
    year = django_filters.ChoiceFilter(
        label=_("Year"), choices=[], empty_label=_("Any year"), method="filter_year", widget=FacetSelect
    )
    meeting = django_filters.ModelChoiceFilter(
        label=_("Meeting"),
        queryset=Event.objects.none(),  # set per request: __init__
        to_field_name="slug",
        field_name="event",
        empty_label=_("Any meeting"),
        widget=FacetSelect,
    )
    dimension = django_filters.ModelChoiceFilter(
        label=_("Dimension"),
        queryset=Dimension.objects.all(),
        to_field_name="slug",
        field_name="event__dimensions",
        empty_label=_("Any dimension"),
        widget=FacetSelect,
    )
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=settings.LANGUAGES,
        empty_label=_("Any language"),
        method="filter_language",
        widget=FacetSelect,
    )

    class Meta:
        model = Document
        fields = {}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        years = document_year_choices()
        self.filters["year"].extra["choices"] = years
        year = self.data.get("year", "")  # django-filter gives {} for an unbound filterset
        year = int(year) if (year, year) in years else None  # a year not understood narrows nothing
        latest = latest_meetings(year)
        self.offered = latest[:MEETING_CHOICES]
        self.chosen_meeting = self.data.get("meeting", "")
        meeting = self.filters["meeting"]
        meeting.queryset = (
            meetings_with_documents()
            .filter(Q(pk__in=self.offered) | Q(slug=self.chosen_meeting))
            .only("slug", "title")
        )
        if len(latest) > MEETING_CHOICES:
            meeting.extra["widget"] = FacetSelect(attrs={"aria-describedby": "id_meeting_help"})
            meeting.extra["help_text"] = (
                _("The %(count)s latest meetings of that year. Every meeting's page links to all its documents.")
                if year is not None
                else _("The %(count)s latest meetings; choose a year for earlier ones.")
            ) % {"count": MEETING_CHOICES}

    def filter_year(self, queryset, name, value):
        # Each side a range on a date: the document's own (document_date_idx), or its meeting's.
        return queryset.filter(documents_in_year(int(value)))

    def filter_language(self, queryset, name, value):
        return queryset.in_language(value)

    def facets(self):
        without_language = self.queryset_without("language")
        facets = {
            "kind": (self.queryset_without("kind"), "kind", "pk"),
            "year": (self.queryset_without("year"), DOCUMENT_YEAR, "pk"),
            # Counted for the meetings offered only (and the one chosen), not for every meeting with a document.
            "meeting": (
                self.queryset_without("meeting").filter(
                    Q(event__in=self.offered) | Q(event__slug=self.chosen_meeting)
                ),
                "event__slug",
                "pk",
            ),
            "dimension": (self.queryset_without("dimension"), "event__dimensions__slug", "pk"),
        }
        # A document can be in several languages: one count per language, each its own part of the query.
        for code, _name in settings.LANGUAGES:
            condition = in_language_q(code)
            value = Value(code, output_field=CharField())
            facets[f"language-{code}"] = (
                without_language,
                value if condition is None else Case(When(condition, then=value), default=None),
                "pk",
            )
        return facets

    def adjust_counts(self, counts):
        languages = {}
        for code, _name in settings.LANGUAGES:
            languages.update(counts.pop(f"language-{code}", {}))
        return counts | {"language": languages}
