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
from events.filters import EventFilter
from events.models import Event


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
