"""Open data: the public records as CSV and JSON downloads, documented on /data/.

Each dataset names its columns once, with their meaning: the downloads write
them and the /data/ page documents them, so the two cannot drift apart. The
apps' views choose the rows (their list page's published queryset, narrowed by
the same FilterSet); this module only turns rows into files.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicasite.links import absolute
from events.filters import EventFilter
from events.models import Event
from initiatives.filters import InitiativeFilter
from members.filters import MemberFilter, RoleFilter

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
FORMATS = ("csv", "json")
# Rows fetched per round trip. Prefetches run once per chunk, so a download
# costs a fixed number of queries up to this many rows.
CHUNK_SIZE = 2000
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    value: Callable  # record -> str, int, bool, None or a list of str


@dataclass(frozen=True)
class Dataset:
    slug: str  # file names: cica-<slug>.csv
    title: str
    description: str
    url_name: str  # the download's URL name, with a format kwarg
    list_url_name: str | None  # the page whose filters the download shares
    filterset_class: type
    columns: tuple[Column, ...]

    @property
    def csv_url(self):
        return reverse(self.url_name, kwargs={"format": "csv"})

    @property
    def json_url(self):
        return reverse(self.url_name, kwargs={"format": "json"})

    @property
    def list_url(self):
        return reverse(self.list_url_name) if self.list_url_name else None

    @property
    def filter_names(self):
        return list(self.filterset_class.base_filters)


def absolute_url(record):
    """The record's page, from SITE_URL: never from the request's Host header."""
    return absolute(record.get_absolute_url())


def source_codes(record):
    return [source.code for source in record.sources.all()]


def member_dimensions(member):
    slugs = []
    for role in member.roles.all():
        if role.area.dimension.slug not in slugs:
            slugs.append(role.area.dimension.slug)
    return slugs


def event_start(event):
    """2026, 2026-06 or 2026-06-15: no more precise than the date is known."""
    day = event.start_date
    if event.date_precision == Event.Precision.YEAR:
        return f"{day.year:04d}"
    if event.date_precision == Event.Precision.MONTH:
        return f"{day.year:04d}-{day.month:02d}"
    return day.isoformat()


def slug_of(obj):
    return obj.slug if obj is not None else None


def name_of(obj):
    return obj.name if obj is not None else None


SLUG = _("Identifier: the last part of the record's address, stable across downloads.")
VERIFIED = _("true when a source independent of the first report confirms the record, false when not (yet).")
PARTLY_VERIFIED = _("true when the record is verified except for a part its notes say is not confirmed.")
SOURCES = _("Codes of the public sources the record rests on (S05…), separated by “;” in CSV, an array in JSON.")
DIMENSIONS = _("Slugs of the dimensions (economic, human…), separated by “;” in CSV, an array in JSON.")
SUMMARY = _("One or two sentences, as shown in lists.")
NOTES = _("Research notes: how the facts were checked.")
URL = _("Absolute address of the record's page on this site.")

MEMBERS = Dataset(
    slug="members",
    title=_("Members and observers"),
    description=_("Member states, observer states and observer organisations, one row each, ordered by name."),
    url_name="members:member-data",
    list_url_name="members:member-list",
    filterset_class=MemberFilter,
    columns=(
        Column("slug", SLUG, lambda m: m.slug),
        Column("name", _("Common English name."), lambda m: m.name),
        Column(
            "status",
            _("member (member state), observer_state or observer_org (observer organisation)."),
            lambda m: m.status,
        ),
        Column("iso_code", _("ISO 3166-1 alpha-2 code of a state; empty for organisations."), lambda m: m.iso_code),
        Column(
            "region_slug",
            _("Slug of the region the member is grouped in; empty if none."),
            lambda m: slug_of(m.region),
        ),
        Column("region_name", _("Name of that region."), lambda m: name_of(m.region)),
        Column("joined", _("Year it joined in its current status; empty when not known."), lambda m: m.joined),
        Column("capital", _("Capital city, or seat of an organisation."), lambda m: m.capital),
        Column("website", _("Official website."), lambda m: m.website),
        Column(
            "dimensions",
            _(
                "Slugs of the dimensions in which it holds a coordinating role (see the roles data), "
                "“;”-separated in CSV, an array in JSON."
            ),
            member_dimensions,
        ),
        Column("summary", SUMMARY, lambda m: m.summary),
        Column("notes", NOTES, lambda m: m.notes),
        Column("verified", VERIFIED, lambda m: m.verified),
        Column("partly_verified", PARTLY_VERIFIED, lambda m: m.partly_verified),
        Column("sources", SOURCES, source_codes),
        Column("url", URL, absolute_url),
    ),
)

ROLES = Dataset(
    slug="roles",
    title=_("Coordinating roles"),
    description=_(
        "Every coordinator and co-coordinator role of a published member in a priority area, ordered by "
        "dimension, priority area, coordinators first, then member name."
    ),
    url_name="members:role-data",
    list_url_name=None,
    filterset_class=RoleFilter,
    columns=(
        Column("member_slug", _("Slug of the member holding the role."), lambda r: r.member.slug),
        Column("member_name", _("Name of that member."), lambda r: r.member.name),
        Column("dimension_slug", _("Slug of the dimension of the priority area."), lambda r: r.area.dimension.slug),
        Column("dimension_name", _("Name of that dimension."), lambda r: r.area.dimension.name),
        Column("area_slug", _("Slug of the priority area (unique within its dimension)."), lambda r: r.area.slug),
        Column("area_name", _("Name of the priority area."), lambda r: r.area.name),
        Column("role", _("coordinator or co-coordinator."), lambda r: r.role),
        Column("as_of", _("Year the role was last reported; empty when not known."), lambda r: r.as_of),
        Column("verified", VERIFIED, lambda r: r.verified),
        Column("sources", SOURCES, source_codes),
        Column("member_url", _("Absolute address of the member's page."), lambda r: absolute_url(r.member)),
        Column(
            "area_url",
            _("Absolute address of the priority area on its dimension's page."),
            lambda r: absolute_url(r.area),
        ),
    ),
)

MEETINGS = Dataset(
    slug="meetings",
    title=_("Meetings"),
    description=_("Summits, ministerial councils and other meetings, latest first, as on the meetings page."),
    url_name="events:event-data",
    list_url_name="events:event-list",
    filterset_class=EventFilter,
    columns=(
        Column("slug", SLUG, lambda e: e.slug),
        Column("title", _("Title of the meeting."), lambda e: e.title),
        Column(
            "kind",
            _(
                "summit, ministerial (Ministerial Council), soc (Senior Officials Committee), swg (Special Working "
                "Group), forum (Think Tank Forum), other, or milestone (a moment of CICA's history that is not a "
                "CICA meeting, such as the 1992 proposal at the UN)."
            ),
            lambda e: e.kind,
        ),
        Column("ordinal", _("Number in its series (6 for the sixth summit); empty if none."), lambda e: e.ordinal),
        Column(
            "start_date",
            _(
                "First day, ISO 8601, only as precise as it is known: "
                "2026 (year), 2026-06 (month) or 2026-06-15 (day)."
            ),
            event_start,
        ),
        Column(
            "date_precision", _("How precisely start_date is known: year, month or day."), lambda e: e.date_precision
        ),
        Column(
            "end_date",
            _("Last day (ISO 8601) of a meeting over several days; empty otherwise."),
            lambda e: e.end_date and e.end_date.isoformat(),
        ),
        Column("status", _("held or planned."), lambda e: e.status),
        Column("online", _("true for a meeting held online."), lambda e: e.online),
        Column("city", _("City of the venue; empty for online meetings and unknown venues."), lambda e: e.city),
        Column("country", _("Country of the venue; for an online meeting, the host's, if any."), lambda e: e.country),
        Column("host_slug", _("Slug of the member that hosted it; empty if none."), lambda e: slug_of(e.public_host)),
        Column("host_name", _("Name of that member."), lambda e: name_of(e.public_host)),
        Column("dimensions", DIMENSIONS, lambda e: [d.slug for d in e.dimensions.all()]),
        Column("summary", SUMMARY, lambda e: e.summary),
        Column("notes", NOTES, lambda e: e.notes),
        Column("verified", VERIFIED, lambda e: e.verified),
        Column("partly_verified", PARTLY_VERIFIED, lambda e: e.partly_verified),
        Column("sources", SOURCES, source_codes),
        Column("url", URL, absolute_url),
    ),
)

INITIATIVES = Dataset(
    slug="initiatives",
    title=_("Initiatives"),
    description=_(
        "CICA's own initiatives (of chairmanships and member states), ordered by title; "
        "with proposed_by=commentary, the ideas from public debate instead."
    ),
    url_name="initiatives:initiative-data",
    list_url_name="initiatives:initiative-list",
    filterset_class=InitiativeFilter,
    columns=(
        Column("slug", SLUG, lambda i: i.slug),
        Column("title", _("Name of the initiative."), lambda i: i.title),
        Column("status", _("proposed, in_progress or achieved."), lambda i: i.status),
        Column(
            "proposed_by",
            _(
                "chairmanship, member (a member state) or commentary "
                "(an idea from public debate, not a CICA initiative)."
            ),
            lambda i: i.proposed_by,
        ),
        Column(
            "chairmanship_slug",
            _("Slug of the chairmanship that proposed it, e.g. kazakhstan-2020-2024; empty if none."),
            lambda i: slug_of(i.public_chairmanship),
        ),
        Column(
            "chairmanship_name",
            _("That chairmanship: the member state and its years."),
            lambda i: str(i.public_chairmanship) if i.public_chairmanship else None,
        ),
        Column("lead_slug", _("Slug of the member that leads it; empty if none."), lambda i: slug_of(i.public_lead)),
        Column("lead_name", _("Name of that member."), lambda i: name_of(i.public_lead)),
        Column("dimensions", DIMENSIONS, lambda i: [d.slug for d in i.dimensions.all()]),
        Column(
            "meetings",
            _("Slugs of related meetings (see the meetings data), “;”-separated in CSV, an array in JSON."),
            lambda i: [e.slug for e in i.public_events],
        ),
        Column("summary", SUMMARY, lambda i: i.summary),
        Column("notes", NOTES, lambda i: i.notes),
        Column("verified", VERIFIED, lambda i: i.verified),
        Column("partly_verified", PARTLY_VERIFIED, lambda i: i.partly_verified),
        Column("sources", SOURCES, source_codes),
        Column("url", URL, absolute_url),
    ),
)

DATASETS = (MEMBERS, MEETINGS, ROLES, INITIATIVES)


def csv_cell(value):
    """A value as CSV text: lists joined by ';', booleans as true/false, formulas defused."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        value = ";".join(value)
    value = str(value)
    if value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def applied_filters(filterset):
    """The filters that narrowed the rows: valid, non-empty values, related records by slug."""
    if not filterset.is_bound:
        return {}
    filterset.form.is_valid()  # invalid fields are left out of cleaned_data: they were ignored
    return {
        name: getattr(value, "slug", value)
        for name, value in filterset.form.cleaned_data.items()
        if value not in (None, "", [])
    }


