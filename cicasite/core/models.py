"""Site-wide models that belong to no single app.

- Publishable: the one definition of "public" that members, events and
  initiatives share (the editorial workflow extends it here, in one place).
- Source: the public sources that back the facts, so every record can cite them.
- Organ, SecretariatHead, Partner: how CICA works, for the /about/ page.
"""

from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, models, transaction
from django.db.models import F, Min, Q
from django.db.models.fields.files import ImageFieldFile, ImageFileDescriptor
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicasite.core import images, publishing
from cicasite.core.forms import CheckedImageFormField
from cicasite.core.validators import validate_image_file


def public_q(prefix="", now=None):
    """The one definition of "public" as a Q, optionally across a relation (prefix "member__").

    A record is public when a publisher has published it and the clock is inside its
    window: publish_at empty or past, unpublish_at empty or future. The clock is read
    here, at query time, so scheduled records appear and disappear on their own.
    """
    now = now or timezone.now()
    return (
        Q(**{f"{prefix}publication_status": Publishable.PublicationStatus.PUBLISHED})
        & (Q(**{f"{prefix}publish_at__isnull": True}) | Q(**{f"{prefix}publish_at__lte": now}))
        & (Q(**{f"{prefix}unpublish_at__isnull": True}) | Q(**{f"{prefix}unpublish_at__gt": now}))
    )


class PublishableQuerySet(models.QuerySet):
    def published(self):
        """Records the public may see. Every public view starts here."""
        return self.filter(public_q())

    def drafts(self):
        return self.filter(publication_status=Publishable.PublicationStatus.DRAFT)

    def scheduled(self):
        """Published by a publisher but waiting for their publish_at."""
        return self.filter(publication_status=Publishable.PublicationStatus.PUBLISHED, publish_at__gt=timezone.now())

    def not_public(self):
        return self.exclude(public_q())

    def visible_to(self, user):
        """Detail pages: staff who may view this model also see drafts (as a preview); others the public."""
        opts = self.model._meta
        if user.is_active and user.is_staff and user.has_perm(f"{opts.app_label}.view_{opts.model_name}"):
            return self.all()
        return self.published()


class Publishable(models.Model):
    """Abstract base for every record that is shown to the public.

    The stored status is the publisher's decision (draft or published); publish_at and
    unpublish_at bound the window in which a published record is public. "Scheduled"
    (published, publish_at in the future) and "ended" (unpublish_at past) are derived
    from the clock, never stored, so nothing has to run at those times.
    """

    class PublicationStatus(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    class State(models.TextChoices):
        """What the public sees now (derived; for lists, filters and banners)."""

        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        PUBLISHED = "published", _("Published")
        ENDED = "ended", _("Ended (unpublished on schedule)")

    publication_status = models.CharField(
        _("publication status"),
        max_length=16,
        choices=PublicationStatus,
        default=PublicationStatus.DRAFT,
        db_index=True,  # every public query filters on it
        help_text=_("Drafts are visible only in the admin; published records are public (within the dates below)."),
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        null=True,
        blank=True,
        help_text=_("Leave empty to publish at once; a future time schedules the record (status Published)."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        help_text=_("Optional: the record stops being public at this time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last changed"), auto_now=True)

    objects = PublishableQuerySet.as_manager()

    class Meta:
        abstract = True

    @staticmethod
    def window_constraint(prefix):
        """For each concrete model's Meta.constraints: unpublish_at after publish_at (clean() says it nicely)."""
        return models.CheckConstraint(
            condition=Q(publish_at__isnull=True) | Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=F("publish_at")),
            name=f"{prefix}_unpublish_after_publish",
        )

    def clean(self):
        super().clean()
        if self.publish_at and self.unpublish_at and self.unpublish_at <= self.publish_at:
            raise ValidationError({"unpublish_at": _("Unpublish at must be after publish at.")})

    @property
    def publication_state(self):
        now = timezone.now()
        if self.publication_status != Publishable.PublicationStatus.PUBLISHED:
            return Publishable.State.DRAFT
        if self.publish_at and self.publish_at > now:
            return Publishable.State.SCHEDULED
        if self.unpublish_at and self.unpublish_at <= now:
            return Publishable.State.ENDED
        return Publishable.State.PUBLISHED

    @property
    def is_published(self):
        """Public right now (the same rule as published())."""
        return self.publication_state == Publishable.State.PUBLISHED

    def readiness_warnings(self):
        """What is missing before this record should go public: warnings, never blockers."""
        warnings = []
        if hasattr(self, "summary") and not self.summary.strip():
            warnings.append(_("The summary is empty: lists and search results will show nothing under the title."))
        return warnings


def verified_field():
    # Unverified until an editor says otherwise: a new record has not been checked yet (issue 13).
    return models.BooleanField(
        _("verified"), default=False, help_text=_("Confirmed by a source independent of the first report.")
    )


def partly_verified_field():
    """Shown as "Partly verified" instead of "Verified": the research notes say which part is not confirmed."""
    return models.BooleanField(
        _("partly verified"),
        default=False,
        help_text=_("Verified, but the research notes say part of it is not confirmed yet."),
    )


def publishable_models():
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, Publishable)]


