"""Subscriptions to meetings: an Atom feed and iCalendar files, for the same filters as the list page.

Every absolute URL comes from cicasite.core.links (SITE_URL in production), never from the request's Host header.
"""

from datetime import UTC, date, timedelta
from urllib.parse import urlsplit

from django.http import HttpResponse, HttpResponseNotFound
from django.shortcuts import get_object_or_404
from django.utils.html import escape, linebreaks
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from cicasite.core.feeds import FilteredListFeed
from cicasite.core.filters import canonical_redirect
from cicasite.core.links import absolute, site_url
from events.models import Event
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
    """A calendar of the meetings dated to the day; the others are left out, and the calendar says so."""
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
    return calendar_response(meetings_calendar(events), "cica-meetings.ics")


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
