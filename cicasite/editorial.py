"""The editorial workflow in the admin: roles, history with compare and revert, no lost updates.

- Roles: an Editor (group, migration cicasite 0004) writes drafts; a Publisher also has
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
from reversion.revisions import _get_options

from cicasite import i18n
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
    opts = model._meta
    return user.has_perm(f"{opts.app_label}.publish_{opts.model_name}")


def refusal_for_editor(model, original, cleaned_data, changed_data):
    """Why an editor (no publish permission) may not save this, or None.

    original: the stored row's publication fields (None for a new record).
    """
    name = model._meta.verbose_name
    if original and original["publication_status"] == PUBLISHED:
        return _(
            "This %(name)s is published (or scheduled): only a Publisher may change or delete it. "
            "Ask a Publisher to unpublish it first."
        ) % {"name": name}
    if cleaned_data.get("publication_status") == PUBLISHED:
        return _(
            "Only a Publisher may publish or schedule a %(name)s. Save it as a draft; a Publisher will publish it."
        ) % {"name": name}
    if any(field in changed_data for field in SCHEDULE_FIELDS):
        return _("Only a Publisher may set when a %(name)s is published or unpublished.") % {"name": name}
    return None


def stored_publication(model, pk):
    if pk is None:
        return None
    return model._default_manager.filter(pk=pk).values("publication_status", *SCHEDULE_FIELDS).first()


# --- No lost updates -------------------------------------------------------------------


def tracked_fields(model):
    opts = model._meta
    # A translated field's own column only mirrors one of its languages (name_en, name_ru, ...):
    # those are the fields editors edit and see compared.
    mirrors = set(i18n.translated_fields(model))
    concrete = [f for f in opts.concrete_fields if f.name not in UNTRACKED and f.name not in mirrors]
    return concrete, list(opts.many_to_many)


def snapshot(obj):
    """A short fingerprint of every editable value of obj, per field name."""
    concrete, m2m = tracked_fields(type(obj))
    # An empty text is empty whether stored as NULL or "" (translation columns start as NULL).
    values = {f.name: "" if f.value_from_object(obj) in (None, "") else f.value_to_string(obj) for f in concrete}
    for field in m2m:
        values[field.name] = ",".join(str(pk) for pk in sorted(getattr(obj, field.name).values_list("pk", flat=True)))
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


# --- Forms with the publishing rule ----------------------------------------------------


class PublishingRuleMixin(forms.ModelForm):
    may_publish = True  # set per request by the admin's get_form

    def clean(self):
        cleaned_data = super().clean()
        if not self.may_publish:
            model = type(self.instance)
            refusal = refusal_for_editor(
                model, stored_publication(model, self.instance.pk), cleaned_data, self.changed_data
            )
            if refusal:
                raise ValidationError(refusal, code="publish_permission")
        return cleaned_data


class PublishableInlineFormSet(forms.BaseInlineFormSet):
    may_publish = True

    def clean(self):
        super().clean()
        if self.may_publish:
            return
        for form in self.deleted_forms:
            original = stored_publication(self.model, form.instance.pk)
            if original and original["publication_status"] == PUBLISHED:
                raise ValidationError(
                    _("Only a Publisher may delete a published %(name)s (%(title)s).")
                    % {"name": self.model._meta.verbose_name, "title": form.instance}
                )


class PublishableInlineMixin:
    """For inlines of publishable children (documents on a meeting): the same rule."""

    formset = PublishableInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        may_publish = can_publish(request.user, self.model)
        form = type("InlineForm", (PublishingRuleMixin, self.form), {"may_publish": may_publish})
        formset = super().get_formset(request, obj, form=form, **kwargs)
        formset.may_publish = may_publish
        return formset


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


# --- The admin -------------------------------------------------------------------------


class EditorialForm(EditTokenMixin, PublishingRuleMixin, forms.ModelForm):
    pass


class EditorialAdmin(VersionAdmin):
    form = EditorialForm
    show_facets = admin.ShowFacets.ALWAYS
    actions = ["publish", "unpublish"]
    readonly_fields = ["created_at", "updated_at"]
    change_form_template = "admin/cicasite/publishable_change_form.html"
    object_history_template = "admin/cicasite/object_history.html"
    history_latest_first = True

    class Media:
        css = {"all": ["css/admin-editorial.css"]}

    # Roles.

    def has_publish_permission(self, request, obj=None):
        return can_publish(request.user, self.model)

    def has_delete_permission(self, request, obj=None):
        if not super().has_delete_permission(request, obj):
            return False
        if obj is not None and obj.publication_status == PUBLISHED:
            return self.has_publish_permission(request)
        return True

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"may_publish": self.has_publish_permission(request)})

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": ["edit_token"], "classes": ["hidden"]})]
        return fieldsets

    # Reversion's own revision and recover views restore old states without our form,
    # so they are for publishers only; editors use compare and revert below.
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

    # Change form: readiness panel and preview link.

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {
            "readiness": obj.readiness_warnings() if obj else [],
            "publication_state": obj and obj.publication_state,
            "locked_for_editor": bool(obj and obj.publication_status == PUBLISHED)
            and not self.has_publish_permission(request),
        }
        return super().change_view(request, object_id, form_url, {**extra, **(extra_context or {})})

    # History, compare, revert.

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
        for version, older in zip(versions, [*versions[1:], None], strict=True):
            changed = field_changes(self.model, older.field_dict if older else {}, version.field_dict)
            rows.append(
                {
                    "version": version,
                    "changed": [row["label"] for row in changed] if older else [_("created (first revision)")],
                    "compare_url": reverse(
                        f"admin:{self.opts.app_label}_{self.opts.model_name}_compare",
                        args=[quote(obj.pk), version.pk],
                    ),
                }
            )
        context = {
            **self.admin_site.each_context(request),
            "title": _("History: %s") % obj,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "rows": rows,
            **(extra_context or {}),
        }
        return TemplateResponse(request, self.object_history_template, context)

    def compare_view(self, request, object_id, version_id):
        obj, version = self._object_and_version(request, object_id, version_id)
        if not self.has_view_or_change_permission(request, obj):
            raise PermissionDenied
        current = current_field_dict(obj)
        context = {
            **self.admin_site.each_context(request),
            "title": _("Compare a revision of %s with the current version") % obj,
            "subtitle": None,
            "object": obj,
            "opts": self.opts,
            "version": version,
            "differences": field_changes(self.model, version.field_dict, current),
            "may_revert": self.has_change_permission(request, obj),
            "revert_url": reverse(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_revert", args=[quote(obj.pk), version.pk]
            ),
        }
        return TemplateResponse(request, "admin/cicasite/compare.html", context)

    def revert_view(self, request, object_id, version_id):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        obj, version = self._object_and_version(request, object_id, version_id)
        if not self.has_change_permission(request, obj):
            raise PermissionDenied
        change_url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[quote(obj.pk)])
        if not self.has_publish_permission(request):
            refusal = revert_refusal_for_editor(obj, version.revision)
            if refusal:
                self.message_user(request, refusal, messages.ERROR)
                return HttpResponseRedirect(change_url)
        when = date_format(timezone.localtime(version.revision.date_created), "DATETIME_FORMAT")
        with transaction.atomic():
            version.revision.revert(delete=True)
            with create_revision():
                set_user(request.user)
                set_comment(_("Reverted to the revision of %(when)s.") % {"when": when})
                restored = self.model._default_manager.get(pk=obj.pk)
                restored.save()  # a new revision (with its followed children) and a fresh updated_at
            self.log_change(request, restored, _("Reverted to the revision of %(when)s.") % {"when": when})
        self.message_user(
            request,
            _("Restored the revision of %(when)s; this is now a new revision.") % {"when": when},
            messages.SUCCESS,
        )
        return HttpResponseRedirect(change_url)


def revert_refusal_for_editor(obj, revision):
    """Why an editor may not restore this revision (it would publish, change or delete something public)."""
    restored = set()
    for version in revision.version_set.select_related("content_type"):
        model = version._model
        restored.add((model, str(version.object_id)))
        if not issubclass(model, Publishable):
            continue
        current = model._default_manager.filter(pk=version.object_id).first()
        if current is not None and not field_changes(model, version.field_dict, current_field_dict(current)):
            continue  # restoring it changes nothing
        old = version.field_dict
        changed = [f for f in SCHEDULE_FIELDS if old.get(f) != (getattr(current, f) if current else None)]
        target = {"publication_status": old.get("publication_status")}
        refusal = refusal_for_editor(model, stored_publication(model, version.object_id), target, changed)
        if refusal:
            return refusal
    # Restoring deletes followed children that the revision did not have (documents added since).
    for name in _get_options(type(obj)).follow:
        related = getattr(obj, name, None)
        for child in related.all() if hasattr(related, "all") else []:
            published = isinstance(child, Publishable) and child.publication_status == PUBLISHED
            if published and (type(child), str(child.pk)) not in restored:
                message = _("Restoring this revision would delete the published %(name)s “%(title)s”.")
                ask = _("Ask a Publisher.")  # outside the f-string, where xgettext finds it
                return f"{message % {'name': child._meta.verbose_name, 'title': child}} {ask}"
    return None


def current_field_dict(obj):
    concrete, m2m = tracked_fields(type(obj))
    values = {f.attname: getattr(obj, f.attname) for f in concrete}
    for field in m2m:
        values[field.attname] = list(getattr(obj, field.name).values_list("pk", flat=True))
    return values


def readable(field, value):
    if value in (None, "", []):
        return "—"
    if field.many_to_many:
        names = {str(pk): str(o) for pk, o in field.related_model._default_manager.in_bulk(value).items()}
        return ", ".join(sorted(names.get(str(pk), str(pk)) for pk in value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related else str(value)
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and value.tzinfo:
        return date_format(timezone.localtime(value), "DATETIME_FORMAT")
    return str(value)


def field_changes(model, before, after):
    """Field-by-field differences between two field dicts (attname -> value), readable."""
    concrete, m2m = tracked_fields(model)
    rows = []
    for field in [*concrete, *m2m]:
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
