"""Open data of the events app: the meetings and their outcome documents (documented on /data/).

Both grow with the archive (100,000 meetings, 20,000 documents): their rows are dicts read with values()
(cicasite.core.opendata), so each column reads a key of the row.
"""

from operator import itemgetter

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext_lazy as _

from cicasite.core.models import Source
from cicasite.core.opendata import (
    CHUNK_SIZE,
    DIMENSIONS,
    REQUIRED,
    SLUG,
    UNIQUE,
    URL,
    Column,
    Dataset,
    Translated,
    in_order,
    linked,
    linked_ids,
    one_of,
    page_url,
    row_record_columns,
    translated_columns,
)
from events.filters import DocumentFilter, EventFilter
from events.models import FILES, LANGUAGE_CODES, Document, Event, languages_of
from members.models import Dimension, Member


def date_as_known(day, precision):
    """2026, 2026-06 or 2026-06-15: no more precise than the date is known."""
    if precision == Event.Precision.YEAR:
        return f"{day.year:04d}"
    if precision == Event.Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def document_date(row):
    """Document.issued: its own date, else its meeting's as precisely as that is known."""
    if row["date"]:
        return date_as_known(row["date"], Event.Precision.DAY)
    return date_as_known(row["event__start_date"], row["event__date_precision"])


# The meetings' translated columns the download reads.
MEETING_TEXTS = ("title", "city", "country", "summary", "notes")


def meeting_rows(queryset, extra=()):
    """The meetings of the queryset as dicts, in its order: one statement with the host (when public) and
    the ids of the dimensions and sources, plus one query each for the dimensions' and sources' order."""
    rows = (
        queryset.prefetch_related(None)
        .annotate(
            host_public=Exists(Member.objects.published().filter(pk=OuterRef("host_id"))),
            dimension_ids=linked_ids(Event.dimensions.through, "event", "dimension_id"),
            source_ids=linked_ids(Event.sources.through, "event", "source_id"),
        )
        .values(
            "slug",
            *translated_columns("", *MEETING_TEXTS),
            "kind",
            "ordinal",
            "start_date",
            "date_precision",
            "status",
            "online",
            "verified",
            "partly_verified",
            "host_public",
            "host__slug",
            *translated_columns("host__", "name"),
            "dimension_ids",
            "source_ids",
            *extra,
        )
    )
    # Read now, in the view: the addresses follow the request's site (cicasite.core.links) and the orders
    # are read once, however many rows follow.
    url = page_url("events:event-detail")
    dimensions = in_order(Dimension.objects.all())  # as e.dimensions.all() orders them
    sources = in_order(Source.objects.all(), "code")
    texts = {name: Translated(Event, name) for name in MEETING_TEXTS}
    host_name = Translated(Member, "name", "host__")

    def read():
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            for name, text in texts.items():
                row[name] = text(row)
            public = row["host_public"]
            row["host_slug"] = row["host__slug"] if public else None
            row["host_name"] = host_name(row) if public else None
            row["dimensions"] = linked(row["dimension_ids"], dimensions)
            row["sources"] = linked(row["source_ids"], sources)
            row["url"] = url(row["slug"])
            yield row

    return read()


def document_rows(queryset, extra=()):
    """The documents of the queryset as dicts, in its order, with their meeting's columns: one statement."""
    rows = queryset.prefetch_related(None).values(
        "slug",
        "kind",
        "date",
        "event__slug",
        "event__start_date",
        "event__date_precision",
        *translated_columns("event__", "title"),
        *translated_columns("", "title"),
        *(spec.file for spec in FILES),
        *extra,
    )
    url = page_url("events:document-detail")
    title = Translated(Document, "title")
    meeting_title = Translated(Event, "title", "event__")

    def read():
        for row in rows.iterator(chunk_size=CHUNK_SIZE):
            row["title"] = title(row)
            row["meeting_title"] = meeting_title(row)
            files = {spec.language for spec in FILES if row[spec.file]}
            row["languages"] = languages_of({code: row[f"title_{code}"] for code in LANGUAGE_CODES}, files)
            row["url"] = url(row["slug"])
            yield row

    return read()


