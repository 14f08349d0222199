"""History of a record in the admin: its revisions, each compared field by field with the current
version, and restored in one click (into a working copy when the record is live; cicasite.core.review)."""

from django.contrib import messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from reversion.models import Version

from cicasite.core import publishing, review, richtext
from cicasite.core.admin_base import admin_url, tracked_fields


class HistoryMixin:
    """The history, compare and revert views of EditorialAdmin."""

    def _object_and_version(self, request, object_id, version_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        version = Version.objects.get_for_object(obj).select_related("revision__user").filter(pk=version_id).first()
        if version is None:
            raise Http404
        return obj, version

    def history_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        versions = list(Version.objects.get_for_object(obj).select_related("revision__user").order_by("-pk"))
        rows = []
        for version, older in zip(versions, [*versions[1:], None], strict=False):
            changed = field_changes(self.model, older.field_dict if older else {}, version.field_dict)
            rows.append(
                {
                    "version": version,
                    "changed": [row["label"] for row in changed] if older else [_("created (first revision)")],
                    "compare_url": admin_url(obj, "compare", version.pk),
                }
            )
        context = self.page_context(
            request,
            obj,
            _("History: %s") % obj,
            rows=rows,
            created_at=getattr(obj, "created_at", None),
            **(extra_context or {}),
        )
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id, version_id):
        obj, version = self._object_and_version(request, object_id, version_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        current = current_field_dict(obj)
        root = publishing.root_of(obj) or obj
        context = self.page_context(
            request,
            obj,
            _("Compare a revision of %s with the current version") % obj,
            version=version,
            differences=field_changes(self.model, version.field_dict, current, content_only=True),
            into_copy=publishing.is_live(root),
            may_revert=self.has_change_permission(request, obj),
            revert_url=admin_url(obj, "revert", version.pk),
        )
        return TemplateResponse(request, "admin/cicasite/compare.html", context)

    def revert_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj, version = self._object_and_version(request, object_id, version_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        root = publishing.root_of(obj) or obj
        change_url = admin_url(root, "change")
        when = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
        try:
            copy = review.restore(root, version.revision, request.user, when)
        except (PermissionDenied, review.Conflict) as refused:
            self.message_user(request, str(refused), messages.ERROR)
            return HttpResponseRedirect(change_url)
        if copy is not None:
            message = _(
                "The content of the revision of %(when)s is now in the working copy; the public still sees the "
                "live version until a Publisher approves it. Publication settings are unchanged."
            ) % {"when": when}
            self.message_user(request, message, messages.SUCCESS)
            return HttpResponseRedirect(self.review_url(root))
        self.log_change(request, root, _("Restored the content of the revision of %(when)s.") % {"when": when})
        message = _("Restored the content of the revision of %(when)s; this is now a new revision.")
        self.message_user(request, message % {"when": when}, messages.SUCCESS)
        return HttpResponseRedirect(change_url)


def current_field_dict(obj):
    concrete, m2m = tracked_fields(type(obj))
    values = {f.attname: getattr(obj, f.attname) for f in concrete}
    for field in m2m:
        values[field.attname] = list(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def describe(related):
    """A related record as a reviewer must see it: a source with the address its link will open."""
    url = getattr(related, "url", "")
    return f"{related} <{url}>" if url else str(related)


def readable(field, value):
    if value in (None, "", []):
        return "—"
    if field.many_to_many:
        names = {str(pk): describe(o) for pk, o in field.related_model._default_manager.in_bulk(value).items()}
        return ", ".join(sorted(names.get(str(pk), str(pk)) for pk in value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return describe(related) if related else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and value.tzinfo:
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(field, richtext.RichTextField):
        return richtext.to_text(value, links=True)  # the words and where each link goes, not the markup
    return str(value)


def field_changes(model, before, after, content_only=False):
    """Field-by-field differences between two field dicts (attname -> value), readable.

    content_only leaves out the publication fields, which a restore never changes.
    """
    concrete, m2m = tracked_fields(model)
    rows = []
    for field in [*concrete, *m2m]:
        if content_only and field.name in publishing.PUBLICATION_FIELDS:
            continue
        old, new = before.get(field.attname), after.get(field.attname)
        if field.many_to_many:
            old, new = sorted(old or []), sorted(new or [])
        if old in (None, "") and new in (None, ""):
            continue  # empty either way (translation columns start as NULL)
        if old != new:
            rows.append(
                {"label": capfirst(field.verbose_name), "before": readable(field, old), "after": readable(field, new)}
            )
    return rows
