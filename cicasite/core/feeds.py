"""Atom feeds for any filtered list: the list page's own queryset and filters, with SITE_URL links."""

from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks

from cicasite.core.context_processors import current_site_settings
from cicasite.core.filters import canonical_redirect
from cicasite.core.links import absolute

FEED_SIZE = 50


@dataclass(frozen=True)
class FilteredItems:
    queryset: QuerySet
    query: str  # the cleaned filters (valid values only, declared order), "" or "?kind=summit"
    site_settings: object = None  # cicasite.SiteSettings: who publishes the feed


class FilteredListFeed(Feed):
    """The items of a FilteredListView for the request's filters, most recently changed first.

    The list view builds the queryset and the FilterSet, so the feed shows what the list
    page shows and ignores invalid parameters the same way. `page` is the list's own.
    An untidy address (unknown or empty parameters, another order) gets a 301 to the tidy
    one, as the lists do; the feed's id and self link carry the cleaned filters.
    One Feed instance serves every request: per-request state lives in the object
    that get_object returns, never on self.
    """

    feed_type = Atom1Feed
    list_view_class = None
    list_url_name = None
    feed_url_name = None

    def author_name(self, obj):
        return obj.site_settings.publisher_name

    def __call__(self, request, *args, **kwargs):
        names = list(self.list_view_class.filterset_class.base_filters)
        return canonical_redirect(request, names) or super().__call__(request, *args, **kwargs)

    def get_object(self, request, *args, **kwargs):
        view = self.list_view_class()
        view.setup(request)
        queryset = view.get_queryset()
        query = view.filterset.canonical_query()
        return FilteredItems(queryset, f"?{query}" if query else "", current_site_settings(request))

    def items(self, obj):
        return obj.queryset.order_by("-updated_at", "-pk")[:FEED_SIZE]

    def link(self, obj):
        return absolute(reverse(self.list_url_name) + obj.query)

    def feed_url(self, obj):
        return absolute(reverse(self.feed_url_name) + obj.query)

    def feed_guid(self, obj):
        return self.feed_url(obj)

    def author_link(self, obj):
        return obj.site_settings.publisher_url or absolute(reverse("about") + "#publisher")

    def item_title(self, item):
        return item.title  # Atom titles are text: no escaping here

    def item_description(self, item):
        return linebreaks(escape(item.summary)) if item.summary else None  # Atom summary of type html

    def item_link(self, item):
        return absolute(item.get_absolute_url())

    def item_guid(self, item):
        return self.item_link(item)

    def item_updateddate(self, item):
        return item.updated_at