MEETINGS = Dataset(
    slug="meetings",
    title=_("Meetings"),
    description=_("Summits, ministerial councils and other meetings, latest first, as on the meetings page."),
    url_name="events:event-data",
    list_url_name="events:event-list",
    filterset_class=EventFilter,
    columns=(
        Column("slug", SLUG, itemgetter("slug"), constraints=UNIQUE),
        Column("title", _("Title of the meeting."), itemgetter("title"), constraints=REQUIRED),
        Column(
            "kind",
            _(
                "summit, ministerial (Ministerial Council), soc (Senior Officials Committee), swg (Special Working "
                "Group), forum (Think Tank Forum), other, or milestone (a moment of CICA's history that is not a "
                "CICA meeting, such as the 1992 proposal at the UN)."
            ),
            itemgetter("kind"),
            constraints=REQUIRED | one_of(Event.Kind),
        ),
        Column(
            "ordinal",
            _("Number in its series (6 for the sixth summit); empty if none."),
            itemgetter("ordinal"),
            type="integer",
            constraints={"minimum": 1},
        ),
        Column(
            "start_date",
            _(
                "First day, ISO 8601, only as precise as it is known: "
                "2026 (year), 2026-06 (month) or 2026-06-15 (day)."
            ),
            lambda e: date_as_known(e["start_date"], e["date_precision"]),
            # A string: a date type would turn 2026 into an invented 1 January.
            constraints=REQUIRED | {"pattern": r"\d{4}(-\d{2}(-\d{2})?)?"},
        ),
        Column(
            "date_precision",
            _("How precisely start_date is known: year, month or day."),
            itemgetter("date_precision"),
            constraints=REQUIRED | one_of(Event.Precision),
        ),
        # No end_date: the records give none (an empty column says nothing); start_date is the first day.
        Column("status", _("held or planned."), itemgetter("status"), constraints=REQUIRED | one_of(Event.Status)),
        Column(
            "online",
            _("true for a meeting held online."),
            itemgetter("online"),
            type="boolean",
            constraints=REQUIRED,
        ),
        Column("city", _("City of the venue; empty for online meetings and unknown venues."), itemgetter("city")),
        Column(
            "country", _("Country of the venue; for an online meeting, the host's, if any."), itemgetter("country")
        ),
        Column("host_slug", _("Slug of the member that hosted it; empty if none."), itemgetter("host_slug")),
        Column("host_name", _("Name of that member."), itemgetter("host_name")),
        Column("dimensions", DIMENSIONS, itemgetter("dimensions"), type="list"),
        *row_record_columns(),
    ),
    foreign_keys=((("host_slug",), "members", ("slug",)),),
    rows=meeting_rows,
)


DOCUMENTS = Dataset(
    slug="documents",
    title=_("Outcome documents"),
    description=_(
        "Declarations, statements, decisions and other outcome documents of published meetings, latest meeting "
        "first, as on the documents page."
    ),
    url_name="events:document-data",
    list_url_name="events:document-list",
    filterset_class=DocumentFilter,
    columns=(
        Column("slug", SLUG, itemgetter("slug"), constraints=UNIQUE),
        Column("title", _("Official title of the document."), itemgetter("title"), constraints=REQUIRED),
        Column(
            "kind",
            _(
                "declaration, statement, decision, act, catalogue (Catalogue of CBMs), rules (rules and "
                "regulations), plan (plan or road map) or other."
            ),
            itemgetter("kind"),
            constraints=REQUIRED | one_of(Document.Kind),
        ),
        Column(
            "date",
            _(
                "Date of the document, ISO 8601; where it has none of its own, its meeting's, only as precise as "
                "that is known: 2002 (year), 2002-06 (month) or 2002-06-04 (day)."
            ),
            document_date,
            constraints=REQUIRED | {"pattern": r"\d{4}(-\d{2}(-\d{2})?)?"},
        ),
        Column(
            "meeting_slug",
            _("Slug of the meeting that adopted or issued it."),
            itemgetter("event__slug"),
            constraints=REQUIRED,
        ),
        Column("meeting_title", _("Title of that meeting."), itemgetter("meeting_title")),
        Column(
            "languages",
            _("Languages the document is available in (en, ru), separated by “;” in CSV, an array in JSON."),
            itemgetter("languages"),
            type="list",
        ),
        Column("url", URL, itemgetter("url"), format="uri", constraints=REQUIRED),
    ),
    foreign_keys=((("meeting_slug",), "meetings", ("slug",)),),
    rows=document_rows,
)
