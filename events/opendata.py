"""Open data of the events app: the meetings (documented on /data/)."""

from django.utils.translation import gettext_lazy as _

from cicasite.core.opendata import (
    DIMENSIONS,
    NOTES,
    PARTLY_VERIFIED,
    REQUIRED,
    SLUG,
    SOURCES,
    SUMMARY,
    UNIQUE,
    URL,
    VERIFIED,
    Column,
    Dataset,
    absolute_url,
    name_of,
    one_of,
    slug_of,
    source_codes,
)
from events.filters import DocumentFilter, EventFilter
from events.models import Document, Event


def date_as_known(day, precision):
    """2026, 2026-06 or 2026-06-15: no more precise than the date is known."""
    if precision == Event.Precision.YEAR:
        return f"{day.year:04d}"
    if precision == Event.Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def document_date(document):
    return date_as_known(*document.issued)


def event_start(event):
    """2026, 2026-06 or 2026-06-15: no more precise than the date is known."""
    day = event.start_date
    if event.date_precision == Event.Precision.YEAR:
        return f"{day.year:04d}"
    if event.date_precision == Event.Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


MEETINGS = Dataset(
    slug="meetings",
    title=_("Meetings"),
    description=_("Summits, ministerial councils and other meetings, latest first, as on the meetings page."),
    url_name="events:event-data",
    list_url_name="events:event-list",
    filterset_class=EventFilter,
    columns=(
        Column("slug", SLUG, lambda e: e.slug, constraints=UNIQUE),
        Column("title", _("Title of the meeting."), lambda e: e.title, constraints=REQUIRED),
        Column(
            "kind",
            _(
                "summit, ministerial (Ministerial Council), soc (Senior Officials Committee), swg (Special Working "
                "Group), forum (Think Tank Forum), other, or milestone (a moment of CICA's history that is not a "
                "CICA meeting, such as the 1992 proposal at the UN)."
            ),
            lambda e: e.kind,
            constraints=REQUIRED | one_of(Event.Kind),
        ),
        Column(
            "ordinal",
            _("Number in its series (6 for the sixth summit); empty if none."),
            lambda e: e.ordinal,
            type="integer",
            constraints={"minimum": 1},
        ),
        Column(
            "start_date",
            _(
                "First day, ISO 8601, only as precise as it is known: "
                "2026 (year), 2026-06 (month) or 2026-06-15 (day)."
            ),
            event_start,
            # A string: a date type would turn 2026 into an invented 1 January.
            constraints=REQUIRED | {"pattern": r"\d{4}(-\d{2}(-\d{2})?)?"},
        ),
        Column(
            "date_precision",
            _("How precisely start_date is known: year, month or day."),
            lambda e: e.date_precision,
            constraints=REQUIRED | one_of(Event.Precision),
        ),
        # No end_date: the records give none (an empty column says nothing); start_date is the first day.
        Column("status", _("held or planned."), lambda e: e.status, constraints=REQUIRED | one_of(Event.Status)),
        Column(
            "online", _("true for a meeting held online."), lambda e: e.online, type="boolean", constraints=REQUIRED
        ),
        Column("city", _("City of the venue; empty for online meetings and unknown venues."), lambda e: e.city),
        Column("country", _("Country of the venue; for an online meeting, the host's, if any."), lambda e: e.country),
        Column("host_slug", _("Slug of the member that hosted it; empty if none."), lambda e: slug_of(e.public_host)),
        Column("host_name", _("Name of that member."), lambda e: name_of(e.public_host)),
        Column("dimensions", DIMENSIONS, lambda e: [d.slug for d in e.dimensions.all()], type="list"),
        Column("summary", SUMMARY, lambda e: e.summary),
        Column("notes", NOTES, lambda e: e.notes),
        Column("verified", VERIFIED, lambda e: e.verified, type="boolean", constraints=REQUIRED),
        Column("partly_verified", PARTLY_VERIFIED, lambda e: e.partly_verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
    ),
    foreign_keys=((("host_slug",), "members", ("slug",)),),
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
        Column("slug", SLUG, lambda d: d.slug, constraints=UNIQUE),
        Column("title", _("Official title of the document."), lambda d: d.title, constraints=REQUIRED),
        Column(
            "kind",
            _(
                "declaration, statement, decision, act, catalogue (Catalogue of CBMs), rules (rules and "
                "regulations), plan (plan or road map) or other."
            ),
            lambda d: d.kind,
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
            lambda d: d.event.slug,
            constraints=REQUIRED,
        ),
        Column("meeting_title", _("Title of that meeting."), lambda d: d.event.title),
        Column(
            "languages",
            _("Languages the document is available in (en, ru), separated by “;” in CSV, an array in JSON."),
            lambda d: d.languages,
            type="list",
        ),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
    ),
    foreign_keys=((("meeting_slug",), "meetings", ("slug",)),),
)
