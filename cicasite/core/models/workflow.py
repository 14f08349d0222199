"""The editorial workflow's own rows: translation state, working copies and review notes."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
