import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.tasks import task
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy, slugify
from django.utils.translation import get_language_info, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from cicasite.core import dates, pdftext
from cicasite.core.i18n import current_language
from cicasite.core.media import document_upload_to
from cicasite.core.models import (
    CheckedImageField,
    Publishable,
    PublishableQuerySet,
    Source,
    partly_verified_field,
    research_notes_field,
    verified_field,
)
from cicasite.core.richtext import RICH_TEXT_MAX_LENGTH, RichTextField
from cicasite.core.search import SearchFields
from cicasite.core.search_indexes import TrigramIndex
from cicasite.core.validators import validate_pdf_file
from members.models import FIRST_YEAR, LAST_YEAR, Dimension, Member

LANGUAGE_CODES = [code for code, _name in settings.LANGUAGES]


class EventQuerySet(PublishableQuerySet):
    def upcoming(self):
        """Planned meetings, soonest first. A planned meeting stays upcoming until marked held."""
        return self.filter(status=Event.Status.PLANNED).order_by("start_date", "title")

    def past(self):
        """Held meetings, latest first."""
        return self.filter(status=Event.Status.HELD).order_by("-start_date", "title")


def place_of(online, city, country):
    """Event.place from its columns (the calendar reads rows, not instances)."""
    if online:
        if country:
            return _("Online (host: %(country)s)") % {"country": country}
        return str(_("Online"))
    return ", ".join(part for part in (city, country) if part)


def date_and_place(event):
    """A search hit's line under a meeting or document: "12 October 2022 · Astana"."""
    return " · ".join(part for part in (event.date_display, event.place) if part)


# What Event records contribute to site search, and the indexes behind it (cicasite.core.search).
EVENT_SEARCH = SearchFields(
    key="events",
    queryset=lambda: Event.objects.published(),
    a=("title",),
    b=("city", "country"),
    c=("summary", "body"),
    title="title",
    word_similar=("title",),
    snippet=("summary", "body"),
    order=("-start_date", "title"),
    unused=("notes",),
    meta=date_and_place,
    index="event",
)


