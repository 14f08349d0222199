"""Shared filtering machinery: facet counts on every list, and canonical filter URLs."""

from urllib.parse import urlencode

import django_filters
from django import forms
from django.db.models import CharField, Count, F, Value
from django.db.models.functions import Cast
from django.http import HttpResponsePermanentRedirect
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from cicasite.core.pagecache import cached_data


def tidy_query(params, names):
    """The query string of a GET form's submission, tidied: the known names only, in their order, each
    with its last value stripped, empty ones dropped. Values stay as typed: an invalid one is still
    there for the page to explain (cleaned filters, valid values only: FacetedFilterSet.canonical_query)."""
    tidy = []
    for name in names:
        values = [value.strip() for value in params.getlist(name)]
        if values and values[-1]:
            tidy.append((name, values[-1]))
    return urlencode(tidy)


def canonical_redirect(request, names):
    """A permanent redirect to the same path with the tidy query, or None when the request has it already.

    For lists, feeds, calendars and data files alike: one address per set of filters (caches, search
    engines and subscribers see one resource, not one per parameter order or stray utm_source).
    """
    tidy = tidy_query(request.GET, names)
    if tidy == request.META.get("QUERY_STRING", ""):
        return None
    return HttpResponsePermanentRedirect(f"{request.path}?{tidy}" if tidy else request.path)


class FacetSelect(forms.Select):
    """A select whose options show how many results each would give; options giving none are disabled.

    The view sets `counts` (option value -> count) before rendering. The empty option and the
    selected one are never disabled, so a visitor can always clear or keep a choice.
    """

    counts = None

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        key = str(value) if value is not None else ""
        if self.counts is not None and key != "":
            count = self.counts.get(key, 0)
            option["label"] = _("%(label)s (%(count)s)") % {"label": label, "count": count}
            if count == 0 and not selected:
                option["attrs"]["disabled"] = True
        return option

    def render(self, name, value, attrs=None, renderer=None):
        """The HTML of Django's select and option templates, built in Python.

        Two template includes per option (40 to 50 options per list page) cost about 3 ms of the
        ~20 ms a list page took to render; this is the same markup for a few hundred microseconds.
        Django renders widgets only through templates (django-filter uses Django's widgets), so no
        kept library does this; tests/cicasite/test_facet_select.py holds it to Django's markup.
        """
        widget = self.get_context(name, value, attrs)["widget"]
        parts = []
        for group_name, options, _index in widget["optgroups"]:
            rendered = format_html_join(
                "",
                '\n  <option value="{}"{}>{}</option>',
                ((option["value"], html_attrs(option["attrs"]), option["label"]) for option in options),
            )
            parts.append(
                format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group_name, rendered)
                if group_name
                else rendered
            )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], html_attrs(widget["attrs"]), mark_safe("".join(parts))
        )


def html_attrs(attrs):
    """Attributes as django/forms/widgets/attrs.html writes them: True alone, False left out, in order."""
    return mark_safe(
        "".join(
            format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
            for name, value in attrs.items()
            if value is not False
        )
    )


def count_facets(facets):
    """{facet: {value: count}} for several facets in ONE query (a UNION ALL of GROUP BYs).

    facets: {facet name: (queryset, field name or expression, what to count distinctly)}.
    """
    parts = []
    for name, (queryset, field, counted) in facets.items():
        expression = F(field) if isinstance(field, str) else field
        if hasattr(queryset, "rewrite"):
            # django-modeltranslation's values_list() loses the order of the columns, which a UNION
            # needs; nothing below names a translated field.
            queryset = queryset.rewrite(False)
        parts.append(
            queryset.order_by()
            .annotate(facet_value=Cast(expression, output_field=CharField()))
            .values("facet_value")
            # "pk": each row is one record (filters match one related row at most), so a plain count
            # does; anything else (a member over its roles) is counted distinctly.
            .annotate(facet=Value(name, output_field=CharField()), n=Count(counted, distinct=counted != "pk"))
            .values_list("facet", "facet_value", "n")
        )
    first, *others = parts
    counts = {name: {} for name in facets}
    for name, value, n in first.union(*others, all=True).order_by() if others else first:
        if value is not None:
            counts[name][value] = n
    return counts


class FacetedFilterSet(django_filters.FilterSet):
    """A FilterSet whose filters can be applied all but some, for facet counts."""

    def applied(self):
        """The valid, non-empty filter values, in the FilterSet's declared order."""
        if not self.is_bound:
            return {}
        self.form.is_valid()  # cleaned_data then holds the valid fields only
        return {name: value for name, value in self.form.cleaned_data.items() if value not in (None, "", [])}

    def queryset_without(self, *excluded):
        """The base queryset narrowed by every applied filter except the excluded ones."""
        queryset = self.queryset.all()
        for name, value in self.applied().items():
            if name not in excluded:
                queryset = self.filters[name].filter(queryset, value)
        return self.filter_extra(queryset, excluded)

    def filter_extra(self, queryset, excluded):
        """Filtering that spans several fields (hook for subclasses)."""
        return queryset

    def filter_queryset(self, queryset):
        return self.queryset_without()

    def facet_counts(self):
        """{filter name: {option value: count}}: one query for all facets, kept per content version."""
        facets = self.facets()
        if not facets:
            return {}
        key = f"{type(self).__name__}?{self.canonical_query()}"
        return self.adjust_counts(cached_data("facet-counts", key, lambda: count_facets(facets)))

    def facets(self):
        """{filter name: (queryset, field, counted field)} for count_facets (hook for subclasses)."""
        return {}

    def adjust_counts(self, counts):
        """Turn the counted values into option values where they differ (hook for subclasses)."""
        return counts

    def canonical_query(self, page=None):
        """The shareable query string: valid values only, in declared order, empty ones dropped."""
        params = []
        for name in self.applied():
            raw = self.form.data.get(name, "")
            params.append((name, raw.strip() if isinstance(raw, str) else raw))
        if page and page != 1:
            params.append(("page", page))
        return urlencode(params)