def next_publication_change(now=None):
    """The next moment (after now) at which some record appears or disappears, or None.

    Public pages may be cached until then at most: before it, published() gives the
    same answer for every model.
    """
    now = now or timezone.now()
    moments = []
    for model in publishable_models():  # one query per model
        found = model.objects.filter(publication_status=Publishable.PublicationStatus.PUBLISHED).aggregate(
            publish=Min("publish_at", filter=Q(publish_at__gt=now)),
            unpublish=Min("unpublish_at", filter=Q(unpublish_at__gt=now)),
        )
        moments += [moment for moment in found.values() if moment]
    return min(moments, default=None)


class CheckedImageDescriptor(ImageFileDescriptor):
    """Remembers the name an image had before it was replaced, so its renditions can go."""

    def __set__(self, instance, value):
        previous = instance.__dict__.get(self.field.attname)
        key = self.field.previous_name_key
        if previous is not None and key not in instance.__dict__:
            instance.__dict__[key] = getattr(previous, "name", previous) or ""
        super().__set__(instance, value)


class CheckedImageFieldFile(ImageFieldFile):
    """Every way of storing an image (a form upload, or code calling .save()) cleans it first."""

    def save(self, name, content, save=True):
        self.instance.__dict__.setdefault(self.field.previous_name_key, self.name or "")
        clean = images.clean_upload(content)
        self.instance.__dict__[self.field.clean_image_key] = clean.image  # for the renditions
        self.field.store_dimensions(self.instance, clean.width, clean.height)
        super().save(clean.name, ContentFile(clean.content), save)

    save.alters_data = True


class CheckedImageField(models.ImageField):
    """An ImageField whose uploads are checked by content (cicasite.core.validators), then cleaned.

    On save, a new upload is re-encoded without metadata under a name made from its content
    hash (cicasite.core.images), its width and height go to the two named fields of the same row,
    and its renditions are stored next to it; the renditions of the image it replaces (or
    that was cleared) are deleted. The replaced original itself is kept: a revision or a
    backup may still point at it.
    """

    attr_class = CheckedImageFieldFile
    descriptor_class = CheckedImageDescriptor

    def __init__(self, *args, stored_width_field=None, stored_height_field=None, **kwargs):
        kwargs.setdefault("validators", [validate_image_file])
        self.stored_width_field = stored_width_field
        self.stored_height_field = stored_height_field
        super().__init__(*args, **kwargs)

    @property
    def previous_name_key(self):
        return f"_{self.attname}_previous_name"

    @property
    def clean_image_key(self):
        return f"_{self.attname}_clean_image"

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if self.stored_width_field:
            kwargs["stored_width_field"] = self.stored_width_field
        if self.stored_height_field:
            kwargs["stored_height_field"] = self.stored_height_field
        return name, path, args, kwargs

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})

    def pre_save(self, model_instance, add):
        file = getattr(model_instance, self.attname)
        if file and not file._committed:
            file.save(file.name, file.file, save=False)  # cleaned by CheckedImageFieldFile.save
        previous = model_instance.__dict__.pop(self.previous_name_key, None)
        clean_image = model_instance.__dict__.pop(self.clean_image_key, None)
        if not file:
            self.store_dimensions(model_instance, None, None)
        if previous and previous != file.name:
            # Only once the row points elsewhere: a rolled-back save keeps the old image whole.
            transaction.on_commit(partial(images.delete_renditions, file.storage, previous))
        if file and clean_image is not None:
            images.make_renditions(file.storage, file.name, clean_image)
        elif file and not file.storage.exists(images.rendition_name(file.name, images.RENDITION_WIDTHS[0], "webp")):
            # A stored original without renditions: brought back by a revert (whatever the
            # history library), or its renditions were lost. One existence check per save
            # of a record with an image; never during a public request.
            try:
                self.rebuild(model_instance)
            except (OSError, SyntaxError, ValueError):
                pass  # the file itself is gone or unreadable: nothing to make renditions from
        return super().pre_save(model_instance, add)

    def store_dimensions(self, model_instance, width, height):
        if self.stored_width_field:
            setattr(model_instance, self.stored_width_field, width)
        if self.stored_height_field:
            setattr(model_instance, self.stored_height_field, height)

    def rebuild(self, model_instance):
        """Make the renditions and dimensions of the stored original again (refresh_media)."""
        file = getattr(model_instance, self.attname)
        image, _format = images.open_stored(file.storage, file.name)
        self.store_dimensions(model_instance, image.width, image.height)
        return images.make_renditions(file.storage, file.name, image)

    def picture(self, model_instance):
        """The <picture> data for templates, from stored fields only (no storage, no Pillow)."""
        return images.picture(
            getattr(model_instance, self.attname),
            getattr(model_instance, self.stored_width_field, None),
            getattr(model_instance, self.stored_height_field, None),
        )


