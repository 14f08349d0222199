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

import hashlib

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from reversion import create_revision, set_comment, set_user
from reversion.admin import VersionAdmin
from reversion.models import Version

from cicasite import i18n, publishing, review
from cicasite.models import Publishable, public_q

PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT
SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
# The "Publication" fieldset of every publishable record's change form.
PUBLICATION_FIELDS = ["publication_status", SCHEDULE_FIELDS, "created_at", "updated_at"]
TOKEN_SALT = "cicasite.editorial.edit-token"
# Not compared for lost updates: they change on every save or never by hand.
UNTRACKED = {"id", "created_at", "updated_at"}


def can_publish(user, model):
    return publishing.may_publish(user, model)


# --- No lost updates -------------------------------------------------------------------


def tracked_fields(model):
    opts = model._meta
    # A translated field's own column only mirrors one of its languages (name_en, name_ru, ...):
    # those are the fields editors edit and see compared.
    mirrors = set(i18n.translated_fields(model))
    concrete = [f for f in opts.concrete_fields if f.name not in UNTRACKED and f.name not in mirrors]
    return concrete, list(opts.many_to_many)


def snapshot(obj, m2m_values=None):
    """A short fingerprint of every editable value of obj, per field name.

    m2m_values: the many-to-many pks to fingerprint instead of the stored ones (a deserialised copy's).
    """
    concrete, m2m = tracked_fields(type(obj))
    # An empty text is empty whether stored as NULL or "" (translation columns start as NULL).
    values = {f.name: "" if f.value_from_object(obj) in (None, "") else f.value_to_string(obj) for f in concrete}
    for field in m2m:
        if m2m_values is not None and field.name in m2m_values:
            pks = m2m_values[field.name]
        else:
            pks = getattr(obj, field.name).values_list("pk", flat=True)
        values[field.name] = ",".join(str(pk) for pk in sorted(pks))
    return {name: hashlib.sha256(value.encode()).hexdigest()[:16] for name, value in values.items()}


class EditTokenMixin(forms.ModelForm):
    """Adds the hidden edit_token and refuses a save over someone else's newer save."""

    edit_token = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["edit_token"].initial = signing.dumps(snapshot(self.instance), salt=TOKEN_SALT, compress=True)

    def clean(self):
        cleaned_data = super().clean()
        if self.instance.pk is None:
            return cleaned_data
        try:
            seen = signing.loads(cleaned_data.get("edit_token") or "", salt=TOKEN_SALT)
        except signing.BadSignature:
            raise ValidationError(
                _("This form is out of date or incomplete. Reload the page and make your changes again."),
                code="stale",
            ) from None
        model = type(self.instance)
        # Locked until the admin's transaction ends, so nobody saves between this check and our save.
        current = model._default_manager.select_for_update().get(pk=self.instance.pk)
        now = snapshot(current)
        changed = [name for name in now if seen.get(name) != now[name]]
        if changed:
            labels = [
                str(self.fields[name].label if name in self.fields else model._meta.get_field(name).verbose_name)
                for name in changed
            ]
            latest = Version.objects.get_for_object(current).select_related("revision__user").first()
            who = (latest.revision.user if latest and latest.revision.user else None) or _("Someone")
            raise ValidationError(
                _(
                    "%(who)s saved this record at %(when)s, after you opened it. Changed meanwhile: %(fields)s. "
                    "Your changes were not saved, so as not to overwrite theirs: reload the page to see their "
                    "version, then make your changes again."
                )
                % {
                    "who": who,
                    "when": date_format(timezone.localtime(current.updated_at), "DATETIME_FORMAT"),
                    "fields": ", ".join(labels),
                },
                code="lost_update",
            )
        return cleaned_data


# --- Related-record fields that survive a bad value ------------------------------------


def _is_key(field, value):
    """Whether value could be a key in field's column: "abc" or a number past 64 bits is not."""
    try:
        key = field.to_python(value)
    except ValidationError:
        return False
    return not isinstance(key, int) or -(2**63) <= key < 2**63


def _target(remote):
    name = getattr(remote, "field_name", None)  # a foreign key's target field; many-to-many: the pk
    return remote.model._meta.get_field(name) if name else remote.model._meta.pk


