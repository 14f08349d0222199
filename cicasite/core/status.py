"""A record's publication state at a glance in the admin lists, and whether it is ready to publish
(what is missing, in which language)."""

import copy

from django.contrib import admin
from django.db.models import prefetch_related_objects
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy

from cicasite.core import i18n, merge, publishing, review
from cicasite.core.models import Publishable, public_q

PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT

PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT


# --- Status at a glance ----------------------------------------------------------------


class PublicationStateFilter(admin.SimpleListFilter):
    title = gettext_lazy("publication")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return Publishable.State.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        match self.value():
            case Publishable.State.DRAFT:
                return queryset.filter(publication_status=DRAFT)
            case Publishable.State.SCHEDULED:
                return queryset.filter(publication_status=PUBLISHED, publish_at__gt=now)
            case Publishable.State.PUBLISHED:
                return queryset.filter(public_q(now=now))
            case Publishable.State.ENDED:
                return queryset.filter(publication_status=PUBLISHED, unpublish_at__lte=now)
        return queryset


STATE_CLASSES = {
    Publishable.State.DRAFT: "draft",
    Publishable.State.SCHEDULED: "scheduled",
    Publishable.State.PUBLISHED: "published",
    Publishable.State.ENDED: "ended",
}


# --- Ready to publish? -------------------------------------------------------------------


class Readiness:
    """The change form's "Before it goes public" panel: what the record lacks, and in which language.

    Read when the page is rendered, so that for a working copy (rendered inside its sandbox,
    cicasite.core.review) it describes the copy the form shows, not the live record.
    """

    def __init__(self, obj, publishable):
        self.model, self.pk, self.publishable = type(obj), obj.pk, publishable
        self.snapshot = copy.copy(obj)  # the record as read, before a form fills it with what was posted

    @cached_property
    def record(self):
        return self._warnings[0]

    @cached_property
    def languages(self):
        return self._warnings[1]

    @cached_property
    def _warnings(self):
        # With the relations the panel reads (the model's readiness_related, the children edited with
        # it) loaded in one query each, so that its checks and the children cost no query per row.
        related = dict.fromkeys([*getattr(self.model, "readiness_related", ()), *merge.followed(self.model)])
        if publishing.in_sandbox():  # a working copy is shown: its rows exist only inside the sandbox
            obj = self.model._default_manager.prefetch_related(*related).filter(pk=self.pk).first()
        else:
            obj = self.snapshot
            prefetch_related_objects([obj], *related)
        if obj is None:
            return [], []
        record = []
        if self.publishable:
            # The English columns, whatever the admin's language (no fallback); the messages stay lazy,
            # so they are shown in the admin's language.
            with translation.override(i18n.DEFAULT_LANGUAGE):
                record = list(obj.readiness_warnings())
        return record, i18n.translation_warnings(obj, review.children(obj))

    def __bool__(self):
        return bool(self.record or self.languages)
