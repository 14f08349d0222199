"""Open data: the public records as CSV and JSON downloads, documented on /data/.

Each dataset names its columns once, with their meaning: the downloads write
them and the /data/ page documents them, so the two cannot drift apart. The
apps' views choose the rows (their list page's published queryset, narrowed by
the same FilterSet); this module only turns rows into files.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicasite.filters import canonical_redirect
from cicasite.i18n import current_language
from cicasite.links import absolute
from events.filters import EventFilter
from events.models import Event
from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative
from members.filters import MemberFilter, RoleFilter
from members.models import Member, Role

LICENCE = "CC BY 4.0"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"
# Spreadsheets open a CSV by double-click with the separator of the reader's locale: a comma in
# English, a semicolon in Russian (where the comma is the decimal separator). Each language's
# files use its own; the data package says which.
CSV_DELIMITERS = {"ru": ";"}
# Written first in every CSV: Excel then reads the file as UTF-8 (without it, Cyrillic is garbled).
# Python reads such files with encoding="utf-8-sig"; frictionless and pandas skip it by themselves.
BOM = "\ufeff"
LIST_SEPARATOR = ";"  # between the items of a list in one cell
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
    # Its Table Schema field (https://specs.frictionlessdata.io/table-schema/): type and constraints.
    type: str = "string"  # string, integer, year, boolean or list (of strings)
    constraints: dict = field(default_factory=dict)
    format: str | None = None  # "uri" for addresses

    def schema(self):
        descriptor = {"name": self.name, "type": self.type, "description": str(self.meaning)}
        if self.format:
            descriptor["format"] = self.format
        if self.type == "list":
            descriptor.update(delimiter=LIST_SEPARATOR, itemType="string")
        if self.type == "boolean":
            descriptor.update(trueValues=["true"], falseValues=["false"])
        if self.constraints:
            descriptor["constraints"] = self.constraints
        return descriptor


def one_of(choices):
    """Constraints of a column holding a model's choice: its values, nothing else."""
    return {"enum": list(choices.values)}


REQUIRED = {"required": True}
UNIQUE = {"required": True, "unique": True}


@dataclass(frozen=True)
class Dataset:
    slug: str  # file names: cica-<slug>.csv
    title: str
    description: str
    url_name: str  # the download's URL name, with a format kwarg
    list_url_name: str | None  # the page whose filters the download shares
    filterset_class: type
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ("slug",)
    # (columns here, dataset slug, its columns): the other dataset's rows these point at
    foreign_keys: tuple[tuple[tuple[str, ...], str, tuple[str, ...]], ...] = ()

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
        Column("slug", SLUG, lambda m: m.slug, constraints=UNIQUE),
        Column("name", _("Common English name."), lambda m: m.name, constraints=REQUIRED),
        Column(
            "status",
            _("member (member state), observer_state or observer_org (observer organisation)."),
            lambda m: m.status,
            constraints=REQUIRED | one_of(Member.Status),
        ),
        Column(
            "iso_code",
            _("ISO 3166-1 alpha-2 code of a state; empty for organisations."),
            lambda m: m.iso_code,
            constraints={"pattern": "[A-Z]{2}"},
        ),
        Column(
            "region_slug",
            _("Slug of the region the member is grouped in; empty if none."),
            lambda m: slug_of(m.region),
        ),
        Column("region_name", _("Name of that region."), lambda m: name_of(m.region)),
        Column(
            "joined", _("Year it joined in its current status; empty when not known."), lambda m: m.joined, type="year"
        ),
        Column("capital", _("Capital city, or seat of an organisation."), lambda m: m.capital),
        # No website and no summary: the records have none for any member (an empty column says nothing).
        Column(
            "dimensions",
            _(
                "Slugs of the dimensions in which it holds a coordinating role (see the roles data), "
                "“;”-separated in CSV, an array in JSON."
            ),
            member_dimensions,
            type="list",
        ),
        Column("notes", NOTES, lambda m: m.notes),
        Column("verified", VERIFIED, lambda m: m.verified, type="boolean", constraints=REQUIRED),
        Column("partly_verified", PARTLY_VERIFIED, lambda m: m.partly_verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
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
        Column(
            "member_slug", _("Slug of the member holding the role."), lambda r: r.member.slug, constraints=REQUIRED
        ),
        Column("member_name", _("Name of that member."), lambda r: r.member.name),
        Column(
            "dimension_slug",
            _("Slug of the dimension of the priority area."),
            lambda r: r.area.dimension.slug,
            constraints=REQUIRED,
        ),
        Column("dimension_name", _("Name of that dimension."), lambda r: r.area.dimension.name),
        Column(
            "area_slug",
            _("Slug of the priority area (unique within its dimension)."),
            lambda r: r.area.slug,
            constraints=REQUIRED,
        ),
        Column("area_name", _("Name of the priority area."), lambda r: r.area.name),
        Column(
            "role", _("coordinator or co-coordinator."), lambda r: r.role, constraints=REQUIRED | one_of(Role.Kind)
        ),
        Column("as_of", _("Year the role was last reported; empty when not known."), lambda r: r.as_of, type="year"),
        Column("verified", VERIFIED, lambda r: r.verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column(
            "member_url",
            _("Absolute address of the member's page."),
            lambda r: absolute_url(r.member),
            format="uri",
        ),
        Column(
            "area_url",
            _("Absolute address of the priority area on its dimension's page."),
            lambda r: absolute_url(r.area),
            format="uri",
        ),
    ),
    # One role per member and priority area; an area's slug is unique within its dimension.
    primary_key=("member_slug", "dimension_slug", "area_slug"),
    foreign_keys=((("member_slug",), "members", ("slug",)),),
)

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
        Column("slug", SLUG, lambda i: i.slug, constraints=UNIQUE),
        Column("title", _("Name of the initiative."), lambda i: i.title, constraints=REQUIRED),
        Column(
            "status",
            _("proposed, in_progress or achieved."),
            lambda i: i.status,
            constraints=REQUIRED | one_of(Initiative.Status),
        ),
        Column(
            "proposed_by",
            _(
                "chairmanship, member (a member state) or commentary "
                "(an idea from public debate, not a CICA initiative)."
            ),
            lambda i: i.proposed_by,
            constraints=REQUIRED | one_of(Initiative.ProposedBy),
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
        Column("dimensions", DIMENSIONS, lambda i: [d.slug for d in i.dimensions.all()], type="list"),
        Column(
            "meetings",
            _("Slugs of related meetings (see the meetings data), “;”-separated in CSV, an array in JSON."),
            lambda i: [e.slug for e in i.public_events],
            type="list",
        ),
        Column("summary", SUMMARY, lambda i: i.summary),
        Column("notes", NOTES, lambda i: i.notes),
        Column("verified", VERIFIED, lambda i: i.verified, type="boolean", constraints=REQUIRED),
        Column("partly_verified", PARTLY_VERIFIED, lambda i: i.partly_verified, type="boolean", constraints=REQUIRED),
        Column("sources", SOURCES, source_codes, type="list"),
        Column("url", URL, absolute_url, format="uri", constraints=REQUIRED),
    ),
    foreign_keys=((("lead_slug",), "members", ("slug",)),),
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


