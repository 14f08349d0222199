"""Publishable: the one definition of "public" that members, events and initiatives share."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Min, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


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


def research_notes_field():
    # Shown with the record on the public page (and in the data files): the form says so.
    return models.TextField(
        _("research notes"),
        max_length=2000,
        blank=True,
        help_text=_(
            "How the facts were checked. Public: the site shows these notes with the record; write nothing "
            "that should stay internal."
        ),
    )


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
