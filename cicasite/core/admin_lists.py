"""Admin lists that stay fast with a large archive (issue 13): indexed search (ILIKE on the trigram
indexes), a paginator that never counts a huge table exactly, pages read by key, related and year
filters without counts, and autocompletes that tell records apart."""

import json
from functools import cached_property, reduce
from operator import or_

from django.contrib.admin import RelatedFieldListFilter, SimpleListFilter
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import ChangeList
from django.core.paginator import Paginator
from django.db import connections, models
from django.db.models import Max, Min, lookups
from django.utils.text import smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy

SCHEDULE_FIELDS = ("publish_at", "unpublish_at")
# The "Publication" fieldset of every publishable record's change form.
PUBLICATION_FIELDS = ["publication_status", SCHEDULE_FIELDS, "created_at", "updated_at"]
# The salt of the signed edit token; its text is what it has always been, so open forms stay valid.
TOKEN_SALT = "cicasite.editorial.edit-token"


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
            # An estimate above the true count: its last page is the true last page, not an error.
            number = min(int(number), self.num_pages)
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
    read by key for the page's rows, instead of joined to every row before the sort and LIMIT; and its
    list_defer: large columns the list never shows (a document's PDF texts)."""

    def get_queryset(self, request, exclude_parameters=None):
        queryset = super().get_queryset(request, exclude_parameters)
        related = getattr(self.model_admin, "list_prefetch_related", ())
        deferred = getattr(self.model_admin, "list_defer", ())
        if deferred:
            queryset = queryset.defer(*deferred)
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