def csv_delimiter():
    return CSV_DELIMITERS.get(current_language(), ",")


def csv_lines(dataset, records):
    writer = csv.writer(Echo(), delimiter=csv_delimiter())  # RFC 4180: double quotes, CRLF
    yield BOM + writer.writerow([column.name for column in dataset.columns])
    for record in records:
        yield writer.writerow([csv_cell(column.value(record)) for column in dataset.columns])


def add_headers(response, dataset, disposition, extension):
    response["Content-Disposition"] = f'{disposition}; filename="cica-{dataset.slug}.{extension}"'
    response["Link"] = f'<{absolute(reverse("data"))}>; rel="describedby", <{LICENCE_URL}>; rel="license"'
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
    redirect = canonical_redirect(request, dataset.filter_names)
    if redirect:
        return redirect  # to the tidy address, as the list does
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
        "source": absolute(reverse("data")),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "count": len(rows),
        "filters": applied_filters(filterset),
        "records": rows,
    }
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/json")
    return add_headers(response, dataset, "inline", "json")


def licences():
    return [{"name": "CC-BY-4.0", "path": LICENCE_URL, "title": "Creative Commons Attribution 4.0 International"}]


def resource(dataset):
    """A dataset's CSV download as a Tabular Data Resource: where it is, how it is written, its Table Schema."""
    return {
        "name": dataset.slug,
        "profile": "tabular-data-resource",
        "title": str(dataset.title),
        "description": str(dataset.description),
        "path": absolute(dataset.csv_url),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",  # with a byte order mark, which frictionless skips
        "dialect": {"delimiter": csv_delimiter(), "header": True},
        "licenses": licences(),
        "schema": {
            "fields": [column.schema() for column in dataset.columns],
            "missingValues": [""],
            "primaryKey": list(dataset.primary_key),
            "foreignKeys": [
                {"fields": list(fields), "reference": {"resource": target, "fields": list(target_fields)}}
                for fields, target, target_fields in dataset.foreign_keys
            ],
        },
    }


def datapackage():
    """/data/datapackage.json: the CSV downloads as a Frictionless Data Package, in the page's language."""
    return {
        "profile": "tabular-data-package",
        "name": "cica",
        "title": str(_("CICA: members, meetings, coordinating roles and initiatives")),
        "description": str(
            _(
                "The published records of this site, as its CSV downloads. Each resource is the whole list; "
                "the same file takes its list page's filters."
            )
        ),
        "homepage": absolute(reverse("data")),
        "licenses": licences(),
        "resources": [resource(dataset) for dataset in DATASETS],
    }
