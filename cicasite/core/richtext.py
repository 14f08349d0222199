"""Rich text: the HTML that bodies are written in, how it is cleaned, and its plain text.

A body (a member's, a meeting's, an initiative's, an organ's) is stored as HTML of a
small vocabulary: paragraphs, h2 and h3 headings, bold, italic, bulleted and numbered
lists, line breaks and links (http, https, mailto, or a path on this site such as
/events/sixth-summit-2022/). Whatever writes it, the admin's editor, a working copy
applied on approval, load_cica or plain ORM code, RichTextField cleans it on the way to
the database with sanitize(): an allow-list (nh3), everything else dropped, and
rel="noopener noreferrer" on every link that leaves the site. Nothing the browser
sends is trusted.

Where a body must be plain text (search snippets, the SQLite search fallback), to_text()
gives what a reader sees, without tags or entities. Summaries are not rich text: they
are the standfirst reused verbatim in lists, feeds, meta and Open Graph descriptions,
JSON-LD and the open data, none of which can carry markup.
"""

import re
from html import escape as _escape_all
from html.parser import HTMLParser

import nh3
from django import forms
from django.conf import settings
from django.db import models
from django.db.models import Func, TextField
from django.http import JsonResponse
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET
from django_prose_editor.fields import ProseEditorFormField
from django_prose_editor.widgets import AdminProseEditorWidget

TAGS = {"p", "h2", "h3", "strong", "em", "ul", "ol", "li", "a", "br"}
ATTRIBUTES = {"a": {"href", "title"}}
URL_SCHEMES = {"http", "https", "mailto"}
# Removed with everything inside them (a pasted web page or Word document brings these).
DROPPED_WITH_CONTENT = {"script", "style", "title", "head", "xml", "template", "noscript", "iframe", "object"}
EXTERNAL_REL = "noopener noreferrer"
# Characters of HTML a body may hold: room for the markup of 20,000 characters of text.
RICH_TEXT_MAX_LENGTH = 40000

# The editor's configuration (django-prose-editor), matching TAGS: what it can make, the server keeps.
EDITOR_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Heading": {"levels": [2, 3]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": sorted(URL_SCHEMES)},
    "InternalLink": True,
    "NoInjectedStyles": True,
}

# Tags renamed before cleaning, so pasted structure survives in our vocabulary: <b> is bold,
# an <h1> or <h4> is still a heading. Renaming only: the cleaner decides what stays.
_RENAMES = (
    (re.compile(r"<(/?)b(?=[\s/>])", re.IGNORECASE), r"<\1strong"),
    (re.compile(r"<(/?)i(?=[\s/>])", re.IGNORECASE), r"<\1em"),
    (re.compile(r"<(/?)h1(?=[\s/>])", re.IGNORECASE), r"<\1h2"),
    (re.compile(r"<(/?)h[4-6](?=[\s/>])", re.IGNORECASE), r"<\1h3"),
)
# nh3's output is canonical (every attribute double-quoted, no '"' inside a value), so its <a> tags can be read so.
_A_TAG = re.compile(r'<a((?: [a-z-]+="[^"]*")*)>')
_HREF = re.compile(r' href="([^"]*)"')
# Links whose target was refused: their text stays, as text.
_BARE_A = re.compile(r'<a(?: title="[^"]*")?>(.*?)</a>', re.DOTALL)
# Paragraphs and headings with nothing to read (Word's <p class=MsoNormal><o:p>&nbsp;</o:p></p>).
_EMPTY_BLOCK = re.compile(r"<(p|h2|h3)>(?:\s|&nbsp;|<br>)*</\1>")


def allowed_href(href):
    """Whether a link target may be stored: http(s) or mailto, a path on this site (/...), or #fragment.

    Protocol-relative (//host) and backslash (/\\host) forms leave the site, and a relative
    path (events/x) would depend on the page it is shown on: both are refused.
    """
    href = href.strip()
    if href.startswith("#"):
        return True
    if href.startswith("/"):
        return not href.startswith(("//", "/\\"))
    scheme, colon, _rest = href.partition(":")
    return bool(colon) and scheme.lower() in URL_SCHEMES


def is_external(href):
    return not href.startswith(("/", "#"))


def no_tags(extension_config, shared_config):
    """django-prose-editor's processor for our extensions, which make no HTML of their own."""


