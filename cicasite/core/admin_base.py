"""The admin's building blocks: safe autocompletes, the publishing rule and the edit token in forms,
inlines, and admin_url(). The editorial admin (cicasite.core.editorial) and every app's admin use them."""

import hashlib
import json
from functools import cached_property, reduce
from operator import or_

from django import forms
from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter
from django.contrib.admin.utils import quote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AdminFileWidget, AutocompleteSelect, AutocompleteSelectMultiple
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Min, lookups
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reversion.models import Version

from cicasite.core import i18n, images, publishing

SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
# The "Publication" fieldset of every publishable record's change form.
PUBLICATION_FIELDS = ["publication_status", SCHEDULE_FIELDS, "created_at", "updated_at"]
# The salt of the signed edit token; its text is what it has always been, so open forms stay valid.
TOKEN_SALT = "cicasite.core.editorial.edit-token"


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


# --- Lists that stay fast with a large archive ------------------------------------------


@models.CharField.register_lookup
@models.TextField.register_lookup
class ILike(lookups.IContains):
    """`ilike`: icontains that PostgreSQL's trigram indexes serve (`col ILIKE '%x%'`).

    Django's icontains writes `UPPER(col::text) LIKE UPPER('%x%')`, an expression no index of the
    column covers, so every admin search read the whole table. Other databases: icontains."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):
        return lookups.IContains(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", (*lhs_params, *rhs_params)


def search_condition(model, fields, term):
    """Q: `term` in any of `fields` (model field paths), each condition served by its column's index.

    A field across a relation ("event__title") becomes `event__in=<the related rows that match>`,
    not a join: each side then uses its own trigram index, and no row is repeated."""
    conditions = []
    for field in fields:
        first, _sep, rest = field.partition("__")
        if rest:
            related = model._meta.get_field(first).related_model
            matches = related._default_manager.filter(search_condition(related, [rest], term))
            conditions.append(models.Q(**{f"{first}__in": matches.values("pk")}))
        else:
            conditions.append(models.Q(**{f"{first}__ilike": term}))
    return reduce(or_, conditions)


def search(queryset, fields, search_term):
    """The admin's search: every word (or "quoted phrase") of search_term in one of fields."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        queryset = queryset.filter(search_condition(queryset.model, fields, bit))
    return queryset


class LargeTablePaginator(Paginator):
    """Counts exactly up to CAP rows and estimates beyond, so no page of a list reads the whole table.

    Django's admin paginator runs COUNT(*) over the whole (filtered) list on every page: 100,000
    meetings read per request. Here the count reads at most CAP + 1 rows; beyond that PostgreSQL's
    planner estimate is shown (`estimated` is then True; other databases count exactly). The last
    page, whose OFFSET reads the whole list anyway, counts exactly, so it is the true last page.

    Each page reads its keys first, then its rows by key: the sort and the OFFSET handle narrow rows
    (an index-only scan in the list's order), not every column of 100,000 meetings with their joins
    (sorted by host 195 -> 50 ms; the last page 400 -> 15 ms)."""

    CAP = 10_000

    estimated = False

    def countable(self):
        """The list's rows without their order; DISTINCT (a filter across a many-to-many relation) on
        the key alone, not on every column."""
        queryset = self.object_list.order_by()
        if queryset.query.distinct and not queryset.query.distinct_fields:
            queryset = queryset.values("pk")
        return queryset

    @cached_property
    def count(self):
        queryset = self.countable()
        exact = queryset[: self.CAP + 1].count()
        if exact <= self.CAP or connections[queryset.db].vendor != "postgresql":
            return exact if exact <= self.CAP else queryset.count()
        self.estimated = True
        return max(self.CAP + 1, planner_estimate(queryset))

    def page(self, number):
        if self.estimated and self.validate_number(number) >= self.num_pages:
            self.__dict__["count"] = self.countable().count()  # the last page: exact, as its OFFSET costs
            self.__dict__.pop("num_pages", None)
            self.estimated = False
        return super().page(number)

    def _get_page(self, object_list, number, paginator):
        if hasattr(object_list, "values_list"):  # a QuerySet
            keys = list(object_list.values_list("pk", flat=True))
            object_list = self.object_list.filter(pk__in=keys)  # the same order, one page of rows
        return super()._get_page(object_list, number, paginator)


def planner_estimate(queryset):
    """PostgreSQL's estimate of the number of rows of queryset (EXPLAIN, nothing is read)."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


class PrefetchingChangeList(ChangeList):
    """Reads the model admin's list_prefetch_related: a large related table (a document's meeting)
    read by key for the page's rows, instead of joined to every row before the sort and LIMIT."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        related = getattr(self.model_admin, "list_prefetch_related", ())
        return queryset.prefetch_related(*related) if related else queryset


class RelatedListFilter(RelatedFieldListFilter):
    """The related records a list filters by, read in one query: Django's choices call str() on each,
    and a name made from another record (a chairmanship's member) cost a query per choice."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin) or ()
        model = field.related_model
        names = [f.name for f in model._meta.concrete_fields if f.is_relation and not f.null]
        related = model._default_manager.order_by(*ordering)
        if names:
            related = related.select_related(*names)
        return [(obj.pk, str(obj)) for obj in related]


def year_filter(field):
    """A list filter by the year of a date field, newest first: instead of date_hierarchy, whose year
    links are a SELECT DISTINCT over the whole list; here the years are one MIN/MAX that an index of
    the field answers, and ?year= is a range on it."""

    class YearFilter(SimpleListFilter):
        title = gettext_lazy("year")
        parameter_name = "year"

        def lookups(self, request, model_admin):
            span = model_admin.model._default_manager.aggregate(first=Min(field), last=Max(field))
            if span["first"] is None:
                return []
            return [(str(year), str(year)) for year in range(span["last"].year, span["first"].year - 1, -1)]

        def queryset(self, request, queryset):
            value = self.value()
            if value and value.isascii() and value.isdigit() and len(value) == 4:  # else not a year: no filter
                return queryset.filter(**{f"{field}__year": int(value)})
            return queryset

    return YearFilter


# --- Autocompletes that tell records apart --------------------------------------------


class LabelledAutocompleteJsonView(AutocompleteJsonView):
    """Each answer labelled by its model admin's autocomplete_label() (a meeting's date and place, a
    member's status), with the relations that label reads (autocomplete_select_related) in the same
    query. cicasite.core.admin installs it as the admin site's autocomplete view."""

    def get_queryset(self):
        related = getattr(self.model_admin, "autocomplete_select_related", ())
        queryset = super().get_queryset()
        return queryset.select_related(*related) if related else queryset

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        label = getattr(self.model_admin, "autocomplete_label", None)
        if label is not None:
            result["text"] = str(label(obj))
        return result
