from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Prefetch
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy

from cicasite.core import dates, publishing
from cicasite.core.models import (
    Publishable,
    PublishableQuerySet,
    Source,
    partly_verified_field,
    public_q,
    research_notes_field,
    verified_field,
)
from cicasite.core.richtext import RICH_TEXT_MAX_LENGTH, RichTextField
from cicasite.core.search import SearchFields
from events.models import Event
from members.models import FIRST_YEAR, Dimension, Member


class ChairmanshipQuerySet(models.QuerySet):
    def published(self):
        """Chairmanships the public may see: a chairmanship is about its member, so it is public with it."""
        return self.filter(public_q("member__"))

    def current(self):
        """The public chairmanship with the latest start, or None."""
        return self.published().select_related("member").order_by("-start_year", "-end_year").first()


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
    verified = verified_field()
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
        return pgettext("chairmanship: the state and its years", "%(member)s %(years)s") % {
            "member": self.member.name,
            "years": self.years,
        }

    def get_absolute_url(self):
        return reverse("initiatives:initiative-list") + f"?chairmanship={self.slug}"

    def clean(self):
        super().clean()
        if self.end_year is not None and self.start_year is not None and self.end_year < self.start_year:
            raise ValidationError({"end_year": _("A term cannot end before it begins.")})

    @property
    def years(self):
        """'2020–2024' ('2020–2024 гг.' in Russian: cicasite.core.dates)."""
        return dates.years(self.start_year, self.end_year)

    @property
    def is_published(self):
        """Public right now: the same rule as ChairmanshipQuerySet.published() (needs the member loaded)."""
        return self.member.is_published


class InitiativeQuerySet(PublishableQuerySet):
    def with_public_events(self):
        """Each initiative's related meetings that are public, oldest first, as .public_events (one query)."""
        public_events = Event.objects.published().order_by("start_date", "pk")
        return self.prefetch_related(Prefetch("events", queryset=public_events, to_attr="public_events"))

    def cica_own(self):
        """CICA's own initiatives: put forward by a chairmanship or a member state (Initiative.is_cica_own)."""
        return self.exclude(proposed_by__in=Initiative.NOT_CICA)

    def public_debate(self):
        """Ideas from public debate: proposals of commentators, never counted as CICA initiatives."""
        return self.filter(proposed_by__in=Initiative.NOT_CICA)


# What Initiative records contribute to site search, and the indexes behind it (cicasite.core.search).
INITIATIVE_SEARCH = SearchFields(
    key="initiatives",
    queryset=lambda: Initiative.objects.published(),
    a=("title",),
    b=(),
    c=("summary", "body"),
    title="title",
    word_similar=("title",),
    snippet=("summary", "body"),
    order=("title",),
    unused=("notes",),
    # An idea from public debate says so instead of a status: it is not a CICA initiative.
    meta=lambda initiative: str(
        initiative.get_status_display() if initiative.is_cica_own else _("Idea from public debate")
    ),
    index="initiative",
)


class Initiative(Publishable):
    """A proposal or programme: a chairmanship priority, a member's initiative, a commentator's idea."""

    class Status(models.TextChoices):
        # Each label agrees with its noun, an initiative (Russian: инициатива реализована).
        PROPOSED = "proposed", pgettext_lazy("status of an initiative", "Proposed")
        IN_PROGRESS = "in_progress", pgettext_lazy("status of an initiative", "In progress")
        ACHIEVED = "achieved", pgettext_lazy("status of an initiative", "Achieved")

    class ProposedBy(models.TextChoices):
        CHAIRMANSHIP = "chairmanship", _("A chairmanship")
        MEMBER = "member", _("A member state")
        COMMENTARY = "commentary", _("Ideas from public debate")

    # Who puts forward ideas that are not CICA's own initiatives: the one definition, used by
    # InitiativeQuerySet.cica_own() / public_debate() and is_cica_own on every channel.
    NOT_CICA = frozenset({ProposedBy.COMMENTARY})

    title = models.CharField(_("title"), max_length=300, help_text=_("Name of the initiative."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the title."))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PROPOSED)
    proposed_by = models.CharField(
        _("proposed by"),
        max_length=16,
        choices=ProposedBy,
        default=ProposedBy.CHAIRMANSHIP,
        help_text=_(
            "Who put it forward. Ideas from public debate are commentators' proposals, not CICA initiatives: "
            "they are listed apart from CICA's own."
        ),
    )
    author = models.CharField(
        _("author"),
        max_length=300,
        blank=True,
        help_text=_("For ideas from public debate: who proposed it, e.g. the commentator and their institute."),
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
    body = RichTextField(
        _("body"),
        max_length=RICH_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Full text: paragraphs, headings, lists, links."),
    )
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="initiatives", verbose_name=_("sources"))

    objects = InitiativeQuerySet.as_manager()

    search_fields = INITIATIVE_SEARCH

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
            # /initiatives/ in its full order (title, pk): page 1 and every seek page (cicasite.core.pagination)
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
            *INITIATIVE_SEARCH.indexes(),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("initiatives:initiative-detail", kwargs={"slug": self.slug})

    @property
    def is_cica_own(self):
        """The rule of InitiativeQuerySet.cica_own() for one record."""
        return self.proposed_by not in self.NOT_CICA

    # What the readiness panel reads, loaded with the record (cicasite.core.status.Readiness).
    readiness_related = ("dimensions",)

    def readiness_warnings(self):
        warnings = super().readiness_warnings()
        if not self.dimensions.exists():
            warnings.append(_("No dimension: the initiative will not appear under any dimension."))
        return warnings

    @property
    def public_lead(self):
        """The lead member as the public may see it: None while the member is not public."""
        return self.lead if self.lead is not None and self.lead.is_published else None

    @property
    def public_chairmanship(self):
        """The chairmanship as the public may see it: None while its member is not public."""
        chairmanship = self.chairmanship
        return chairmanship if chairmanship is not None and chairmanship.is_published else None

    def clean(self):
        super().clean()
        if self.proposed_by == self.ProposedBy.CHAIRMANSHIP and not self.chairmanship_id:
            raise ValidationError({"chairmanship": _("Name the chairmanship that proposed it.")})


# Public content (cicasite.core.publishing): initiatives are Publishable; a chairmanship is public once it exists.
publishing.govern(Chairmanship)