def _filter_attribute(tag, attribute, value):
    if tag == "a" and attribute == "href":
        value = value.strip()
        return value if allowed_href(value) else None
    return value


_CLEANER = nh3.Cleaner(
    tags=TAGS,
    attributes=ATTRIBUTES,
    url_schemes=URL_SCHEMES,
    attribute_filter=_filter_attribute,
    clean_content_tags=DROPPED_WITH_CONTENT,
    strip_comments=True,
    link_rel=None,  # set below on external links only: internal links stay plain relative paths
)


def _with_rel(match):
    attributes = match.group(1)
    href = _HREF.search(attributes)
    if href and is_external(href.group(1)):
        return f'<a{attributes} rel="{EXTERNAL_REL}">'
    return match.group(0)


def _clean_once(html):
    for pattern, replacement in _RENAMES:
        html = pattern.sub(replacement, html)
    html = _CLEANER.clean(html)
    html = _BARE_A.sub(r"\1", html)
    html = _A_TAG.sub(_with_rel, html)
    removed = True
    while removed:  # an empty block inside another (<h2><p></p></h2>) leaves that one empty too
        html, removed = _EMPTY_BLOCK.subn("", html)
    return html.strip()


def sanitize(html):
    """The HTML cleaned to the allow-list; None stays None (an empty translation column).

    Cleaned until it no longer changes (twice for well-formed input; a tangle such as list items in
    a table cell needs one more), so cleaning what is stored changes nothing.
    """
    if html is None:
        return None
    html = str(html)
    for _attempt in range(5):
        cleaned = _clean_once(html)
        if cleaned == html:
            break
        html = cleaned
    return html


def _escape_text(text):
    # As nh3 writes text, so that sanitize(from_text(x)) == from_text(x): &, < and > only.
    return _escape_all(text, quote=False).replace("\xa0", "&nbsp;")


def from_text(text):
    """Plain text as HTML paragraphs: blank lines separate paragraphs, a single newline is a <br>.

    Every character is kept (escaped where HTML would read it as markup), so the page shows
    exactly what Django's linebreaks filter showed for the same text; only a paragraph of
    nothing but spaces (no-break ones too), which showed nothing, is left out, as sanitize()
    leaves out Word's empty paragraphs.
    """
    if text is None:
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    paragraphs = [p.strip("\n") for p in re.split(r"\n[ \t]*\n", text)]
    return "".join(
        f"<p>{'<br>'.join(_escape_text(line) for line in p.split(chr(10)))}</p>" for p in paragraphs if p.strip()
    )


BATCH = 100  # rows per UPDATE in the data migration: bulk_update's CASE grows with the square of it


def paragraphs_migration(app_label, model_name, field="body"):
    """A data migration: the field's plain text, in every language's column, becomes HTML paragraphs
    (from_text); reversed, the HTML becomes plain text again (to_text: what a reader saw, markup dropped)."""
    from django.db import migrations

    def convert(function):
        def run(apps, schema_editor):
            model = apps.get_model(app_label, model_name)
            columns = [field] + [f"{field}_{code}" for code, _name in settings.LANGUAGES]
            columns = [name for name in columns if any(f.name == name for f in model._meta.concrete_fields)]
            batch = []
            for row in model._base_manager.only("pk", *columns).order_by("pk").iterator(chunk_size=1000):
                changed = False
                for name in columns:
                    value = getattr(row, name)
                    if value:
                        setattr(row, name, function(value))
                        changed = True
                if changed:
                    batch.append(row)
                if len(batch) >= BATCH:
                    model._base_manager.bulk_update(batch, columns)
                    batch = []
            if batch:
                model._base_manager.bulk_update(batch, columns)

        return run

    return migrations.RunPython(convert(from_text), convert(to_text), elidable=False)


