"""How a page of the record is cited: one Citation, written as BibTeX, RIS and CSL-JSON.

The app builds the Citation from its record (events.views.citation_of); this module only writes
formats, so it imports no app. Texts are in the page's language: the Russian page's citation has the
Russian title and the Russian page's address. Every format carries the permanent URL (the page's
canonical address) and the SHA-256 of each file, so that a reader can check they hold the cited text.

BibTeX: a @misc entry (biblatex reads it too), special characters escaped, the corporate author in
double braces so that no style takes it for a person's name. RIS: type GOVDOC (government document).
CSL-JSON: a list of one item, as Zotero and citeproc read it.
"""

import json
import re
from dataclasses import dataclass, field
from datetime import date

CONTENT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}
PRECISIONS = ("year", "month", "day")


@dataclass(frozen=True)
class CitedFile:
    language: str  # of the text in the file
    sha256: str
    media_type: str = "application/pdf"


@dataclass(frozen=True)
class Citation:
    key: str  # the record's slug: the BibTeX key and the CSL id
    author: str  # the corporate author, in full
    author_short: str  # its abbreviation
    title: str
    genre: str  # what kind of document: "Declaration"
    event: str  # where it was adopted: "First CICA Summit"
    place: str  # "Almaty, Kazakhstan"; empty if unknown
    issued: date
    precision: str  # how precisely `issued` is known: year, month or day
    url: str  # the permanent address of its page
    language: str  # of the title and the page
    files: tuple[CitedFile, ...] = field(default_factory=tuple)

    @property
    def date_parts(self):
        """[2002], [2002, 6] or [2002, 6, 4]: no more precise than the date is known."""
        parts = [self.issued.year, self.issued.month, self.issued.day]
        return parts[: PRECISIONS.index(self.precision) + 1]

    def hash_note(self):
        """ "SHA-256 (PDF, en): 3f…": one line per file."""
        return "; ".join(f"SHA-256 ({short_type(f.media_type)}, {f.language}): {f.sha256}" for f in self.files)


def short_type(media_type):
    return media_type.rsplit("/", 1)[-1].upper()


# BibTeX

BIBTEX_SPECIAL = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "&": r"\&",
    "%": r"\%",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "^": r"\textasciicircum{}",
}
BIBTEX_PATTERN = re.compile("|".join(re.escape(char) for char in BIBTEX_SPECIAL))
MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")


def bibtex_text(value):
    """A value's text with BibTeX's special characters escaped (newlines become spaces)."""
    return BIBTEX_PATTERN.sub(lambda match: BIBTEX_SPECIAL[match.group()], " ".join(str(value).split()))


def bibtex(citation):
    fields = [
        ("author", "{" + bibtex_text(f"{citation.author} ({citation.author_short})") + "}"),
        ("title", bibtex_text(citation.title)),
        ("type", bibtex_text(citation.genre)),
        ("howpublished", bibtex_text(citation.event)),
        ("address", bibtex_text(citation.place)),
        ("organization", bibtex_text(citation.author_short)),
        ("year", str(citation.issued.year)),
    ]
    parts = citation.date_parts
    if len(parts) > 1:
        fields.append(("month", MONTHS[parts[1] - 1]))
    if len(parts) > 2:
        fields.append(("day", str(parts[2])))
    fields += [
        ("date", "-".join(f"{part:02d}" if i else f"{part:04d}" for i, part in enumerate(parts))),
        ("url", citation.url),
        ("language", citation.language),
        ("note", bibtex_text(citation.hash_note())),
    ]
    lines = []
    for name, value in fields:
        if not value:
            continue
        # Month macros (jun) go bare; every other value in braces.
        lines.append(f"  {name} = {value}" if name == "month" else f"  {name} = {{{value}}}")
    key = re.sub(r"[^A-Za-z0-9_:.-]", "-", citation.key)
    return f"@misc{{{key},\n" + ",\n".join(lines) + "\n}\n"


# RIS


def ris_line(tag, value):
    value = " ".join(str(value).split())
    return f"{tag}  - {value}" if value else None


def ris(citation):
    parts = citation.date_parts
    # DA: YYYY/MM/DD/ with the unknown parts left empty.
    da = "/".join([f"{parts[0]:04d}", *(f"{p:02d}" for p in parts[1:])] + [""] * (3 - len(parts))) + "/"
    lines = [
        ris_line("TY", "GOVDOC"),
        ris_line("AU", f"{citation.author} ({citation.author_short})"),
        ris_line("TI", citation.title),
        ris_line("M3", citation.genre),
        ris_line("T2", citation.event),
        ris_line("CY", citation.place),
        ris_line("PY", f"{citation.issued.year:04d}"),
        ris_line("DA", da),
        ris_line("PB", citation.author_short),
        ris_line("UR", citation.url),
        ris_line("LA", citation.language),
        *(ris_line("N1", f"SHA-256 ({short_type(f.media_type)}, {f.language}): {f.sha256}") for f in citation.files),
        ris_line("ID", citation.key),
        "ER  - ",
    ]
    # RIS wants CRLF line ends; a reader that does not, reads them as well.
    return "\r\n".join(line for line in lines if line is not None) + "\r\n"


# CSL-JSON


def csl_item(citation):
    item = {
        "id": citation.key,
        "type": "document",
        "author": [{"literal": f"{citation.author} ({citation.author_short})"}],
        "title": citation.title,
        "genre": citation.genre,
        "event-title": citation.event,
        "publisher": citation.author_short,
        "issued": {"date-parts": [citation.date_parts]},
        "URL": citation.url,
        "language": citation.language,
    }
    if citation.place:
        item["event-place"] = citation.place
        item["publisher-place"] = citation.place
    if citation.files:
        item["note"] = citation.hash_note()
    return item


def csl_json(citation):
    return json.dumps([csl_item(citation)], ensure_ascii=False, indent=2) + "\n"


WRITERS = {"bib": bibtex, "ris": ris, "json": csl_json}


def write(citation, format):
    """The citation in a format (bib, ris or json), and its content type."""
    return WRITERS[format](citation), CONTENT_TYPES[format]