class Source(models.Model):
    """A public source that a fact in the archive rests on (articles, official pages)."""

    code = models.CharField(
        _("code"),
        max_length=16,
        unique=True,
        help_text=_("Short identifier used in citations, for example S05."),
    )
    title = models.CharField(_("title"), max_length=500, help_text=_("Who published it and what."))
    url = models.URLField(_("address"), max_length=1000, blank=True, help_text=_("Link to the source."))
    used_for = models.TextField(_("used for"), max_length=2000, blank=True, help_text=_("Which facts it supports."))

    class Meta:
        ordering = ["code"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self):
        return f"{self.code}: {self.title}"


class Organ(models.Model):
    """A body of CICA: summit, ministerial council, secretariat, advisory councils."""

    class Kind(models.TextChoices):
        GOVERNING = "governing", _("Governing body")
        WORKING = "working", _("Working body")
        EXECUTIVE = "executive", _("Executive body")
        ADVISORY = "advisory", _("Advisory body")

    name = models.CharField(_("name"), max_length=200, help_text=_("Full name of the body."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the name."))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, help_text=_("What role it plays."))
    summary = models.TextField(
        _("summary"), max_length=2000, blank=True, help_text=_("What it does, in a few sentences.")
    )
    body = models.TextField(
        _("details"), max_length=10000, blank=True, help_text=_("Further facts, one paragraph per line.")
    )
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Order on the About page (smallest first).")
    )
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = models.TextField(_("research notes"), max_length=2000, blank=True, help_text=_("Public."))
    sources = models.ManyToManyField(Source, blank=True, verbose_name=_("sources"))

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("organ")
        verbose_name_plural = _("organs")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="organ_slug_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("about") + f"#{self.slug}"


class SecretariatHead(models.Model):
    """A head (or deputy head) of the CICA Secretariat."""

    name = models.CharField(_("name"), max_length=200, help_text=_("Full name."))
    country = models.CharField(_("country"), max_length=100, blank=True, help_text=_("Country of nationality."))
    title = models.CharField(
        _("title"), max_length=100, help_text=_("Title of the office held, e.g. Secretary General.")
    )
    is_deputy = models.BooleanField(_("deputy"), default=False, help_text=_("A deputy head."))
    start_year = models.PositiveSmallIntegerField(_("from"), null=True, blank=True)
    end_year = models.PositiveSmallIntegerField(
        _("until"), null=True, blank=True, help_text=_("Empty while in office.")
    )
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = models.TextField(_("research notes"), max_length=2000, blank=True, help_text=_("Public."))
    sources = models.ManyToManyField(Source, blank=True, related_name="secretariat_heads", verbose_name=_("sources"))

    class Meta:
        ordering = ["is_deputy", "start_year", "name"]
        verbose_name = _("secretariat head")
        verbose_name_plural = _("secretariat heads")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True)
                | models.Q(start_year__isnull=True)
                | models.Q(end_year__gte=models.F("start_year")),
                name="secretariathead_end_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.title})"