class _TextParser(HTMLParser):
    BLOCKS = {"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "ul", "ol", "li", "blockquote", "table", "tr"}

    def __init__(self, links=False):
        super().__init__(convert_charrefs=True)
        self.blocks = [[]]
        self.skip = 0
        self.links = links
        self.href = None

    def handle_starttag(self, tag, attrs):
        if tag in DROPPED_WITH_CONTENT:
            self.skip += 1
        elif tag == "br":
            self.blocks[-1].append("\n")
        elif tag in self.BLOCKS:
            self.blocks.append([])
        elif tag == "a" and self.links:
            self.href = dict(attrs).get("href")

    def handle_startendtag(self, tag, attrs):
        if tag == "br":
            self.blocks[-1].append("\n")

    def handle_endtag(self, tag):
        if tag in DROPPED_WITH_CONTENT:
            self.skip = max(0, self.skip - 1)
        elif tag in self.BLOCKS:
            self.blocks.append([])
        elif tag == "a" and self.href:
            self.blocks[-1].append(f" <{self.href}>")
            self.href = None

    def handle_data(self, data):
        if not self.skip:
            self.blocks[-1].append(re.sub(r"[ \t\n\r\f]+", " ", data))

    def text(self):
        paragraphs = []
        for block in self.blocks:
            lines = [line.strip(" ") for line in "".join(block).split("\n")]
            paragraph = "\n".join(lines).strip("\n")
            if paragraph:
                paragraphs.append(paragraph)
        return "\n\n".join(paragraphs)


def to_text(html, links=False):
    """What a reader sees of the HTML, as plain text: no tags, entities decoded, blocks apart by a blank line.

    links=True adds each link's target after its text, "Kazakhstan </ru/members/kazakhstan/>", for a
    reviewer, who must see where links go.
    """
    if not html:
        return ""
    parser = _TextParser(links=links)
    parser.feed(str(html))
    parser.close()
    return parser.text()


# The editor


def editor_extensions(language):
    """The internal-link button's configuration for a body in `language`: the pages it links to are in it."""
    internal_link = {
        "url": reverse_lazy("richtext-links"),
        "language": language or settings.LANGUAGE_CODE,
        "labels": {
            "button": _("Link to a page of this site"),
            "title": _("Link to a page of this site"),
            "search": _("Find a member, meeting, document or initiative"),
            "hint": _("Type at least two letters of its name or title. Only published records are listed."),
            "searching": _("Searching…"),
            "none": _("Nothing published matches."),
            "failed": _("The search did not answer; try again."),
            "cancel": _("Cancel"),
        },
    }
    return {"InternalLink": internal_link}


class RichTextWidget(AdminProseEditorWidget):
    """The editor (django-prose-editor's admin widget) with the styles of the internal-link dialog.

    The language of the body, for the internal links, is read from the field's name (body_ru):
    django-modeltranslation's admin gives every language's field a copy of one widget.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = None

    @property
    def media(self):
        return super().media + forms.Media(css={"all": ["css/richtext-admin.css"]})

    def get_config(self):
        config = super().get_config()
        return config | {"extensions": config["extensions"] | editor_extensions(self.language)}

    def get_context(self, name, value, attrs):
        _field, _sep, code = name.rpartition("_")
        self.language = code if code in dict(settings.LANGUAGES) else None
        return super().get_context(name, value, attrs)


class PlainText(Func):
    """A rich-text column as plain text, in SQL, for search snippets and the SQLite search fallback.

    PostgreSQL: tags become spaces and the entities nh3 writes in text (&lt; &gt; &nbsp; &amp;) their
    characters. SQLite: to_text() itself, registered on each connection (sqlite_functions below).
    (PostgreSQL's search vectors need neither: its text parser skips tags and entities.)
    """

    output_field = TextField()
    # A tag: "<", then anything but ">" outside a double-quoted attribute value (nh3 quotes them all), ">".
    template = (
        "replace(replace(replace(replace(regexp_replace(%(expressions)s, '<(?:[^>\"]|\"[^\"]*\")*>', ' ', 'g'),"
        " '&lt;', '<'), '&gt;', '>'), '&nbsp;', ' '), '&amp;', '&')"
    )

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, template="cica_plain_text(%(expressions)s)", **extra_context)


def sqlite_functions(sender, connection, **kwargs):
    """connection_created: give SQLite the plain-text function PlainText calls (cicasite.core.apps)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function("cica_plain_text", 1, to_text, deterministic=True)


def is_rich(model, name):
    """Whether a model's field (or language column: body_ru) holds rich text."""
    try:
        return isinstance(model._meta.get_field(name), RichTextField)
    except Exception:  # a path through a relation (event__title) or no such field: not one of ours
        return False


class _Hrefs(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.hrefs = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [value or "" for name, value in attrs if name == "href"]


def refused_links(html):
    """The link targets in the HTML that sanitize() would drop (in the order written, each once)."""
    parser = _Hrefs()
    parser.feed(html or "")
    parser.close()
    return list(dict.fromkeys(href.strip() for href in parser.hrefs if not allowed_href(href)))


class RichTextFormField(ProseEditorFormField):
    """The editor in forms; what it sends is cleaned like every other write.

    A link the cleaning would drop is refused with a message first, so that an editor who typed
    www.example.org (no https://) learns it, rather than finding the link gone.
    """

    def __init__(self, *args, **kwargs):
        kwargs["widget"] = RichTextWidget
        kwargs.setdefault("sanitize", sanitize)
        kwargs.setdefault("extensions", EDITOR_EXTENSIONS)
        super().__init__(*args, **kwargs)

    def clean(self, value):
        refused = refused_links(value)
        if refused:
            raise forms.ValidationError(
                _(
                    "A link must start with https://, http://, mailto: or / (a page of this site). "
                    "Correct or remove: %(links)s"
                ),
                code="link",
                params={"links": ", ".join(refused)},
            )
        return super().clean(value)


class RichTextField(models.TextField):
    """A TextField of rich text, cleaned by sanitize() on every write.

    pre_save() cleans the value on the instance (save(), bulk_create()); get_db_prep_save()
    cleans it again on the way to the database, which also covers QuerySet.update() and
    bulk_update(). It deconstructs as a TextField: the column is plain text, and migrations
    need not import this module.
    """

    description = _("Rich text (HTML)")

    def pre_save(self, model_instance, add):
        value = sanitize(super().pre_save(model_instance, add))
        # Not setattr(): for django-modeltranslation's untranslated field that would also write the
        # current language's column. The instance keeps what was stored.
        model_instance.__dict__[self.attname] = value
        return value

    def get_db_prep_save(self, value, connection):
        if isinstance(value, str):
            value = sanitize(value)
        return super().get_db_prep_save(value, connection)

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "django.db.models.TextField", args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": RichTextFormField, **kwargs})


# The editor's search for internal links

LINK_QUERY_MAX = 200  # characters of a query looked at
LINK_WORDS = 5  # words of it
LINK_LIMIT = 8  # records listed per kind


def link_candidates(query, language):
    """Published records whose name or title (in the language or English) holds every word of the query.

    One query per searchable kind (cicasite.core.search), on titles only, as case-insensitive regular
    expressions (~*), which the titles' trigram GIN indexes serve on PostgreSQL (icontains, UPPER(col)
    LIKE, would read every row): an archive of 100,000 meetings with long bodies answers as fast as
    a small one. The site search would rank the bodies too, which a link picker does not need. Each
    word is also tried capitalised and in capitals, for databases that fold only ASCII.
    """
    from functools import reduce
    from operator import and_, or_

    from django.db.models import Q

    from cicasite.core.search import searchable, spellings
    from cicasite.core.search_indexes import columns

    words = query.lower().split()[:LINK_WORDS]
    results = []
    with translation.override(language):
        for kind in searchable():
            names = [name for _, cols in columns(kind.model, (kind.title,), language) for name in cols]
            matches = reduce(
                and_,
                [
                    reduce(or_, [Q(**{f"{name}__iregex": re.escape(s)}) for name in names for s in spellings(word)])
                    for word in words
                ],
            )
            rows = kind.queryset().filter(matches).defer(*kind.deferred()).order_by(*kind.order)[:LINK_LIMIT]
            for row in rows:
                results.append(
                    {
                        "url": row.get_absolute_url(),
                        "title": str(getattr(row, kind.title)),
                        "kind": str(row._meta.verbose_name).capitalize(),
                        "meta": kind.meta(row),
                    }
                )
    return results


@require_GET
def link_targets(request):
    """JSON for the editor's internal-link dialog: published records matching ?q=, with their
    addresses in the language ?lang= (the body's). Served to staff only (cicasite/urls.py wraps it
    in the admin's login check)."""
    language = request.GET.get("lang") or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        return JsonResponse({"error": str(_("Unknown language."))}, status=400)
    query = request.GET.get("q", "")[:LINK_QUERY_MAX].strip()
    results = link_candidates(query, language) if len(query) >= 2 else []
    return JsonResponse({"results": results})
