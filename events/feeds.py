"""Subscriptions to meetings: an Atom feed and iCalendar files, for the same filters as the list page.

Every absolute URL comes from cicasite.core.links (SITE_URL in production), never from the request's Host header.
"""

from datetime import UTC, date, timedelta
from itertools import chain
from urllib.parse import urlsplit

from django.db.models import Count, Q, Window
from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.utils import translation
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from cicasite.core.feeds import FilteredListFeed
from cicasite.core.filters import canonical_redirect
from cicasite.core.links import absolute, site_url
from cicasite.core.opendata import (
    CHUNK_SIZE,
    Translated,
    file_response,
    in_language,
    page_url,
    pieces,
    translated_columns,
)
from events.models import Event, place_of
from events.views import DocumentListView, EventListView


class EventFeed(FilteredListFeed):
    """/events/feed/?kind=summit&host=kazakhstan"""

    list_view_class = EventListView
    list_url_name = "events:event-list"
    feed_url_name = "events:event-feed"
    title = _("CICA meetings")
    subtitle = _("Summits, ministerial councils, senior officials committees and other CICA meetings.")

    def item_categories(self, item):
        return [
            item.get_kind_display(),
            *(dimension.name for dimension in item.dimensions.all()),
            item.get_status_display(),
        ]


class DocumentFeed(FilteredListFeed):
    """/documents/feed/?kind=declaration&meeting=sixth-cica-summit-2022"""

    list_view_class = DocumentListView
    list_url_name = "events:document-list"
    feed_url_name = "events:document-feed"
    title = _("CICA outcome documents")
    subtitle = _("Declarations, statements, decisions and other outcome documents of CICA meetings.")

    def item_description(self, item):
        # Atom summary of type html: what it is, where and when it was adopted.
        parts = [item.get_kind_display(), item.event.title, item.date_display, item.event.place]
        return linebreaks(escape(" · ".join(str(part) for part in parts if part)))

    def item_categories(self, item):
        return [item.get_kind_display()]


# iCalendar (RFC 5545)

CALENDAR_STATUS = {Event.Status.HELD: "CONFIRMED", Event.Status.PLANNED: "TENTATIVE"}


def new_calendar(name):
    calendar = Calendar()
    calendar.add("prodid", "-//cicasite//CICA meetings//EN")
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def calendar_event(event):
    """One all-day VEVENT. Only for meetings whose date is known to the day."""
    url = absolute(event.get_absolute_url())
    vevent = CalendarEvent()
    vevent.add("uid", f"{event.slug}@{urlsplit(site_url()).hostname}")
    vevent.add("dtstamp", event.updated_at.astimezone(UTC).replace(microsecond=0))  # iCalendar counts seconds
    vevent.add("dtstart", event.start_date)
    last = event.end_date or event.start_date
    # DTEND is exclusive; the last day a calendar can hold has no day after it (clean() keeps dates sane).
    vevent.add("dtend", last + timedelta(days=1) if last < date.max else last)
    vevent.add("summary", event.title)
    if event.place:
        vevent.add("location", event.place)
    vevent.add("description", f"{event.summary}\n\n{url}" if event.summary else url)
    vevent.add("url", url)
    vevent.add("status", CALENDAR_STATUS[event.status])
    return vevent


def meetings_calendar(events):
    """A calendar of the meetings dated to the day; the others are left out, and the calendar says so.

    The definition of /events/calendar.ics, with icalendar's components: calendar_text() writes the same
    bytes from rows, fast enough for 100,000 meetings (tests compare the two)."""
    calendar = new_calendar(gettext("CICA meetings"))
    omitted = 0
    for event in events:
        if event.date_precision == Event.Precision.DAY:
            calendar.add_component(calendar_event(event))
        else:
            omitted += 1
    calendar.add(
        "x-wr-caldesc",
        gettext("Meetings whose date is known only to the month or year are left out until their day is known."),
    )
    calendar.add("x-cica-omitted-undated", str(omitted))
    return calendar


def event_calendar(event):
    calendar = new_calendar(event.title)
    calendar.add_component(calendar_event(event))
    return calendar


def calendar_response(calendar, filename):
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


# The meetings' calendar at archive scale: 100,000 meetings built as icalendar components took 70 s and
# 955 MB (about 0.7 ms each), past gunicorn's 30 s. The header and footer are still icalendar's own; each
# meeting's VEVENT is written from a row here, byte for byte as icalendar writes calendar_event()'s
# (tests/events/test_feeds.py compares the two on awkward text).


def ical_text(value):
    """A TEXT value escaped as icalendar's vText writes it (RFC 5545 3.3.11), in the same order; like
    vText, without one leading byte order mark (U+FEFF)."""
    return (
        value.removeprefix("\ufeff")
        .replace(r"\N", "\n")
        .replace("\\", "\\\\")
        .replace(";", r"\;")
        .replace(",", r"\,")
        .replace("\r\n", r"\n")
        .replace("\n", r"\n")
        .replace("\r", r"\n")
    )


FOLD = 75  # octets a content line may take before it is folded (RFC 5545 3.1), as icalendar counts them


