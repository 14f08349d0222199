"""Site-wide models that belong to no single app.

- Publishable: the one definition of "public" that members, events and
  initiatives share (the editorial workflow extends it here, in one place).
- Source: the public sources that back the facts, so every record can cite them.
- Organ, SecretariatHead, Partner: how CICA works, for the /about/ page.
"""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cicasite.forms import CheckedImageFormField
from cicasite.validators import validate_image_file


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


class CheckedImageField(models.ImageField):
    """An ImageField whose uploads are checked by content (cicasite.validators)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("validators", [validate_image_file])
        super().__init__(*args, **kwargs)

    def formfield(self, **kwargs):
        return super().formfield(**{"form_class": CheckedImageFormField, **kwargs})


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
    notes = models.TextField(_("notes"), max_length=2000, blank=True, help_text=_("How sure we are."))

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
