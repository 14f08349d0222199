from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cicasite import publishing
from cicasite.models import Publishable, PublishableQuerySet, Source
from events.models import Event
from members.models import FIRST_YEAR, Dimension, Member


class ChairmanshipQuerySet(models.QuerySet):
    def current(self):
        """The chairmanship with the latest start, or None."""
        return self.select_related("member").order_by("-start_year", "-end_year").first()


class Chairmanship(models.Model):
    """A member state's term in the chair of CICA."""

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="chairmanships", verbose_name=_("member state")
    )
    slug = models.SlugField(_("slug"), max_length=100, help_text=_("Country and years, e.g. kazakhstan-2020-2024."))
    start_year = models.PositiveSmallIntegerField(_("from"), help_text=_("Year the term began."))
    end_year = models.PositiveSmallIntegerField(
        _("until"), null=True, blank=True, help_text=_("Year the term ends or ended; empty if open.")
    )
    summary = models.TextField(_("summary"), max_length=2000, blank=True, help_text=_("How the term began and ended."))
    sources = models.ManyToManyField(Source, blank=True, related_name="chairmanships", verbose_name=_("sources"))

    objects = ChairmanshipQuerySet.as_manager()

    class Meta:
        ordering = ["-start_year"]
        verbose_name = _("chairmanship")
        verbose_name_plural = _("chairmanships")
        constraints = [
            models.UniqueConstraint(fields=["slug"], name="chairmanship_slug_unique"),
            models.CheckConstraint(
                condition=models.Q(end_year__isnull=True) | models.Q(end_year__gte=models.F("start_year")),
                name="chairmanship_end_after_start",
            ),
            models.CheckConstraint(condition=models.Q(start_year__gte=FIRST_YEAR), name="chairmanship_start_valid"),
        ]

    def __str__(self):
        return f"{self.member.name} {self.years}"

    def get_absolute_url(self):
        return reverse("initiatives:initiative-list") + f"?chairmanship={self.slug}"

    def clean(self):
        super().clean()
        if self.end_year is not None and self.start_year is not None and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("A term cannot end before it begins.")})

    @property
    def years(self):
        return f"{self.start_year}–{self.end_year or ''}"


class InitiativeQuerySet(PublishableQuerySet):
    pass


class Initiative(Publishable):
    """A proposal or programme: a chairmanship priority, a member's initiative, a commentator's idea."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        IN_PROGRESS = "in_progress", _("In progress")
        ACHIEVED = "achieved", _("Achieved")

    class ProposedBy(models.TextChoices):
        CHAIRMANSHIP = "chairmanship", _("A chairmanship")
        MEMBER = "member", _("A member state")
        COMMENTARY = "commentary", _("Commentary")

    title = models.CharField(_("title"), max_length=300, help_text=_("Name of the initiative."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the title."))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PROPOSED)
    proposed_by = models.CharField(
        _("proposed by"),
        max_length=16,
        choices=ProposedBy,
        default=ProposedBy.CHAIRMANSHIP,
        help_text=_("Who put it forward. Commentary means an analyst's proposal, not an official one."),
    )
    chairmanship = models.ForeignKey(
        Chairmanship,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="initiatives",
        verbose_name=_("chairmanship"),
    )
    lead = models.ForeignKey(
        Member,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_initiatives",
        verbose_name=_("lead member"),
        help_text=_("The member that leads it, if any."),
    )
    dimensions = models.ManyToManyField(
        Dimension, blank=True, related_name="initiatives", verbose_name=_("dimensions")
    )
    events = models.ManyToManyField(Event, blank=True, related_name="initiatives", verbose_name=_("related meetings"))
    summary = models.TextField(_("summary"), max_length=1000, blank=True, help_text=_("Shown in lists."))
    body = models.TextField(
        _("body"), max_length=20000, blank=True, help_text=_("Full text; blank lines separate paragraphs.")
    )
    verified = models.BooleanField(_("verified"), default=True)
    notes = models.TextField(_("research notes"), max_length=2000, blank=True, help_text=_("Public."))
    sources = models.ManyToManyField(Source, blank=True, related_name="initiatives", verbose_name=_("sources"))

    objects = InitiativeQuerySet.as_manager()

    class Meta:
        ordering = ["title"]
        verbose_name = _("initiative")
        verbose_name_plural = _("initiatives")
        permissions = [("publish_initiative", "Can publish, schedule, unpublish and delete published initiatives")]
        constraints = [
            Publishable.window_constraint("initiative"),
            models.UniqueConstraint(fields=["slug"], name="initiative_slug_unique"),
            models.CheckConstraint(
                condition=~models.Q(proposed_by="chairmanship") | models.Q(chairmanship__isnull=False),
                name="initiative_chairmanship_when_proposed_by_chair",
            ),
        ]
        indexes = [
            # /initiatives/ in its full order (title, pk): page 1 and every seek page (cicasite.pagination)
            # read 24 index entries instead of sorting every published initiative.
            models.Index(fields=["publication_status", "title", "id"], name="initiative_public_list_idx"),
            # The home page's initiatives of the current chairmanship (LIMIT 11, in title order).
            models.Index(
                fields=["chairmanship", "publication_status", "title", "id"], name="initiative_chair_public_idx"
            ),
            # A member's page: the initiatives it leads (LIMIT 11, in title order).
            models.Index(fields=["lead", "publication_status", "title", "id"], name="initiative_lead_public_idx"),
            # /initiatives/?status=... ordered by title
            models.Index(fields=["publication_status", "status", "title"], name="initiative_pub_status_idx"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:initiative-detail", kwargs={"slug": self.slug})

    def readiness_warnings(self):
        warnings = super().readiness_warnings()
        if not self.dimensions.exists():
            warnings.append(_("No dimension: the initiative will not appear under any dimension."))
        return warnings

    def clean(self):
        super().clean()
        if self.proposed_by == self.ProposedBy.CHAIRMANSHIP and not self.chairmanship_id:
            raise ValidationError({"chairmanship": _("Name the chairmanship that proposed it.")})


# Public content (cicasite.publishing): initiatives are Publishable; a chairmanship is public as soon as it exists.
publishing.govern(Chairmanship)
