"""The views every app builds on: the filtered, paginated list and the staff preview of a record."""

from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.views.generic import ListView

from cicasite.core import review
from cicasite.core.filters import canonical_redirect
from cicasite.core.links import absolute
from cicasite.core.pagecache import cached_data, reading
from cicasite.core.pagination import SeekPaginator
from cicasite.core.publishing import in_sandbox


def related_model(model, name):
    """The model at the other end of a relation, reverse ones included: how an app reaches the
    records of an app above it without importing it (README "Layout")."""
    return model._meta.get_field(name).related_model


class PreviewMixin:
    """For detail views whose queryset starts with visible_to(request.user).

    A record the public cannot see (draft, scheduled, ended) reaches only staff: the page
    then carries a banner saying so and is never cached or indexed. A record with a working
    copy (cicasite.core.review) is shown to staff as it will be once approved, under a "Pending
    changes" banner (?live=1 shows the live version).
    """

    pending = None

    def get(self, request, *args, **kwargs):
        if request.user.is_staff and "live" not in request.GET:
            record = self.get_object()
            copy = review.copy_of(record)
            if copy is not None:
                try:
                    self.pending = {"copy": copy, "rows": review.changes(copy, record)}
                except review.Conflict as conflict:  # shown on the live page: the copy cannot be applied
                    self.pending = {"copy": copy, "conflict": str(conflict)}
                    return super().get(request, *args, **kwargs)
                with review.preview(copy):
                    response = super().get(request, *args, **kwargs)
                    response.render()  # the queries run now, inside the preview
                return response
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if not self.object.is_published:
            context["preview"] = self.object
        if self.pending:
            context["pending"] = self.pending
        return context

    def render_to_response(self, context, **response_kwargs):
        response = super().render_to_response(context, **response_kwargs)
        if "preview" in context or "pending" in context:
            response["Cache-Control"] = "private, no-store"
            response["X-Robots-Tag"] = "noindex"
        return response


def fragment_cacheable(request):
    """Whether parts of this response may come from the data cache: what the page cache would serve
    (a GET or HEAD with no cookie at all: no member of staff, nothing in a publishing sandbox) with
    DATA_CACHE on (cicasite.core.pagecache, where every save bumps the content version)."""
    return bool(settings.DATA_CACHE and request.method in ("GET", "HEAD") and not request.COOKIES and not in_sandbox())


def content_fragments(view):
    """A view whose template keeps its main content in the data cache ({% cachedcontent %}, in
    cicasite.core.templatetags.fragments) for the requests fragment_cacheable() allows.

    Everything the view reads, from its first query to the end of its rendering, is a Reading
    (cicasite.core.pagecache.reading): a fragment kept then depends on every table the view read
    before it (the record itself, its relations) as well as on those its own rendering read, at the
    versions they had when the view began. An edit of any of them shows at once; an edit of another
    table (a member's, for a meeting page that names no member) leaves it in the cache. The response
    is rendered inside, so that a TemplateResponse's fragments are rendered while the reading lasts.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not fragment_cacheable(request):
            return view(request, *args, **kwargs)
        with reading() as request.content_reading:
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
                response.render()
        return response

    return wrapped


def filter_chips(request, form, applied):
    """Each applied filter as a removable chip: its label, its value as shown, and the address without it.

    `applied` maps the names of the valid, non-empty fields to their cleaned values; their number is
    the count on the phone's "Filters (2 active)" (templates/includes/filter_form.html).
    """
    chips = []
    for name, value in applied.items():
        field = form.fields[name]
        choices = dict(getattr(field, "choices", []) or []) if not hasattr(value, "pk") else {}
        shown = choices.get(value, value) if choices else value
        others = [(other, request.GET.get(other, "").strip()) for other in applied if other != name]
        query = urlencode(others)
        chips.append(
            {
                "label": field.label,
                "value": shown,
                "remove_url": f"{request.path}?{query}" if query else request.path,
            }
        )
    return chips


class FilteredListView(ListView):
    """A paginated list narrowed by a django-filter FilterSet from GET parameters.

    Invalid filter values never fail the page: the invalid field is ignored,
    marked in the form, and announced in a message above the results.
    """

    filterset_class = None
    paginate_by = settings.PAGE_SIZE
    paginator_class = SeekPaginator  # no OFFSET walk, no COUNT(*) per request
    page_kwarg = "page"
    # The partial of the template that shows the results ("members/member_list.html#results"), kept per
    # content version for anonymous visitors (see results_fragment()); None: always rendered.
    results_partial = None
    # What the rest of the page reads from the context, kept with the partial.
    results_context = ("canonical_url",)

    def get_base_queryset(self):
        raise NotImplementedError

    def get(self, request, *args, **kwargs):
        # A GET form submits every field, empty or not; send the visitor to the tidy, shareable
        # address (known parameters only, empty ones dropped, declared order), for good: 301.
        # Values are kept as typed, so an invalid one still gets its message.
        redirect = canonical_redirect(request, self.query_names())
        if redirect:
            return redirect
        if self.results_partial and fragment_cacheable(request):
            return self.render_to_response(self.results_fragment())
        return super().get(request, *args, **kwargs)

    def results_fragment(self):
        """The context of a page whose results come whole from the data cache (DATA_CACHE).

        The results (filter form with its counts, the page of records, pagination) are most of the
        cost of a list page when it is not served from the page cache: here they are rendered once per
        content version, language and address (the query is canonical by then), and the filters, the
        page and its records are not even looked up again until the next change. Only for requests
        the page cache would serve too (fragment_cacheable): never a member of staff, never a draft.
        An invalid page is a 404 as before, and never stored.
        """
        request = self.request
        self.object_list = None  # until render() looks them up (ListView's template names read it)

        def render():
            self.object_list = self.get_queryset()
            context = self.get_context_data()
            return {
                "html": render_to_string(self.results_partial, context, request),
                "canonical_query": request.canonical_query,
                **{name: context[name] for name in self.results_context},
            }

        entry = cached_data(f"results:{self.results_partial}", f"{get_language()} {request.get_full_path()}", render)
        request.canonical_query = entry["canonical_query"]  # for the hreflang alternates
        context = {name: entry[name] for name in self.results_context}
        return {**context, "view": self, "results_html": mark_safe(entry["html"])}  # rendered by our template

    def active_filters(self):
        return filter_chips(self.request, self.filterset.form, self.filterset.applied())

    def query_names(self):
        return [*self.filterset_class.base_filters, self.page_kwarg]

    def get_queryset(self):
        self.filterset = self.filterset_class(
            self.request.GET or None, queryset=self.get_base_queryset(), request=self.request
        )
        return self.filterset.qs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = self.filterset.form
        for name, counts in self.filterset.facet_counts().items():
            form.fields[name].widget.counts = counts
        page = context["page_obj"].number if context.get("page_obj") else None
        query = self.filterset.canonical_query(page=page)
        context["canonical_url"] = absolute(self.request.path) + (f"?{query}" if query else "")
        self.request.canonical_query = query  # for the hreflang alternates (cicasite.core.context_processors)
        invalid = [form[name] for name in form.errors] if self.filterset.is_bound else []
        context.update(
            filterset=self.filterset,
            filter_form=form,
            invalid_fields=invalid,
            active_filters=self.active_filters(),
            result_count=context["paginator"].count if context.get("paginator") else len(context["object_list"]),
        )
        return context