class SafeAutocompleteSelect(AutocompleteSelect):
    """Django's admin autocomplete looks the submitted value up to redraw the form; a value that
    is no key ("abc", 10**30) made that lookup fail with a 500 (found by the outsider attack)."""

    def optgroups(self, name, value, attr=None):
        target = _target(self.field.remote_field)
        return super().optgroups(name, [v for v in value if _is_key(target, v)], attr)


class SafeAutocompleteSelectMultiple(AutocompleteSelectMultiple):
    def optgroups(self, name, value, attr=None):
        target = _target(self.field.remote_field)
        return super().optgroups(name, [v for v in value if _is_key(target, v)], attr)


class SafeModelChoiceField(forms.ModelChoiceField):
    """A value that is no key is an invalid choice before any query (SQLite overflows on 10**30)."""

    def to_python(self, value):
        if value not in self.empty_values:
            model = self.queryset.model
            target = model._meta.get_field(self.to_field_name) if self.to_field_name else model._meta.pk
            if not _is_key(target, value):
                raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    def _check_values(self, value):
        target = self.queryset.model._meta.pk
        for pk in value:
            if not _is_key(target, pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class SafeAutocompleteMixin:
    """For model admins and inlines: related-record fields and autocompletes that answer a bad value
    with a form error."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelChoiceField)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Forms with the publishing rule ----------------------------------------------------


class PublishingRuleMixin(forms.ModelForm):
    """Says on the form, before any save, what cicasite.publishing would refuse."""

    user = publishing.SYSTEM  # set per request by the admin's get_form / get_formset

    def _post_clean(self):
        super()._post_clean()  # the instance now carries the new values
        if self.user is publishing.SYSTEM or (self.instance.pk is not None and not self.has_changed()):
            return
        reason = publishing.refusal(self.user, self.instance)
        if reason:
            self.add_error(None, ValidationError(reason, code="publish_permission"))


class PublishableInlineFormSet(forms.BaseInlineFormSet):
    user = publishing.SYSTEM

    def clean(self):
        super().clean()
        if self.user is publishing.SYSTEM:
            return
        for form in self.deleted_forms:
            if form.instance.pk is not None:
                reason = publishing.refusal(self.user, form.instance, deleting=True)
                if reason:
                    raise ValidationError(reason)


class PublishableInlineMixin(SafeAutocompleteMixin):
    """For inlines of governed children (roles, documents): the same rule on each row."""

    formset = PublishableInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        form = type("InlineForm", (PublishingRuleMixin, self.form), {"user": request.user})
        formset = super().get_formset(request, obj, form=form, **kwargs)
        formset.user = request.user
        return formset

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if not publishing.may_publish(request.user, self.model):
            fields += [f for f in publishing.PUBLICATION_FIELDS if _has_field(self.model, f)]
        return fields


def _has_field(model, name):
    return any(f.name == name for f in model._meta.concrete_fields)


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


def admin_url(obj, view, *args):
    """The admin address of one of obj's pages: admin_url(member, "review"), admin_url(member, "compare", 7)."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(obj.pk), *args])


# --- The admin -------------------------------------------------------------------------


class EditorialForm(EditTokenMixin, PublishingRuleMixin, forms.ModelForm):
    pass


class EditorialAdmin(SafeAutocompleteMixin, VersionAdmin):
    """The admin of every governed model: the publishing rule, working copies and their review,
    history with compare and restore, no lost updates."""

    form = EditorialForm
    show_facets = admin.ShowFacets.ALWAYS
    actions = ["publish", "unpublish"]
    change_form_template = "admin/cicasite/publishable_change_form.html"
    object_history_template = "admin/cicasite/object_history.html"
    history_latest_first = True

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
            "readiness": obj.readiness_warnings() if obj is not None and self.publishable else [],
            "publication_state": obj.publication_state if obj is not None and self.publishable else None,
            "editing_copy": False,
            **(extra_context or {}),
        }
        if root is not None:
            extra.update(working_copy=review.copy_of(root), review_url=self.review_url(root))
        if root is None or not review.needs_working_copy(request.user, root):
            return super().change_view(request, object_id, form_url, extra)
        # A live record, and a user who may not publish it: the form edits its working copy. The
        # sandbox wraps everything the admin does, the revision it would record included.
        if "_saveasnew" in request.POST:
            raise PermissionDenied(_("A working copy cannot be saved as a new record."))
        request.editing_working_copy = True
        extra["editing_copy"] = True
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