class Partner(models.Model):
    """An organisation CICA has a cooperation agreement with."""

    name = models.CharField(_("name"), max_length=300, help_text=_("Name of the organisation."))
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("partner organisation")
        verbose_name_plural = _("partner organisations")

    def __str__(self):
        return self.name


class SiteSettings(models.Model):
    """Who publishes this website: one row, edited in the admin, read by the footer, /about/ and JSON-LD.

    load_cica creates the row with a default that claims nothing beyond what the data shows;
    editors then name the real publisher. Until the row exists, pages use the same default.
    """

    ROW = 1
    # Until editors name the publisher: nothing the data does not show (no "independent", no team).
    DEFAULTS = {
        "publisher_name": {"en": "The editors of this website", "ru": "Редакция этого сайта"},
        "publisher_description": {
            "en": "This website gathers public facts about CICA from the sources cited on each page. "
            "Each record says whether a source independent of the first report has confirmed it.",
            "ru": "Сайт собирает открытые сведения о СВМДА из источников, указанных на каждой странице. "
            "У каждой записи отмечено, подтверждена ли она источником, независимым от первого сообщения.",
        },
    }

    id = models.PositiveSmallIntegerField(primary_key=True, default=ROW, editable=False)
    publisher_name = models.CharField(
        _("publisher"),
        max_length=200,
        help_text=_("Who publishes this website, as shown in the footer, on the About page and to search engines."),
    )
    publisher_description = models.TextField(
        _("about the publisher"),
        max_length=1000,
        blank=True,
        help_text=_("One or two sentences for the About page: who publishes the site and how it is compiled."),
    )
    publisher_url = models.URLField(
        _("publisher's website"), max_length=500, blank=True, help_text=_("Full address; leave empty if none.")
    )

    class Meta:
        verbose_name = _("site settings")
        verbose_name_plural = _("site settings")
        constraints = [models.CheckConstraint(condition=Q(id=1), name="sitesettings_single_row")]

    def __str__(self):
        return str(_("Site settings"))

    def save(self, *args, **kwargs):
        self.id = self.ROW
        super().save(*args, **kwargs)

    @classmethod
    def default_values(cls):
        """The default texts in every language's column (publisher_name_en, publisher_name_ru...)."""
        return {
            f"{field}_{language}": text for field, texts in cls.DEFAULTS.items() for language, text in texts.items()
        }

    @classmethod
    def current(cls):
        """The settings row, or an unsaved default (one query; never writes).

        With the database down, the default too: error pages (404, 503) render without it.
        """
        try:
            return cls.objects.filter(pk=cls.ROW).first() or cls(**cls.default_values())
        except DatabaseError:
            return cls(**cls.default_values())


class LegacyRedirect(models.Model):
    """An address of the old official site (s-cica.org) and the page that replaces it here."""

    class Kind(models.TextChoices):
        PAGE = "page", _("Page: index.php?view=page&t=<key>")
        NEWS = "news", _("News: /news_detail/?newsid=<key>")
        SPEECH = "speech", _("Speech: /speeches_detail/?id=<key>")

    kind = models.CharField(_("kind of old address"), max_length=10, choices=Kind, default=Kind.PAGE)
    key = models.CharField(
        _("old key"), max_length=200, help_text=_("The t=, newsid= or id= value of the old address.")
    )
    target = models.CharField(
        _("new address"),
        max_length=500,
        help_text=_("A path on this site, starting with a single /, e.g. /events/first-cica-summit-2002/."),
    )
    note = models.CharField(_("note"), max_length=300, blank=True, help_text=_("For editors only."))

    class Meta:
        ordering = ["kind", "key"]
        verbose_name = _("old-site redirect")
        verbose_name_plural = _("old-site redirects")
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="legacyredirect_kind_key_unique"),
            # Only paths on this site: never an open redirect to another host.
            models.CheckConstraint(
                condition=models.Q(target__startswith="/") & ~models.Q(target__startswith="//"),
                name="legacyredirect_target_is_local_path",
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.key} → {self.target}"

    def clean(self):
        super().clean()
        if not self.target.startswith("/") or self.target.startswith("//") or "\\" in self.target:
            raise ValidationError({"target": _("Give a path on this site, starting with a single /.")})
        if self.target.startswith(settings.MEDIA_URL):
            raise ValidationError({"target": _("Give the address of a page, not of an uploaded file.")})


