import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cicasite.core import publishing
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

# The flags shipped with the site (static/flags/<iso code>.svg, flag-icons: scripts/build_map.py), by ISO code.
STATIC_FLAGS = frozenset(path.stem.upper() for path in (settings.BASE_DIR / "static" / "flags").glob("*.svg"))

# The first year anything CICA happened (the 1992 proposal) and a far bound.
FIRST_YEAR = 1992
LAST_YEAR = 2100


class Dimension(models.Model):
    """One of the five dimensions of confidence-building measures."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. Economic dimension."))
    short_name = models.CharField(
        _("short name"), max_length=60, help_text=_("Used in filters and badges, e.g. Economic.")
    )
    slug = models.SlugField(_("slug"), max_length=60, help_text=_("ASCII, used in URLs."))
    summary = models.TextField(
        _("summary"), max_length=2000, blank=True, help_text=_("What confidence building means here.")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Display order."))
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="dimensions", verbose_name=_("sources"))

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("dimension")
        verbose_name_plural = _("dimensions")
        constraints = [models.UniqueConstraint(fields=["slug"], name="dimension_slug_unique")]

    def __str__(self):
        return self.short_name or self.name

    def get_absolute_url(self):
        return reverse("members:dimension-detail", kwargs={"slug": self.slug})


class PriorityArea(models.Model):
    """A priority area of a dimension (e.g. Energy security in the economic dimension)."""

    dimension = models.ForeignKey(
        Dimension, on_delete=models.PROTECT, related_name="areas", verbose_name=_("dimension")
    )
    name = models.CharField(_("name"), max_length=200, help_text=_("Name of the priority area."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the name."))
    position = models.PositiveSmallIntegerField(_("position"), default=0, help_text=_("Display order."))

    class Meta:
        ordering = ["dimension__position", "position", "name"]
        verbose_name = _("priority area")
        verbose_name_plural = _("priority areas")
        constraints = [
            models.UniqueConstraint(fields=["dimension", "slug"], name="priorityarea_slug_unique_in_dimension"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.dimension.get_absolute_url() + f"#{self.slug}"


class Region(models.Model):
    """A geographic region used to group members (Central Asia, Middle East...)."""

    name = models.CharField(_("name"), max_length=100, help_text=_("e.g. Central Asia."))
    slug = models.SlugField(_("slug"), max_length=100, help_text=_("ASCII, used in the region filter."))

    class Meta:
        ordering = ["name"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [models.UniqueConstraint(fields=["slug"], name="region_slug_unique")]

    def __str__(self):
        return self.name


class MemberQuerySet(PublishableQuerySet):
    def with_role_in(self, dimension=None, role=None):
        """Members holding a role (optionally of one kind) in a dimension.

        One EXISTS subquery, so a member with several roles appears once and
        dimension and role are matched on the same role row.
        """
        roles = Role.objects.filter(member=OuterRef("pk"))
        if dimension is not None:
            roles = roles.filter(area__dimension=dimension)
        if role:
            roles = roles.filter(role=role)
        return self.filter(Exists(roles))


# What Member records contribute to site search, and the indexes behind it (cicasite.core.search).
MEMBER_SEARCH = SearchFields(
    key="members",
    queryset=lambda: Member.objects.published(),
    a=("name",),
    b=("capital", "iso_code"),
    c=("summary", "body"),
    title="name",
    similar=("name", "slug"),
    fallback=("slug",),
    snippet=("summary", "body"),
    order=("name",),
    unused=("notes",),
    meta=lambda member: " · ".join(
        str(part) for part in (member.get_status_display(), member.capital, member.iso_code) if part
    ),
    index="member",
)


class Member(Publishable):
    """A participant of CICA: a member state, an observer state or an observer organisation."""

    class Status(models.TextChoices):
        MEMBER = "member", _("Member state")
        OBSERVER_STATE = "observer_state", _("Observer state")
        OBSERVER_ORG = "observer_org", _("Observer organisation")

    name = models.CharField(_("name"), max_length=200, help_text=_("Common English name, e.g. Türkiye."))
    slug = models.SlugField(_("slug"), max_length=200, help_text=_("ASCII, from the name, e.g. turkiye."))
    status = models.CharField(
        _("status"), max_length=20, choices=Status, default=Status.MEMBER, help_text=_("Kind of participation.")
    )
    iso_code = models.CharField(
        _("ISO code"),
        max_length=2,
        blank=True,
        help_text=_("ISO 3166-1 alpha-2 code of a state, e.g. KZ. Empty for organisations."),
    )
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="members",
        verbose_name=_("region"),
    )
    joined = models.PositiveSmallIntegerField(
        _("year joined"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Year it joined in its current status; empty when not known."),
    )
    capital = models.CharField(_("capital"), max_length=100, blank=True, help_text=_("Capital city, or seat."))
    summary = models.TextField(
        _("summary"), max_length=1000, blank=True, help_text=_("One or two sentences shown in lists.")
    )
    body = RichTextField(
        _("body"),
        max_length=RICH_TEXT_MAX_LENGTH,
        blank=True,
        help_text=_("Full text: paragraphs, headings, lists, links."),
    )
    flag = CheckedImageField(
        _("flag or emblem"),
        upload_to="members/flags/",
        blank=True,
        stored_width_field="flag_width",
        stored_height_field="flag_height",
        help_text=_("JPEG, PNG or WebP, at most 5 MB. Without one, the ISO code is shown."),
    )
    flag_alt = models.CharField(
        _("flag alt text"),
        max_length=200,
        blank=True,
        help_text=_("Describes the image for screen readers, e.g. Flag of Kazakhstan."),
    )
    flag_width = models.PositiveIntegerField(_("flag width"), null=True, blank=True, editable=False)
    flag_height = models.PositiveIntegerField(_("flag height"), null=True, blank=True, editable=False)
    website = models.URLField(_("official website"), max_length=500, blank=True, help_text=_("Full address."))
    verified = verified_field()
    partly_verified = partly_verified_field()
    notes = research_notes_field()
    sources = models.ManyToManyField(Source, blank=True, related_name="members", verbose_name=_("sources"))

    objects = MemberQuerySet.as_manager()

    search_fields = MEMBER_SEARCH

    class Meta:
        ordering = ["name"]
        verbose_name = _("member")
        verbose_name_plural = _("members")
        permissions = [("publish_member", "Can publish, schedule, unpublish and delete published members")]
        constraints = [
            Publishable.window_constraint("member"),
            models.UniqueConstraint(fields=["slug"], name="member_slug_unique"),
            models.UniqueConstraint(
                fields=["iso_code"], condition=~models.Q(iso_code=""), name="member_iso_code_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=["member", "observer_state", "observer_org"]),
                name="member_status_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(joined__isnull=True) | models.Q(joined__gte=FIRST_YEAR, joined__lte=LAST_YEAR),
                name="member_joined_in_range",
            ),
            models.CheckConstraint(
                condition=models.Q(flag="") | ~models.Q(flag_alt=""),
                name="member_flag_has_alt",
            ),
        ]
        indexes = [
            # /members/?status=...&region=... (status and region filters, ordered by name)
            models.Index(fields=["publication_status", "status", "name"], name="member_public_status_idx"),
            # /media/members/flags/...: which member owns this flag (cicasite.core.media.is_public)
            models.Index(fields=["flag"], name="member_flag_idx"),
            *MEMBER_SEARCH.indexes(),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("members:member-detail", kwargs={"slug": self.slug})

    def readiness_warnings(self):
        warnings = super().readiness_warnings()
        if not self.flag and not self.flag_icon:
            warnings.append(_("No flag or emblem: lists show the letter badge instead."))
        elif not self.flag_alt.strip():
            warnings.append(_("The flag has no alt text."))
        if not self.roles.exists():
            warnings.append(_("No dimension: the member coordinates no priority area yet."))
        return warnings

    def clean(self):
        super().clean()
        if self.flag and not self.flag_alt.strip():
            # Keyed by the English column: the admin form edits flag_alt_en and flag_alt_ru, not flag_alt.
            raise ValidationError({"flag_alt_en": _("Describe the image for people who cannot see it.")})
        if self.iso_code:
            self.iso_code = self.iso_code.upper()

    @property
    def flag_picture(self):
        return self._meta.get_field("flag").picture(self)

    @property
    def flag_icon(self):
        """The static path of the shipped flag of this state (shown when no flag was uploaded), or ""."""
        return f"flags/{self.iso_code.lower()}.svg" if self.iso_code.upper() in STATIC_FLAGS else ""

    @property
    def badge_text(self):
        """What stands in for a missing flag: ISO code, abbreviation in brackets, or initials."""
        if self.iso_code:
            return self.iso_code
        abbreviation = re.search(r"\(([A-Z]{2,6})\)", self.name)
        if abbreviation:
            return abbreviation.group(1)
        words = [w for w in self.name.replace("(", " ").replace(")", " ").split() if w[:1].isupper()]
        return "".join(w[0] for w in words[:3]) or self.name[:2].upper()


class Role(models.Model):
    """A member's coordinating role in a priority area, as last reported."""

    class Kind(models.TextChoices):
        COORDINATOR = "coordinator", _("Coordinator")
        CO_COORDINATOR = "co-coordinator", _("Co-coordinator")

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="roles", verbose_name=_("member"))
    area = models.ForeignKey(
        PriorityArea, on_delete=models.CASCADE, related_name="roles", verbose_name=_("priority area")
    )
    role = models.CharField(_("role"), max_length=20, choices=Kind, help_text=_("Coordinator or co-coordinator."))
    as_of = models.PositiveSmallIntegerField(
        _("reported in"),
        null=True,
        blank=True,
        validators=[MinValueValidator(FIRST_YEAR), MaxValueValidator(LAST_YEAR)],
        help_text=_("Year the role was last reported."),
    )
    verified = models.BooleanField(_("verified"), default=False)  # unchecked until an editor says so
    sources = models.ManyToManyField(Source, blank=True, related_name="roles", verbose_name=_("sources"))

    class Meta:
        ordering = ["area__dimension__position", "area__position", "role", "member__name"]
        verbose_name = _("coordinating role")
        verbose_name_plural = _("coordinating roles")
        constraints = [
            models.UniqueConstraint(fields=["member", "area"], name="role_one_per_member_and_area"),
            models.CheckConstraint(
                condition=models.Q(role__in=["coordinator", "co-coordinator"]), name="role_kind_valid"
            ),
        ]
        indexes = [
            # /members/?dimension=...&role=...: EXISTS (role of member in areas of a dimension)
            models.Index(fields=["area", "role"], name="role_area_role_idx"),
        ]

    def __str__(self):
        return f"{self.member}: {self.get_role_display()}, {self.area}"


# Public content (cicasite.core.publishing): members are Publishable; the rest is public as soon as it exists,
# a priority area with its dimension and a role with its member.
publishing.govern(Dimension)
publishing.govern(PriorityArea, parent="dimension")
publishing.govern(Region)
publishing.govern(Role, parent="member")
