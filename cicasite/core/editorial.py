"""The editorial workflow in the admin: roles, history with compare and revert, no lost updates.

- Roles: an Editor (group, migration cicasite 0006) writes drafts; a Publisher also has
  `<app>.publish_<model>` and may publish, schedule, unpublish and delete published
  records. The rule is enforced on the server, in form validation, the bulk actions and
  delete permission; the admin's buttons are only a convenience.
- History: django-reversion keeps a revision per admin save (with inline children, such
  as a member's roles or a meeting's documents). The history page lists who changed what
  and when; any revision can be compared field by field with the current record and
  restored in one click, which itself becomes a new revision.
- No lost updates: the change form carries a signed snapshot of the record as it was when
  the form was opened. On save the row is re-read under a lock, inside the admin's
  transaction; if it changed meanwhile, the save is refused with the fields that changed.
"""

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion import create_revision, set_comment, set_user
from reversion.admin import VersionAdmin

from cicasite.core import publishing, review
from cicasite.core.admin_base import EditorialForm, ImageThumbnailInput, SafeAutocompleteMixin, admin_url
from cicasite.core.admin_lists import LargeTablePaginator, PrefetchingChangeList, RelatedListFilter, search
from cicasite.core.history import HistoryMixin
from cicasite.core.models import CheckedImageField, Publishable
from cicasite.core.status import STATE_CLASSES, Readiness

PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT


# --- The admin -------------------------------------------------------------------------


