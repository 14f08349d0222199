"""Open data: the public records as CSV and JSON downloads, documented on /data/.

Each dataset names its columns once, with their meaning: the downloads write
them and the /data/ page documents them, so the two cannot drift apart. Each
app declares its datasets (<app>/opendata.py) and its views choose the rows
(their list page's published queryset, narrowed by the same FilterSet); this
module only turns rows into files. The site layer lists every dataset on /data/.

At archive scale (100,000 meetings) a download is tens of megabytes, and gunicorn's
sync workers give a request 30 s. So the datasets that grow with the archive read
their rows with values() (a dict per row, no model instance), each related list as
one subquery column, in one statement (rows(); the small ones still read instances,
in chunks), and every file is written while it is sent: StreamingHttpResponse, in
pieces of about 64 KB. A JSON or iCalendar body that fits the page cache (at most
AnonymousPageCacheMiddleware.MAX_BYTES) is still sent whole, as an HttpResponse,
so the page cache stores it with its ETag as before; a larger one streams.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import chain
from operator import itemgetter

from django.conf import settings
from django.db.models import CharField, Count, OuterRef, StringAgg, Subquery, Value, Window
from django.db.models.functions import Cast
from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from modeltranslation.fields import NONE
from modeltranslation.utils import fallbacks_enabled, resolution_order

from cicasite.core.filters import canonical_redirect
from cicasite.core.i18n import current_language
from cicasite.core.links import absolute
from cicasite.core.middleware import AnonymousPageCacheMiddleware

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
# Rows fetched per round trip (a server-side cursor on PostgreSQL). Datasets read as model instances
# (the small ones) run their prefetches once per chunk.
CHUNK_SIZE = 2000
# A streamed file is sent in pieces of about this many characters: one write to the socket each,
# not one per row.
PIECE_SIZE = 64 * 1024
# A JSON or iCalendar body up to this size is sent whole, so that the page cache can keep it (with its
# ETag, Last-Modified and gzipped copy) as it always did; beyond it the page cache would not keep it
# anyway, and the rest is streamed.
WHOLE_BODY_MAX = AnonymousPageCacheMiddleware.MAX_BYTES
# The window count a JSON download reads with its rows: "count" comes before the records.
TOTAL = "opendata_total"
# A spreadsheet reads a cell starting with one of these as a formula (OWASP, CSV injection).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Column:
    name: str
    meaning: str
    value: Callable  # row (a dict from Dataset.rows, or a model instance) -> str, int, bool, None or a list of str
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
    # queryset, extra annotation names -> the rows the columns read, in the queryset's order. None: the
    # model instances, in chunks with their prefetches (for tables that stay small: members, roles).
    # A rows() reads values() and passes each extra annotation through under its name.
    rows: Callable | None = None

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


LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


# Rows from values(): what the datasets that grow with the archive read instead of model instances.


def translated_columns(prefix, *fields):
    """The columns of translated fields ("title"), across a relation or not ("event__"): one per language."""
    return [f"{prefix}{name}_{code}" for name in fields for code in LANGUAGE_CODES]


class Translated:
    """row -> a translated field in the current language with its fallbacks, from translated_columns().

    What modeltranslation's field descriptor returns on an instance (TranslationFieldDescriptor.__get__:
    the first meaningful value in the language's resolution order, else the fallback value or the
    field's default), with that order worked out once per download: the descriptor works it out for
    every value read, which was half the time of a download of 100,000 meetings. values() would apply
    the same descriptor to the queryset's own fields, and reads the untranslated column across a
    relation. tests/test_private_apis.py checks that both agree.
    """

    def __init__(self, model, field, prefix=""):
        descriptor = getattr(model, field)
        order = resolution_order(translation.get_language(), descriptor.fallback_languages)
        self.columns = [f"{prefix}{field}_{code}" for code in order]
        default = descriptor.field.get_default()
        self.undefined = default if descriptor.fallback_undefined is NONE else descriptor.fallback_undefined
        fallback = descriptor.fallback_value
        self.fallback = fallback if fallbacks_enabled() and fallback is not NONE else default

    def __call__(self, row):
        for column in self.columns:
            value = row[column]
            if value is not None and value != self.undefined:
                return value
        return self.fallback


def linked_ids(through, owner, target):
    """A subquery column: the ids the M2M table links to the outer row, as "3,7" (NULL when none).

    One column of the rows' own statement, so a download costs the same number of queries at any size;
    linked() names and orders them.
    """
    links = through.objects.filter(**{owner: OuterRef("pk")}).order_by().values(owner)
    return Subquery(links.annotate(ids=StringAgg(Cast(target, CharField()), Value(","))).values("ids")[:1])


def in_order(queryset, field="slug"):
    """{pk: (position, field)} of the queryset's rows in its order (one query): how linked() sorts and names ids.

    For the small sets a download names (dimensions, sources, the meetings initiatives name): with the
    order of the queryset that prefetching them used, the lists come out as they did.
    """
    return {pk: (position, value) for position, (pk, value) in enumerate(queryset.values_list("pk", field))}


def linked(ids, order):
    """The names of the linked ids ("3,7", from linked_ids()) in the order of in_order()'s queryset."""
    if not ids:
        return []
    known = [order[pk] for pk in map(int, ids.split(",")) if pk in order]
    return [name for _position, name in sorted(known)]


def page_url(url_name, key="slug"):
    """key -> the absolute URL of the named page for it: reversed once, not once per row."""
    marker = "opendata-key-marker"  # a slug, which reverse() leaves as it is
    head, tail = absolute(reverse(url_name, kwargs={key: marker})).split(marker)
    return lambda value: f"{head}{value}{tail}"


