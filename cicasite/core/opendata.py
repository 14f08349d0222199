"""Open data: the public records as CSV and JSON downloads, documented on /data/.

Each dataset names its columns once, with their meaning: the downloads write
them and the /data/ page documents them, so the two cannot drift apart. Each
app declares its datasets (<app>/opendata.py) and its views choose the rows
(their list page's published queryset, narrowed by the same FilterSet); this
module only turns rows into files. The site layer lists every dataset on /data/.
"""

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import Http404, HttpResponse, StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicasite.core.filters import canonical_redirect
from cicasite.core.i18n import current_language
from cicasite.core.links import absolute

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