class EditorialAdmin(HistoryMixin, SafeAutocompleteMixin, VersionAdmin):
    """The admin of every governed model: the publishing rule, working copies and their review,
    history with compare and restore, no lost updates."""

    form = EditorialForm
    # Fast with a large archive (issue 13): no facet counts (each filter's counts read the whole
    # table; admins of small tables turn them on), no count of the unfiltered total, a paginator
    # that counts at most LargeTablePaginator.CAP rows, and a search that indexes serve.
    show_facets = admin.ShowFacets.NEVER
    show_full_result_count = False
    paginator = LargeTablePaginator
    list_prefetch_related = ()  # PrefetchingChangeList
    actions = ["publish", "unpublish"]
    change_form_template = "admin/cicasite/publishable_change_form.html"
    object_history_template = "admin/cicasite/object_history.html"
    history_latest_first = True
    # Image fields show what is stored: a thumbnail with its alt text.
    formfield_overrides = {CheckedImageField: {"widget": ImageThumbnailInput}}

    class Media:
        css = {"all": ["css/admin-editorial.css"]}

    @property
    def publishable(self):
        return issubclass(self.model, Publishable)

    # Roles.

    def has_publish_permission(self, request, obj=None):
        return publishing.may_publish(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and publishing.is_live(obj):
            return self.has_publish_permission(request)
        return True

    def get_actions(self, request, action_location=admin.ActionLocation.CHANGE_LIST):
        actions = super().get_actions(request, action_location=action_location)
        if not self.publishable:
            actions.pop("publish", None)
            actions.pop("unpublish", None)
        return actions

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if self.publishable:
            fields += ["created_at", "updated_at"]
            if not self.has_publish_permission(request):
                fields += list(publishing.PUBLICATION_FIELDS)  # a Publisher's decision, shown to editors
        return fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": ["edit_token"], "classes": ["hidden"]})]
        return fieldsets

    # Reversion's own revision and recover views restore old states without our rule,
    # so they are for publishers only; everyone uses compare and restore below.
    def revision_view(self, request, object_id, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().revision_view(request, object_id, version_id, extra_context)

    def recover_view(self, request, version_id, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recover_view(request, version_id, extra_context)

    def recoverlist_view(self, request, extra_context=None):
        if not self.has_publish_permission(request):
            raise PermissionDenied
        return super().recoverlist_view(request, extra_context)

    # Bulk actions.

    @admin.action(description=gettext_lazy("Publish the selected records"), permissions=["publish"])
    def publish(self, request, queryset):
        self._set_status(request, queryset.exclude(publication_status=PUBLISHED), PUBLISHED)

    @admin.action(description=gettext_lazy("Unpublish the selected records (back to draft)"), permissions=["publish"])
    def unpublish(self, request, queryset):
        self._set_status(request, queryset.exclude(publication_status=DRAFT), DRAFT)

    def _set_status(self, request, queryset, status):
        count = 0
        with transaction.atomic(), create_revision():
            set_user(request.user)
            set_comment(_("Published (bulk action).") if status == PUBLISHED else _("Unpublished (bulk action)."))
            # The changelist's queryset may join or be DISTINCT, which FOR UPDATE refuses: lock by pk.
            pks = list(queryset.values_list("pk", flat=True))
            for obj in self.model._default_manager.filter(pk__in=pks).select_for_update():
                obj.publication_status = status
                obj.save()
                self.log_change(request, obj, [{"changed": {"fields": ["publication status"]}}])
                count += 1
        if status == PUBLISHED:
            message = ngettext("%(count)d record published.", "%(count)d records published.", count)
        else:
            message = ngettext("%(count)d record unpublished.", "%(count)d records unpublished.", count)
        self.message_user(request, message % {"count": count}, messages.SUCCESS)

    # Lists.

    def get_changelist(self, request, **kwargs):
        return PrefetchingChangeList

    def get_list_filter(self, request):
        """Related-record filters read their choices in one query (RelatedListFilter)."""
        filters = []
        for spec in super().get_list_filter(request):
            if isinstance(spec, str) and self._is_relation(spec):
                spec = (spec, RelatedListFilter)
            filters.append(spec)
        return filters

    def _is_relation(self, path):
        model = self.model
        for name in path.split("__"):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:  # a lookup ("start_date__year"): Django's own filter
                return False
            if not field.is_relation:
                return False
            model = field.related_model
        return True

    # Autocompletes (cicasite.core.admin_lists.LabelledAutocompleteJsonView): what tells records apart,
    # and the relations that label reads.
    autocomplete_select_related = ()

    def autocomplete_label(self, obj):
        return str(obj)

    def get_search_results(self, request, queryset, search_term):
        fields = self.get_search_fields(request)
        if not fields or not search_term:
            return queryset, False
        return search(queryset, fields, search_term), False

    @admin.display(description=gettext_lazy("publication"), ordering="publication_status")
    def state_display(self, obj):
        state = obj.publication_state
        label = Publishable.State(state).label
        if state == Publishable.State.SCHEDULED:
            label = _("Scheduled for %(when)s") % {
                "when": date_format(timezone.localtime(obj.publish_at), "SHORT_DATETIME_FORMAT")
            }
        return format_html('<span class="state state--{}">{}</span>', STATE_CLASSES[state], label)

    # Change form: working copies of live records, readiness panel, preview link.

    def message_user(self, request, message, level=messages.INFO, *args, **kwargs):
        if getattr(request, "editing_working_copy", False) and level == messages.SUCCESS:
            message = _(
                "Saved in the working copy. The public still sees the live version; "
                "submit the changes for review when they are ready."
            )
        return super().message_user(request, message, level, *args, **kwargs)

    def log_change(self, request, obj, message):
        if getattr(request, "editing_working_copy", False):
            return None  # written inside the sandbox, rolled back: the review notes keep the story
        return super().log_change(request, obj, message)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        root = publishing.root_of(obj) if obj is not None else None
        extra = {
            "publishable": self.publishable,
            "readiness": Readiness(obj, self.publishable) if obj is not None else None,
            "publication_state": obj.publication_state if obj is not None and self.publishable else None,
            "editing_copy": False,
            **(extra_context or {}),
        }
        if root is not None:
            extra.update(working_copy=review.copy_of(root), review_url=self.review_url(root))
        if root is None or not review.needs_working_copy(request.user, root):
            request.editorial_object = obj  # the form's get_object() need not read it again
            return super().change_view(request, object_id, form_url, extra)
        # A live record, and a user who may not publish it: the form edits its working copy. The
        # sandbox wraps everything the admin does, the revision it would record included.
        if "_saveasnew" in request.POST:
            raise PermissionDenied(_("A working copy cannot be saved as a new record."))
        request.editing_working_copy = True
        extra["editing_copy"] = True
        if request.method == "GET" and extra["working_copy"] is None:
            # No copy yet: the form shows the live rows, as the sandbox would (five queries fewer).
            request.editorial_object = obj
            return super().change_view(request, object_id, form_url, extra)
        with review.editing(root, request.user) as session:
            if session.conflict and request.method == "GET":
                message = _(
                    "The working copy cannot be shown: %(reason)s The form shows the live version; saving it "
                    "replaces the working copy."
                )
                self.message_user(request, message % {"reason": session.conflict}, messages.WARNING)
            response = super().change_view(request, object_id, form_url, extra)
            if request.method == "POST" and response.status_code == 302:
                session.capture()
            if hasattr(response, "render"):
                response.render()  # inside the sandbox: the form shows the working copy
        return response

    def get_object(self, request, object_id, from_field=None):
        obj = getattr(request, "editorial_object", None)
        if request.method == "GET" and from_field is None and obj is not None and str(obj.pk) == str(object_id):
            return obj  # read a moment ago by change_view(), outside any sandbox
        return super().get_object(request, object_id, from_field)

    def delete_model(self, request, obj):
        review.forget(obj)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            review.forget(obj)
        super().delete_queryset(request, queryset)

    # Review: submit, comment, send back, approve, discard.

    def review_url(self, root):
        return admin_url(root, "review")

    def page_context(self, request, obj, title, **extra):
        """What every page of one record's (history, compare, review) gives its template."""
        return {
            **self.admin_site.each_context(request),
            "title": title,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            **extra,
        }

    def review_view(self, request, object_id):
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        root = publishing.root_of(obj)
        if root != obj:  # a child's review is its record's
            return HttpResponseRedirect(admin_url(root, "review"))
        copy = review.copy_of(obj)
        may_change = self.has_change_permission(request, obj)
        may_approve = self.has_publish_permission(request)
        change_url = admin_url(obj, "change")
        if request.method == "POST":
            return self._review_action(request, obj, copy, may_change, may_approve, change_url)
        rows, conflict = [], None
        if copy:
            try:
                rows = review.changes(copy, obj)
            except review.Conflict as error:
                conflict = str(error)
        kept, overridden = review.live_changed_since(copy, obj) if copy else ([], [])

        def labels(rows):
            return [
                f"{row} — {capfirst(row._meta.get_field(name).verbose_name)}"
                if row != obj
                else str(capfirst(row._meta.get_field(name).verbose_name))
                for row, name in rows
            ]

        context = self.page_context(
            request,
            obj,
            _("Review changes: %s") % obj,
            copy=copy,
            rows=rows,
            conflict=conflict,
            seen=review.seen_token(copy) if copy else "",
            notes=review.notes(obj),
            live_kept=labels(kept),
            live_overridden=labels(overridden),
            may_change=may_change,
            may_approve=may_approve,
            change_url=change_url,
            public_url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None,
        )
        return TemplateResponse(request, "admin/cicasite/review.html", context)

    def _review_action(self, request, obj, copy, may_change, may_approve, change_url):
        action = request.POST.get("action", "")
        text = request.POST.get("comment", "").strip()[:5000]
        here = self.review_url(obj)
        allowed = may_approve if action in ("approve", "send_back") else may_change
        if not allowed:
            raise PermissionDenied
        if copy is None and action != "comment":
            self.message_user(request, _("There is no working copy of this record any more."), messages.WARNING)
            return HttpResponseRedirect(change_url)
        if action == "submit" and may_change:
            review.submit(copy, obj, request.user, text)
            self.message_user(request, _("Submitted for review: the Publishers have been told."), messages.SUCCESS)
        elif action == "comment" and may_change and text:
            review.comment(copy, obj, request.user, text)
            self.message_user(request, _("Your comment was added."), messages.SUCCESS)
        elif action == "send_back" and may_approve:
            if not text:
                self.message_user(request, _("Say what should change before sending it back."), messages.ERROR)
                return HttpResponseRedirect(here)
            review.send_back(copy, obj, request.user, text)
            self.message_user(request, _("Sent back to the editor with your comment."), messages.SUCCESS)
        elif action == "approve" and may_approve:
            if request.POST.get("seen") != review.seen_token(copy):
                message = _(
                    "The working copy was saved again after you opened the review (by %(who)s). Nothing was "
                    "published: review what it holds now."
                ) % {"who": copy.updated_by or "—"}
                self.message_user(request, message, messages.ERROR)
                return HttpResponseRedirect(here)
            publish_new = set(request.POST.getlist("publish_new"))
            try:
                review.approve(copy, obj, request.user, publish_new=publish_new, text=text)
            except review.Conflict as error:
                message = _("Nothing was published: %(reason)s Send it back, or discard it.")
                self.message_user(request, message % {"reason": error}, messages.ERROR)
                return HttpResponseRedirect(here)
            self.message_user(request, _("Approved: the changes are public now."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        elif action == "discard" and (may_approve or (may_change and copy.created_by_id == request.user.pk)):
            review.discard(copy, obj, request.user)
            self.message_user(request, _("The working copy was discarded."), messages.SUCCESS)
            return HttpResponseRedirect(change_url)
        else:
            raise PermissionDenied
        return HttpResponseRedirect(here)

    # History, compare, restore.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/history/<int:version_id>/compare/",
                self.admin_site.admin_view(self.compare_view),
                name="{}_{}_compare".format(*info),
            ),
            path(
                "<path:object_id>/history/<int:version_id>/revert/",
                self.admin_site.admin_view(self.revert_view),
                name="{}_{}_revert".format(*info),
            ),
            path(
                "<path:object_id>/review/",
                self.admin_site.admin_view(self.review_view),
                name="{}_{}_review".format(*info),
            ),
            *super().get_urls(),
        ]