def absolute_url(record):
    """The record's page, from SITE_URL: never from the request's Host header."""
    return absolute(record.get_absolute_url())


def source_codes(record):
    return [source.code for source in record.sources.all()]


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


def row_record_columns():
    """The columns every dataset read as rows (rows()) ends with: summary, notes, verification, sources and
    address, each the row's key of that name."""
    return (
        Column("summary", SUMMARY, itemgetter("summary")),
        Column("notes", NOTES, itemgetter("notes")),
        Column("verified", VERIFIED, itemgetter("verified"), type="boolean", constraints=REQUIRED),
        Column(
            "partly_verified", PARTLY_VERIFIED, itemgetter("partly_verified"), type="boolean", constraints=REQUIRED
        ),
        Column("sources", SOURCES, itemgetter("sources"), type="list"),
        Column("url", URL, itemgetter("url"), format="uri", constraints=REQUIRED),
    )


def csv_cell(value):
    """A value as CSV text: lists joined by ';', booleans as true/false, formulas defused."""
    if type(value) is str:  # most cells: the same as below, sooner
        return "'" + value if value.startswith(FORMULA_STARTS) else value
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


def json_text(head, records):
    """The JSON document head | {"records": [...records]}, as json.dumps(..., ensure_ascii=False, indent=1)
    writes it, in pieces: one record at a time (each dumped on its own, then indented to its depth)."""
    text = json.dumps(head | {"records": []}, ensure_ascii=False, indent=1)
    records = iter(records)
    first = next(records, None)
    if first is None:
        yield text
        return
    yield text.removesuffix("[]\n}") + "["
    separator = "\n  "
    for record in chain([first], records):
        yield separator + json.dumps(record, ensure_ascii=False, indent=1).replace("\n", "\n  ")
        separator = ",\n  "
    yield "\n ]\n}"


def pieces(strings):
    """The strings as UTF-8 bytes, joined into pieces of about PIECE_SIZE characters."""
    buffer, size = [], 0
    for string in strings:
        buffer.append(string)
        size += len(string)
        if size >= PIECE_SIZE:
            yield "".join(buffer).encode()
            buffer, size = [], 0
    if buffer:
        yield "".join(buffer).encode()


def in_language(language, iterable):
    """iterable, read in this language also once the view has returned (a streamed body is read later)."""
    with translation.override(language):
        yield from iterable


def file_response(chunks, content_type):
    """The body whole (an HttpResponse: the page cache may keep it) when it is at most WHOLE_BODY_MAX
    bytes, else streamed: what was read so far, then the rest as it is written."""
    chunks = iter(chunks)
    head, size = [], 0
    for chunk in chunks:
        head.append(chunk)
        size += len(chunk)
        if size > WHOLE_BODY_MAX:
            return StreamingHttpResponse(chain(head, chunks), content_type=content_type)
    return HttpResponse(b"".join(head), content_type=content_type)


def add_headers(response, dataset, disposition, extension):
    response["Content-Disposition"] = f'{disposition}; filename="cica-{dataset.slug}.{extension}"'
    response["Link"] = f'<{absolute(reverse("data"))}>; rel="describedby", <{LICENCE_URL}>; rel="license"'
    # Open data: any site's scripts may read it (it is public and never uses cookies).
    response["Access-Control-Allow-Origin"] = "*"
    response["Cross-Origin-Resource-Policy"] = "cross-origin"
    return response


def records_of(dataset, queryset, extra=()):
    """The rows of the queryset the columns read: dataset.rows(), or model instances in chunks."""
    if dataset.rows is not None:
        return dataset.rows(queryset, extra)
    return queryset.iterator(chunk_size=CHUNK_SIZE)


def download(request, dataset, queryset, format):
    """The whole queryset, narrowed by the dataset's FilterSet, as CSV or JSON, written while it is sent.

    Invalid filter values are ignored, as on the list pages. The FilterSet is
    validated here (its lookups run now); the rows are then read by one statement
    (dataset.rows) or in chunks of instances with their prefetches, so the number
    of queries is fixed. JSON's "count" is a window count in the same statement as
    the rows, so it always agrees with them.
    """
    if format not in FORMATS:
        raise Http404("No such format.")
    redirect = canonical_redirect(request, dataset.filter_names)
    if redirect:
        return redirect  # to the tidy address, as the list does
    filterset = dataset.filterset_class(request.GET or None, queryset=queryset, request=request)
    language = translation.get_language()
    if format == "csv":
        records = records_of(dataset, filterset.qs)
        lines = in_language(language, csv_lines(dataset, records))
        response = StreamingHttpResponse(pieces(lines), content_type="text/csv; charset=utf-8; header=present")
        return add_headers(response, dataset, "attachment", "csv")
    records = iter(records_of(dataset, filterset.qs.annotate(**{TOTAL: Window(Count("pk"))}), (TOTAL,)))
    first = next(records, None)
    total = 0 if first is None else first[TOTAL] if isinstance(first, dict) else getattr(first, TOTAL)
    head = {
        "licence": LICENCE,
        "source": absolute(reverse("data")),
        "generated": timezone.now().isoformat(timespec="seconds"),
        "count": total,
        "filters": applied_filters(filterset),
    }
    rows = chain([] if first is None else [first], records)
    text = json_text(head, ({column.name: column.value(row) for column in dataset.columns} for row in rows))
    response = file_response(pieces(in_language(language, text)), "application/json")
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


def datapackage(datasets):
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
        "resources": [resource(dataset) for dataset in datasets],
    }