class TranslationState(models.Model):
    """When the text of a record last changed in a language (cicasite.core.i18n keeps it on every save).

    The admin compares languages with it: a Russian text older than the English
    one is listed as outdated, so editors know which translations to revisit.
    """

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    language = models.CharField(max_length=16)
    changed_at = models.DateTimeField()

    class Meta:
        verbose_name = _("translation state")
        verbose_name_plural = _("translation states")
        constraints = [
            # The admin's "translation outdated" filter looks rows up by these three.
            models.UniqueConstraint(
                fields=["content_type", "object_id", "language"], name="translationstate_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.content_type} {self.object_id} [{self.language}] {self.changed_at:%Y-%m-%d %H:%M}"


class RecordQuerySet(models.QuerySet):
    """For rows about another record (content_type, object_id): a working copy, a review note."""

    def of(self, obj):
        from django.contrib.contenttypes.models import ContentType

        return self.filter(content_type=ContentType.objects.get_for_model(obj), object_id=obj.pk)


class WorkingCopy(models.Model):
    """An edit of a live record that the public does not see yet (cicasite.core.review).

    Holds the record and the children edited with it (a member's roles, a meeting's
    documents) as Django's serializer writes them, plus the children it removes. A
    Publisher's approval writes it over the live rows in one transaction and one revision.
    """

    class State(models.TextChoices):
        EDITING = "editing", _("Being edited")
        IN_REVIEW = "in_review", _("Waiting for review")
        SENT_BACK = "sent_back", _("Sent back for changes")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    object_repr = models.CharField(_("record"), max_length=300, help_text=_("The record's name when last saved."))
    state = models.CharField(_("state"), max_length=16, choices=State, default=State.EDITING)
    data = models.JSONField(_("content"), default=dict, help_text=_("The edited rows, serialised."))
    base = models.JSONField(
        _("live version it started from"), default=dict, help_text=_("Fingerprints of the live fields.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("started by"),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("last saved by"),
    )
    created_at = models.DateTimeField(_("started"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last saved"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["-updated_at"]
        verbose_name = _("working copy")
        verbose_name_plural = _("working copies")
        permissions = [("approve_workingcopy", _("Can approve working copies and publish reference records"))]
        constraints = [
            # One working copy per record: every editor works on the same pending version.
            models.UniqueConstraint(fields=["content_type", "object_id"], name="workingcopy_one_per_record"),
        ]
        indexes = [
            # The admin index's review queue: WorkingCopy.objects.filter(state=...).
            models.Index(fields=["state", "-updated_at"], name="workingcopy_state_idx"),
        ]

    def __str__(self):
        return f"{self.object_repr} ({self.get_state_display()})"

    def get_absolute_url(self):
        opts = self.content_type.model_class()._meta
        return reverse(f"admin:{opts.app_label}_{opts.model_name}_review", args=[self.object_id])


class ReviewNote(models.Model):
    """One step in the review of a record: a submission, a comment, a send-back, an approval."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted for review")
        COMMENTED = "commented", _("Commented")
        SENT_BACK = "sent_back", _("Sent back for changes")
        APPROVED = "approved", _("Approved and published")
        DISCARDED = "discarded", _("Working copy discarded")
        RESTORED = "restored", _("Old revision restored into the working copy")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    action = models.CharField(_("action"), max_length=16, choices=Action)
    text = models.TextField(_("comment"), max_length=5000, blank=True, help_text=_("What the reviewer should know."))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("by"),
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    objects = RecordQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("review note")
        verbose_name_plural = _("review notes")
        indexes = [
            # The review page: a record's notes in order.
            models.Index(fields=["content_type", "object_id", "created_at"], name="reviewnote_record_idx"),
        ]

    def __str__(self):
        return f"{self.get_action_display()} ({self.created_at:%Y-%m-%d %H:%M})"


# Public content (cicasite.core.publishing). A source shows only once a public record cites it,
# and citing it is a change to that record; organs, heads, partners and redirects are public at once.
publishing.govern(Source, live_when_new=False)
publishing.govern(Organ)
publishing.govern(SecretariatHead)
publishing.govern(Partner)
publishing.govern(LegacyRedirect)
publishing.govern(SiteSettings)