class Echo:
    """A file-like object that hands back what is written: csv.writer then yields lines."""

    def write(self, value):
        return value


def csv_lines(dataset, records):
    writer = csv.writer(Echo())  # RFC 4180: comma, double quotes, CRLF
    yield writer.writerow([column.name for column in dataset.columns])
    for record in records:
        yield writer.writerow([csv_cell(column.value(record)) for column in dataset.columns])


def add_headers(response, dataset, disposition, extension):
    response["Content-Disposition"] = f'{disposition}; filename="cica-{dataset.slug}.{extension}"'
    response["Link"] = f'<{settings.SITE_URL}{reverse("data")}>; rel="describedby", <{LICENCE_URL}>; rel="license"'
    # Open data: any site's scripts may read it (it is public and never uses cookies).
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def download(request, dataset, queryset, format):
    """The whole queryset, narrowed by the dataset's FilterSet, as CSV (streamed) or JSON.

    Invalid filter values are ignored, as on the list pages. The FilterSet is
    validated here (its lookups run now); the rows are then read in chunks,
    each chunk with its prefetches, so the number of queries is fixed.
    """
    if format not in FORMATS:
        raise Http404("No such format.")
    filterset = dataset.filterset_class(request.GET or None, queryset=queryset, request=request)
    records = filterset.qs.iterator(chunk_size=CHUNK_SIZE)
    if format == "csv":
        response = StreamingHttpResponse(
            csv_lines(dataset, records), content_type="text/csv; charset=utf-8; header=present"
        )
        return add_headers(response, dataset, "attachment", "csv")
    rows = [{column.name: column.value(record) for column in dataset.columns} for record in records]
    data = {
        "licence": LICENCE,
        "source": settings.SITE_URL + reverse("data"),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "filters": applied_filters(filterset),
        "records": rows,
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    return add_headers(response, dataset, "inline", "json")