def ical_line(line):
    """A content line folded as icalendar folds it, with its CRLF: pieces of under 75 octets, never splitting
    a character or an escape (a backslash or caret at the end of a piece moves to the next one)."""
    if line.isascii():
        if len(line) < FOLD:
            return line + "\r\n"
        parts, start = [], 0
        while len(line) - start >= FOLD:
            end = start + FOLD - 1
            if line[end - 1] in "\\^":
                end -= 1
            parts.append(line[start:end])
            start = end
        parts.append(line[start:])
        return "\r\n ".join(parts) + "\r\n"
    parts, current, size = [], [], 0
    for char in line:
        octets = len(char.encode())
        if current and size + octets >= FOLD:
            if len(current) > 1 and current[-1] in "\\^":
                carried = current.pop()
                parts.append("".join(current))
                current, size = [carried], len(carried.encode())
            else:
                parts.append("".join(current))
                current, size = [], 0
        current.append(char)
        size += octets
    if current:
        parts.append("".join(current))
    return "\r\n ".join(parts) + "\r\n"


def ical_date(day):
    return f"{day.year:04d}{day.month:02d}{day.day:02d}"


def vevent_text(row, url, host):
    """calendar_event()'s VEVENT, from a row of meeting_calendar_rows(): properties in icalendar's order
    (SUMMARY, DTSTART, DTEND, DTSTAMP, UID, then the others alphabetically)."""
    last = row["end_date"] or row["start_date"]
    end = last + timedelta(days=1) if last < date.max else last
    stamp = row["updated_at"].astimezone(UTC)
    place = place_of(row["online"], row["city"], row["country"])
    description = f"{row['summary']}\n\n{url}" if row["summary"] else url
    return "".join(
        (
            "BEGIN:VEVENT\r\n",
            ical_line(f"SUMMARY:{ical_text(row['title'])}"),
            f"DTSTART;VALUE=DATE:{ical_date(row['start_date'])}\r\n",
            f"DTEND;VALUE=DATE:{ical_date(end)}\r\n",
            f"DTSTAMP:{ical_date(stamp)}T{stamp.hour:02d}{stamp.minute:02d}{stamp.second:02d}Z\r\n",
            ical_line(f"UID:{ical_text(f'{row["slug"]}@{host}')}"),
            ical_line(f"DESCRIPTION:{ical_text(description)}"),
            ical_line(f"LOCATION:{ical_text(place)}") if place else "",
            f"STATUS:{CALENDAR_STATUS[row['status']]}\r\n",
            ical_line(f"URL:{url}"),
            "END:VEVENT\r\n",
        )
    )


CALENDAR_TEXTS = ("title", "city", "country", "summary")
UNDATED = "calendar_undated"  # the window count of the rows not dated to the day


def calendar_text(events):
    """meetings_calendar(events).to_ical() as text, in pieces: the header (with the count of meetings left
    out, a window count in the rows' own statement) from icalendar, then a VEVENT per meeting dated to the
    day, read with values() in one statement."""
    rows = events.annotate(**{UNDATED: Window(Count("pk", filter=~Q(date_precision=Event.Precision.DAY)))}).values(
        "slug",
        "updated_at",
        "start_date",
        "end_date",
        "date_precision",
        "online",
        "status",
        *translated_columns("", *CALENDAR_TEXTS),
        UNDATED,
    )
    # Read now, in the view: the addresses follow the request's site (cicasite.core.links).
    url = page_url("events:event-detail")
    host = urlsplit(site_url()).hostname
    texts = {name: Translated(Event, name) for name in CALENDAR_TEXTS}
    calendar = new_calendar(gettext("CICA meetings"))

    def write():
        records = rows.iterator(chunk_size=CHUNK_SIZE)
        first = next(records, None)
        calendar.add(
            "x-wr-caldesc",
            gettext("Meetings whose date is known only to the month or year are left out until their day is known."),
        )
        calendar.add("x-cica-omitted-undated", str(first[UNDATED] if first else 0))
        header, footer = calendar.to_ical().decode().rsplit("END:VCALENDAR", 1)
        yield header
        if first is not None:
            for row in chain([first], records):
                if row["date_precision"] == Event.Precision.DAY:
                    for name, text in texts.items():
                        row[name] = text(row)
                    yield vevent_text(row, url(row["slug"]), host)
        yield "END:VCALENDAR" + footer

    return write()


@require_safe
def meetings_ics(request):
    """/events/calendar.ics?kind=summit: the meetings of the list page for these filters."""
    redirect = canonical_redirect(request, list(EventListView.filterset_class.base_filters))
    if redirect:
        return redirect  # to the tidy address, as the list does
    view = EventListView()
    view.setup(request)
    # Same rows as the list page; the calendar needs neither the host nor the dimensions.
    events = view.get_queryset().select_related(None).prefetch_related(None).order_by("start_date", "pk")
    text = in_language(translation.get_language(), calendar_text(events))
    response = file_response(pieces(text), "text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="cica-meetings.ics"'
    return response


@require_safe
def event_ics(request, slug):
    """/events/<slug>/calendar.ics: one meeting, when its date is known to the day."""
    redirect = canonical_redirect(request, [])  # it takes no parameters: one address
    if redirect:
        return redirect
    event = get_object_or_404(Event.objects.published().defer("body", "notes"), slug=slug)
    if event.date_precision != Event.Precision.DAY:
        return HttpResponseNotFound(
            gettext("The date of this meeting is not yet known to the day."),
            content_type="text/plain; charset=utf-8",
        )
    return calendar_response(event_calendar(event), f"{event.slug}.ics")


event_ics.model = Event  # the record it shows (cicasite.views.target_is_public reads it)