class Event(Publishable):
    """A meeting: summit, ministerial council, senior officials committee, forum..."""

    class Kind(models.TextChoices):
        SUMMIT = "summit", _("Summit")
        MINISTERIAL = "ministerial", _("Ministerial Council")
        SOC = "soc", _("Senior Officials Committee")
        SWG = "swg", _("Special Working Group")
        FORUM = "forum", _("Think Tank Forum")
        OTHER = "other", _("Other meeting")
        # Not a CICA meeting: a moment of CICA's history such as the 1992 proposal at the UN.
        MILESTONE = "milestone", _("Milestone (not a CICA meeting)")

    class Status(models.TextChoices):
        # Each label agrees with its noun, a meeting (Russian: мероприятие состоялось).
        HELD = "held", pgettext_lazy("status of a meeting", "Held")
        PLANNED = "planned", pgettext_lazy("status of a meeting", "Planned")

    class Precision(models.TextChoices):
        DAY = "day", _("Day")
        MONTH = "month", _("Month")
        YEAR = "year", _("Year")

    title = models.CharField(_("title"), max_length=300, help_text=_("e.g. Sixth CICA Summit."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the title and year."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, help_text=_("Kind of meeting."))
    ordinal = models.PositiveSmallIntegerField(
        _("ordinal"), null=True, blank=True, help_text=_("Number in its series (6 for the sixth summit).")
    )
    start_date = models.DateField(
        _("date"), help_text=_("First day. When only the year or month is known, use its first day.")
    )
    date_precision = models.CharField(
        _("date known to the"),
        max_length=8,
        choices=Precision,
        default=Precision.DAY,
        help_text=_("How precisely the date is known; a year alone is shown as the year."),
    )
    end_date = models.DateField(_("last day"), null=True, blank=True, help_text=_("For meetings over several days."))
    city = models.CharField(_("city"), max_length=100, blank=True, help_text=_("Empty for online meetings."))
    online = models.BooleanField(
        _("online"), default=False, help_text=_("Held online; the country, if any, is the host's.")
    )
    country = models.CharField(_("country"), max_length=100, blank=True, help_text=_("Country of the venue."))
    host = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="hosted_events",
        verbose_name=_("host"),
        help_text=_("The member that hosted it, if any."),
    )
    status = models.CharField(_("status"), max_length=10, choices=Status, default=Status.HELD)
    summary = models.TextField(_("summary"), max_length=1000, blank=True, help_text=_("Shown in lists."))
    body = RichTextField(
        _("body"),
        max_length=RICH_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Full text: paragraphs, headings, lists, links."),
    )
    image = CheckedImageField(
        _("image"),
        upload_to="events/",
        blank=True,
        stored_width_field="image_width",
        stored_height_field="image_height",
        help_text=_("JPEG, PNG or WebP, at most 5 MB."),
    )
    image_alt = models.CharField(
        _("image alt text"), max_length=300, blank=True, help_text=_("Describes the image for screen readers.")
    )
    image_width = models.PositiveIntegerField(_("image width"), null=True, blank=True, editable=False)
    image_height = models.PositiveIntegerField(_("image height"), null=True, blank=True, editable=False)
    dimensions = models.ManyToManyField(Dimension, blank=True, related_name="events", verbose_name=_("dimensions"))
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="events", verbose_name=_("sources"))

    objects = EventQuerySet.as_manager()

    search_fields = EVENT_SEARCH

    class Meta:
        ordering = ["-start_date", "title"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        permissions = [("publish_event", "Can publish, schedule, unpublish and delete published meetings")]
        get_latest_by = "start_date"
        constraints = [
            Publishable.window_constraint("event"),
            models.UniqueConstraint(fields=["slug"], name="event_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True) | models.Q(end_date__gte=models.F("start_date")),
                name="event_end_after_start",
            ),
            models.CheckConstraint(condition=models.Q(image="") | ~models.Q(image_alt=""), name="event_image_has_alt"),
        ]
        indexes = [
            # /events/ in its full order (-start_date, title, pk): page 1 and every seek page
            # (cicasite.core.pagination) read 24 index entries and stop; ?year= is a range on start_date.
            models.Index(fields=["publication_status", "-start_date", "title", "id"], name="event_public_list_idx"),
            # A member's page: its latest hosted meetings (LIMIT 11, read in index order); and EventFilter's
            # host choices: EXISTS(a published meeting hosted by the member), one index probe each.
            models.Index(fields=["host", "publication_status", "-start_date", "id"], name="event_host_public_idx"),
            # ?kind= and ?when= (status) with the same order
            models.Index(fields=["publication_status", "kind", "-start_date"], name="event_public_kind_idx"),
            models.Index(fields=["publication_status", "status", "start_date"], name="event_public_status_idx"),
            # The home page's latest held meetings (past(): LIMIT 4 in this order). Without it PostgreSQL read
            # event_public_list_idx from the newest date and skipped every planned meeting first: 10,149 rows,
            # 4 ms, with the 100k archive's meetings planned up to 2030.
            models.Index(
                fields=["publication_status", "status", "-start_date", "title", "id"], name="event_public_past_idx"
            ),
            # /media/events/...: which meeting owns this image (cicasite.core.media.is_public)
            models.Index(fields=["image"], name="event_image_idx"),
            *EVENT_SEARCH.indexes(),
            # The admin's list (events.admin.EventAdmin.ordering): page 1, every page and the last page in
            # index order; a sort by date (start_date, -id: an incremental sort); MIN/MAX of its year filter.
            models.Index(fields=["-start_date", "-id"], name="event_admin_list_idx"),
            # The admin's list sorted by kind or status, each in the list's order within a value.
            models.Index(fields=["kind", "-start_date", "-id"], name="event_admin_kind_idx"),
            models.Index(fields=["status", "-start_date", "-id"], name="event_admin_status_idx"),
            # ... or by title (one index per language's column: -en, -ru).
            models.Index(fields=["title", "-start_date", "-id"], name="event_admin_title_idx"),
            # The admin's search (cicasite.core.admin_lists.search: city ILIKE '%x%', either language);
            # the title's is EVENT_SEARCH's event_trgm_title.
            TrigramIndex(name="event_trgm_city", field="city", languages=LANGUAGE_CODES),
            TrigramIndex(name="event_trgm_country", field="country", languages=LANGUAGE_CODES),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:event-detail", kwargs={"slug": self.slug})

    # What the readiness panel reads, loaded with the record (cicasite.core.status.Readiness).
    readiness_related = ("dimensions", "documents")

    def readiness_warnings(self):
        warnings = super().readiness_warnings()
        if self.image and not self.image_alt.strip():
            warnings.append(_("The image has no alt text."))
        if not self.dimensions.exists():
            warnings.append(_("No dimension: the meeting will not appear under any dimension."))
        if not self.documents.exists():
            warnings.append(_("No outcome documents."))
        elif not any(document.is_published for document in self.documents.all()):
            warnings.append(_("None of its outcome documents is published."))
        for document in self.documents.all():  # the PDFs' texts: unread, or read with a problem
            warnings += [format_lazy("“{}”: {}", document.title, warning) for warning in document.text_warnings()]
        return warnings

    def clean(self):
        super().clean()
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": _("The last day cannot be before the first day.")})
        if self.start_date and self.start_date > timezone.localdate() and self.status == self.Status.HELD:
            self.status = self.Status.PLANNED  # not held yet: the default "held" fits past meetings only
        for name in ("start_date", "end_date"):
            day = getattr(self, name)
            if day and not FIRST_YEAR <= day.year <= LAST_YEAR:
                raise ValidationError(
                    {name: _("Give a date from %(first)s to %(last)s.") % {"first": FIRST_YEAR, "last": LAST_YEAR}}
                )
        if self.image and not self.image_alt.strip():
            # Keyed by the English column: the admin form edits image_alt_en and image_alt_ru, not image_alt.
            raise ValidationError({"image_alt_en": _("Describe the image for people who cannot see it.")})

    @property
    def date_display(self):
        """The date with the precision it is known to, as the page's language writes it (cicasite.core.dates)."""
        if self.date_precision == self.Precision.YEAR:
            return dates.year(self.start_date)
        if self.date_precision == self.Precision.MONTH:
            return dates.month(self.start_date)
        return dates.day_range(self.start_date, self.end_date)

    @property
    def image_picture(self):
        return self._meta.get_field("image").picture(self)

    @property
    def place(self):
        """Where it took place, as lists show it: "Astana, Kazakhstan", "Online", "Online (host: Azerbaijan)"."""
        return place_of(self.online, self.city, self.country)

    @property
    def public_host(self):
        """The host as the public may see it: None while the member is not public."""
        return self.host if self.host is not None and self.host.is_published else None

    @property
    def is_upcoming(self):
        return self.status == self.Status.PLANNED


@dataclass(frozen=True)
class FileSpec:
    """The columns of one language's PDF of a Document."""

    language: str
    file: str
    size: str
    sha256: str
    text: str

    @property
    def derived(self):
        return (self.size, self.sha256, self.text)


# A Document's PDF in each language, in the site's language order.
FILES = (
    FileSpec("en", "file", "file_size", "file_sha256", "text_en"),
    FileSpec("ru", "file_ru", "file_ru_size", "file_ru_sha256", "text_ru"),
)


@dataclass(frozen=True)
class DocumentFile:
    """One PDF of a document, as pages list it (Document.files())."""

    language: str  # "en"
    language_name: str  # in its own language, as language menus name them: "English", "Русский"
    file: object  # the FieldFile: .url
    size: int | None  # bytes
    sha256: str


# The admin's words on the text of a PDF (Document.text_warnings()): {file} names the file.
FILE_LABELS = {"en": _("The English PDF"), "ru": _("The Russian PDF")}
TEXT_PENDING = _("{file}: its text is being read; until then search finds the document by its title.")
TEXT_PROBLEMS = {
    pdftext.Status.TRUNCATED: _("{file} is long; search finds the first {chars} characters of its text only."),
    pdftext.Status.NO_TEXT: _(
        "{file} has no text to read (a scan?); search finds the document by its title only. "
        "Upload a PDF with a text layer."
    ),
    pdftext.Status.ENCRYPTED: _(
        "{file} is protected by a password, so its text cannot be read; search finds the "
        "document by its title only. Upload a copy without a password."
    ),
    pdftext.Status.BROKEN: _(
        "{file} could not be read (a damaged file?); search finds the document by its title "
        "only. Export it again and upload the new file."
    ),
    pdftext.Status.TOO_SLOW: _(
        "{file} took too long to read; search finds the document by its title only. Export "
        "it again (e.g. “Save as PDF”) and upload the new file."
    ),
}


# What Document records contribute to site search, and the indexes behind it (cicasite.core.search).
DOCUMENT_SEARCH = SearchFields(
    key="documents",
    # Published documents of published meetings only (DocumentQuerySet.published).
    queryset=lambda: Document.objects.published().select_related("event"),
    # The document's own title only: a vector spanning the meeting's title (a join) was computed
    # for every document on every search (cold search at 100k meetings: 3 requests a second);
    # on its own title a GIN index serves it. The meeting is found in the meetings group.
    # The text of its PDFs at the lowest weight (text_en, text_ru: in the page's language, and English).
    a=("title",),
    b=(),
    # The document's own text (rich text an editor typed in) and the text of its PDFs, at the lowest weight:
    # their own columns, so the vector needs no join.
    c=("body", "text"),
    title="title",
    word_similar=("title",),
    # A hit in the PDF's text shows the passage; otherwise the meeting's title and the text's start.
    snippet=("event__title", "text"),
    order=("title",),
    unused=("event__summary", "event__body", "event__notes"),
    meta=lambda document: date_and_place(document.event),
    index="document",
)


def document_slug(title, year, taken=()):
    """A new document's slug: its English title's words (cut to fit) and the year, almaty-act-2002;
    -2, -3... where that is taken. The migration that gave existing documents theirs does the same."""
    words = slugify(title or "")
    base = words[:180].rstrip("-")
    if len(words) > 180 and "-" in base:
        base = base.rsplit("-", 1)[0]
    base = f"{base or 'document'}-{year}"
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


def languages_of(titles, files):
    """Document.languages from its title in each language ({code: title or None}) and its PDFs' languages."""
    return [code for code in LANGUAGE_CODES if code == settings.LANGUAGE_CODE or titles[code] or code in files]


def in_language_q(language):
    """The condition for a document to exist in a language, or None for every document.

    Every document exists in English; in another language when it has an official title in it or a PDF
    in it (a Russian text without a Russian title on record is still a Russian text)."""
    if language == settings.LANGUAGE_CODE:
        return None
    condition = models.Q(**{f"title_{language}__isnull": False})
    for spec in FILES:
        if spec.language == language:
            condition |= ~models.Q(**{spec.file: ""})
    return condition


class DocumentQuerySet(PublishableQuerySet):
    def published(self):
        """Published documents of published meetings: a document of a draft meeting is never public,
        on any channel (its page, lists, search, sitemap, feed, data, citations, its file)."""
        return super().published().filter(event__in=Event.objects.published())

    def in_language(self, language):
        """Documents that exist in a language (the language filter of /documents/)."""
        condition = in_language_q(language)
        return self.all() if condition is None else self.filter(condition)


class Document(Publishable):
    """An outcome document of a meeting: a declaration, statement, decision..."""

    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Declaration")
        STATEMENT = "statement", _("Statement")
        DECISION = "decision", _("Decision")
        ACT = "act", _("Act")
        CATALOGUE = "catalogue", _("Catalogue of CBMs")
        RULES = "rules", _("Rules and regulations")
        PLAN = "plan", _("Plan or road map")
        OTHER = "other", _("Other document")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="documents", verbose_name=_("meeting"))
    title = models.CharField(_("title"), max_length=500, help_text=_("Official title of the document."))
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        blank=True,  # save() makes one
        help_text=_(
            "ASCII, from the title and year, e.g. almaty-act-2002: the last part of the page's address. "
            "Left empty, it is made from the English title and the year."
        ),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.OTHER)
    date = models.DateField(_("date"), null=True, blank=True, help_text=_("Empty means the date of the meeting."))
    # One PDF per language (FILES below): explicit columns rather than translated ones, so that a
    # Russian page never offers the English file under a Russian label, and each file keeps its own
    # size, hash and text. `file` is the English PDF (the only one before there were two).
    file = models.FileField(
        _("PDF in English"),
        upload_to=document_upload_to,  # documents/<random>.pdf, never the uploader's name
        blank=True,
        validators=[validate_pdf_file],
        help_text=_("Optional. The English text of the document: PDF only, at most 25 MB."),
    )
    file_size = models.PositiveBigIntegerField(
        _("file size"), null=True, blank=True, editable=False, help_text=_("In bytes, measured on save.")
    )
    file_sha256 = models.CharField(
        _("SHA-256"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Hash of the exact file, computed on save, so a citation can name it."),
    )
    file_ru = models.FileField(
        _("PDF in Russian"),
        upload_to=document_upload_to,
        blank=True,
        validators=[validate_pdf_file],
        help_text=_("Optional. The Russian text of the document: PDF only, at most 25 MB."),
    )
    file_ru_size = models.PositiveBigIntegerField(
        _("file size (Russian)"), null=True, blank=True, editable=False, help_text=_("In bytes, measured on save.")
    )
    file_ru_sha256 = models.CharField(
        _("SHA-256 (Russian)"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("Hash of the exact file, computed on save, so a citation can name it."),
    )
    # The text of each PDF, read when the file is new or changed (extract_texts()), for site search.
    text_en = models.TextField(
        _("text of the English PDF"),
        blank=True,
        editable=False,
        help_text=_("Read from the PDF when it is uploaded; found by site search."),
    )
    text_ru = models.TextField(
        _("text of the Russian PDF"),
        blank=True,
        editable=False,
        help_text=_("Read from the PDF when it is uploaded; found by site search."),
    )
    text_extraction = models.JSONField(
        _("text extraction"),
        default=dict,
        blank=True,
        editable=False,
        help_text=_("Per language: the SHA-256 of the file the text was read from, and how that went."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Order on the meeting page."))
    body = RichTextField(
        _("text"),
        max_length=RICH_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("The text of the document, where we have it: paragraphs, headings, lists, links."),
    )

    objects = DocumentQuerySet.as_manager()

    search_fields = DOCUMENT_SEARCH
    # Read from the files, never edited: history, review and the lost-update check compare the files.
    untracked_fields = ("text_en", "text_ru", "text_extraction")

    class Meta:
        ordering = ["event", "position", "title"]
        verbose_name = _("outcome document")
        verbose_name_plural = _("outcome documents")
        permissions = [("publish_document", "Can publish, schedule, unpublish and delete published outcome documents")]
        constraints = [
            Publishable.window_constraint("document"),
            models.UniqueConstraint(fields=["event", "title"], name="document_title_unique_per_event"),
            # Also the index of /documents/<slug>/ and its citation downloads.
            models.UniqueConstraint(fields=["slug"], name="document_slug_unique"),
        ]
        indexes = [
            # /documents/ in its order within a meeting (-event__start_date, event, position, id), ?meeting=,
            # and the meeting page's documents: one index range per meeting.
            models.Index(fields=["event", "publication_status", "position", "id"], name="document_event_list_idx"),
            # ?kind= : the documents of a kind, then their meetings by key.
            models.Index(fields=["publication_status", "kind", "event"], name="document_public_kind_idx"),
            # ?year= on the document's own date (documents without one take their meeting's, by its date index).
            models.Index(fields=["date"], name="document_date_idx"),
            # ?language=ru: the documents with a title in that language (one index per language's column).
            models.Index(fields=["title", "event"], name="document_title_event_idx"),
            # /media/documents/...: which document owns this file (cicasite.core.media.is_public)
            models.Index(fields=["file"], name="document_file_idx"),
            models.Index(fields=["file_ru"], name="document_file_ru_idx"),  # the same for the Russian PDF
            *DOCUMENT_SEARCH.indexes(),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("events:document-detail", kwargs={"slug": self.slug})

    def readiness_warnings(self):
        warnings = []
        if not self.file and not self.file_ru:
            warnings.append(_("No file: the document is listed without a download."))
        return warnings + self.text_warnings()

    def clean(self):
        super().clean()
        if self.slug and Document.objects.filter(slug=self.slug).exclude(pk=self.pk).exists():
            raise ValidationError({"slug": _("Another document has this slug; add the year or a word.")})

    @property
    def date_display(self):
        """Its own date, else its meeting's (to the precision that one is known)."""
        return dates.day(self.date) if self.date else self.event.date_display

    @property
    def issued(self):
        """The date to cite (a date, or the meeting's start date) and how precisely it is known."""
        if self.date:
            return self.date, Event.Precision.DAY
        return self.event.start_date, self.event.date_precision

    @property
    def languages(self):
        """The languages the document exists in (the language filter of /documents/, in_language_q)."""
        files = {pdf.language for pdf in self.files()}
        return languages_of({code: getattr(self, f"title_{code}") for code in LANGUAGE_CODES}, files)

    @property
    def text(self):
        """The text of the PDF in the page's language, else of the English one (the snippet of a search hit)."""
        language = current_language()
        return getattr(self, f"text_{language}", "") or self.text_en

    def files(self):
        """The document's PDFs, in the site's language order: what pages list and link to."""
        return [
            DocumentFile(
                language=spec.language,
                language_name=get_language_info(spec.language)["name_local"],
                file=getattr(self, spec.file),
                size=getattr(self, spec.size),
                sha256=getattr(self, spec.sha256),
            )
            for spec in FILES
            if getattr(self, spec.file)
        ]

    def save(self, *args, **kwargs):
        """Give the document a slug if it has none; measure each file (size and SHA-256) when it is new,
        or was never measured; forget the text of a file that is gone. After the commit, the text of a
        new or changed file is read (extract_texts)."""
        if not self.slug:
            self.slug = self.new_slug()
            if kwargs.get("update_fields") is not None:
                kwargs["update_fields"] = {*kwargs["update_fields"], "slug"}
        extraction = dict(self.text_extraction or {})
        for spec in FILES:
            file = getattr(self, spec.file)
            if not file:
                setattr(self, spec.size, None)
                setattr(self, spec.sha256, "")
                setattr(self, spec.text, "")
                extraction.pop(spec.language, None)
            elif not file._committed or not getattr(self, spec.sha256):
                self.measure_file(spec)
        self.text_extraction = extraction
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            extra = {name for spec in FILES if spec.file in update_fields for name in spec.derived}
            if extra:
                kwargs["update_fields"] = {*update_fields, *extra, "text_extraction"}
        super().save(*args, **kwargs)
        if self.texts_to_extract():
            # After the commit, so that the file is there for whoever reads it; with the default
            # ImmediateBackend at once, with a worker backend (settings.TASKS) in the worker.
            pk = self.pk
            transaction.on_commit(lambda: extract_document_texts.enqueue(pk), using=kwargs.get("using"))

    def new_slug(self):
        title = getattr(self, f"title_{settings.LANGUAGE_CODE}", None) or self.title
        day = self.date or self.event.start_date
        base = document_slug(title, day.year)
        taken = set(Document.objects.filter(slug__startswith=base).exclude(pk=self.pk).values_list("slug", flat=True))
        return document_slug(title, day.year, taken)

    def measure_file(self, spec=None):
        spec = spec or FILES[0]
        file = getattr(self, spec.file)
        digest, size = hashlib.sha256(), 0
        file.open("rb")
        try:
            for chunk in file.chunks():
                digest.update(chunk)
                size += len(chunk)
        finally:
            if file._committed:
                file.close()
            else:
                file.seek(0)
        setattr(self, spec.size, size)
        setattr(self, spec.sha256, digest.hexdigest())

    # The text of the PDFs (cicasite.core.pdftext).

    def texts_to_extract(self, *, force=False):
        """The files whose stored text is not from them (new, changed, never read), or all with force."""
        extraction = self.text_extraction or {}
        return [
            spec
            for spec in FILES
            if getattr(self, spec.file)
            and getattr(self, spec.sha256)
            and (force or extraction.get(spec.language, {}).get("sha256") != getattr(self, spec.sha256))
        ]

    def extract_texts(self, *, force=False):
        """Read the text of each file that needs it (texts_to_extract) and store it, with how it went.

        Written with one UPDATE, only while the files are still those that were read (a file changed
        meanwhile has its own extraction queued), so neither the record's other fields nor its history
        change. Returns the languages whose text was stored."""
        done = {}
        for spec in self.texts_to_extract(force=force):
            file, sha256 = getattr(self, spec.file), getattr(self, spec.sha256)
            try:
                with file.open("rb"):
                    data = file.read()
            except OSError:
                result = pdftext.Extraction("", pdftext.Status.BROKEN)
            else:
                result = pdftext.extract(data)
            done[spec] = (sha256, result)
        if not done:
            return []
        extraction = dict(self.text_extraction or {})
        values = {}
        for spec, (sha256, result) in done.items():
            values[spec.text] = result.text
            extraction[spec.language] = {
                "sha256": sha256,
                "status": result.status,
                "pages": result.pages,
                "chars": len(result.text),
                "reader": pdftext.READER,
            }
        values["text_extraction"] = extraction
        still = {spec.sha256: sha256 for spec, (sha256, _result) in done.items()}
        if not Document.objects.filter(pk=self.pk, **still).update(**values):
            return []
        for name, value in values.items():
            setattr(self, name, value)
        return [spec.language for spec in done]

    def text_warnings(self):
        """What the admin says about the text of each PDF: not read yet, or read with a problem."""
        warnings = []
        extraction = self.text_extraction or {}
        for spec in FILES:
            if not getattr(self, spec.file):
                continue
            state = extraction.get(spec.language, {})
            if state.get("sha256") != getattr(self, spec.sha256):
                message = TEXT_PENDING
            else:
                message = TEXT_PROBLEMS.get(state.get("status"))
            if message is not None:
                warnings.append(format_lazy(message, file=FILE_LABELS[spec.language], chars=pdftext.MAX_CHARS))
        return warnings


@task
def extract_document_texts(pk):
    """Read and store the text of a document's new or changed PDFs (Document.extract_texts())."""
    document = Document.objects.filter(pk=pk).first()
    return document.extract_texts() if document is not None else []
