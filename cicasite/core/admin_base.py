"""The admin's building blocks: safe autocompletes, the publishing rule and the edit token in forms,
inlines, and admin_url(). The editorial admin (cicasite.core.editorial) and every app's admin use them."""

import hashlib

from django import forms
from django.contrib.admin.utils import quote
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import models
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version

from cicasite.core import i18n, images, publishing

SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
# The "Publication" fieldset of every publishable record's change form.
PUBLICATION_FIELDS = ["publication_status", SCHEDULE_FIELDS, "created_at", "updated_at"]
# The salt of the signed edit token; its text is what it has always been, so open forms stay valid.
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
    # And what a model derives from another field (a document's PDF texts, read from its files).
    untracked = UNTRACKED | set(getattr(model, "untracked_fields", ()))
    concrete = [f for f in opts.concrete_fields if f.name not in untracked and f.name not in mirrors]
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

    edit_token = forms.CharField(label=gettext_lazy("edit token"), widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            # The many-to-many values the form has just read (its initial data), not read again.
            m2m = {
                field.name: [obj.pk for obj in self.initial[field.name]]
                for field in self.instance._meta.many_to_many
                if isinstance(self.initial.get(field.name), list)
            }
            token = snapshot(self.instance, m2m_values=m2m)
            self.fields["edit_token"].initial = signing.dumps(token, salt=TOKEN_SALT, compress=True)

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


class KnownChoicesMixin:
    """Django's admin autocomplete looks the submitted value up to redraw the form; a value that
    is no key ("abc", 10**30) made that lookup fail with a 500 (found by the outsider attack).

    `known` ({key: object}, set by KnownChoicesFormMixin) holds the related records the form has
    read already (a many-to-many field's initial value, an inline row's related record): their
    labels cost no query, where Django reads them again per field and per inline row."""

    known = None

    def optgroups(self, name, value, attr=None):
        target = _target(self.field.remote_field)
        value = [v for v in value if _is_key(target, v)]
        selected = [str(v) for v in value if str(v) not in self.choices.field.empty_values]
        known = self.known or {}
        if not selected or not all(key in known for key in selected):
            return super().optgroups(name, value, attr)
        options = []
        if not self.is_required and not self.allow_multiple_selected:
            options.append(self.create_option(name, "", "", False, 0))
        for key in dict.fromkeys(selected):
            label = self.choices.field.label_from_instance(known[key])
            options.append(self.create_option(name, key, label, True, len(options)))
        return [(None, options, 0)]


class SafeAutocompleteSelect(KnownChoicesMixin, AutocompleteSelect):
    pass


class SafeAutocompleteSelectMultiple(KnownChoicesMixin, AutocompleteSelectMultiple):
    pass


class KnownChoicesFormMixin(forms.BaseForm):
    """Hands each autocomplete widget the related records this form already holds (KnownChoicesMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        opts = self._meta.model._meta
        for name, field in self.fields.items():
            widget = getattr(field.widget, "widget", field.widget)  # inside RelatedFieldWidgetWrapper
            if not isinstance(widget, KnownChoicesMixin) or name in self.data:
                continue
            model_field = opts.get_field(name)
            if model_field.many_to_many:
                objs = self.initial.get(name)
                objs = objs if isinstance(objs, list) else []
            elif model_field.is_cached(self.instance):
                objs = [model_field.get_cached_value(self.instance)]
            else:
                objs = []
            widget.known = {str(obj.pk): obj for obj in objs if isinstance(obj, models.Model)}


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
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        # The selected record's label may read its relations (a chairmanship's member): in one query.
        related_admin = self.admin_site._registry.get(db_field.related_model)
        related = getattr(related_admin, "autocomplete_select_related", ())
        if field is not None and related:
            field.queryset = field.queryset.select_related(*related)
        return field

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name in self.get_autocomplete_fields(request) and "widget" not in kwargs:
            kwargs["widget"] = SafeAutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using"))
        kwargs.setdefault("form_class", SafeModelMultipleChoiceField)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


# --- Forms with the publishing rule ----------------------------------------------------


class PublishingRuleMixin(forms.ModelForm):
    """Says on the form, before any save, what cicasite.core.publishing would refuse."""

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

    def get_queryset(self, request):
        # Each row's autocompleted record (a role's priority area) read with the rows, not per row.
        queryset = super().get_queryset(request)
        fields = self.get_autocomplete_fields(request)
        related = [name for name in fields if not self.opts.get_field(name).many_to_many]
        return queryset.select_related(*related) if related else queryset

    def get_formset(self, request, obj=None, **kwargs):
        form = type("InlineForm", (KnownChoicesFormMixin, PublishingRuleMixin, self.form), {"user": request.user})
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


class ImageThumbnailInput(AdminFileWidget):
    """The admin's file input for an image, showing what is stored: a thumbnail with its alt text.

    The thumbnail is the smallest rendition (cicasite.core.images), at most 160 px wide; the alt
    text is the record's `<field>_alt` in the admin's language (every image has one, STYLE 5).
    """

    def render(self, name, value, attrs=None, renderer=None):
        html = super().render(name, value, attrs, renderer)
        picture = thumbnail(value) if self.is_initial(value) else None
        if picture is None:
            return html
        # The project's templates (templates/admin/widgets/), which the default form renderer does not read.
        return render_to_string("admin/widgets/image_thumbnail.html", {"thumbnail": picture}) + html


def thumbnail(fieldfile):
    """{url, width, height, alt} of a stored image's smallest rendition, or None without stored dimensions."""
    field, instance = getattr(fieldfile, "field", None), getattr(fieldfile, "instance", None)
    if field is None or instance is None or not fieldfile.name:
        return None
    width = getattr(instance, field.stored_width_field or "", None)
    height = getattr(instance, field.stored_height_field or "", None)
    if not width or not height:
        return None
    slot, shown = images.rendition_slots(width)[0]
    extension = images.EXTENSIONS[images.formats_for(fieldfile.name)[1]]
    return {
        "original_url": fieldfile.url,
        "url": fieldfile.storage.url(images.rendition_name(fieldfile.name, slot, extension)),
        "width": shown,
        "height": max(1, round(height * shown / width)),
        "alt": getattr(instance, f"{field.name}_alt", "") or "",
    }


def admin_url(obj, view, *args):
    """The admin address of one of obj's pages: admin_url(member, "review"), admin_url(member, "compare", 7)."""
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=[quote(obj.pk), *args])


class EditorialForm(KnownChoicesFormMixin, EditTokenMixin, PublishingRuleMixin, forms.ModelForm):
    pass
