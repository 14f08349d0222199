"""Atom feed of initiatives, for the same filters as the list page (/initiatives/feed/?status=achieved)."""

from django.utils.translation import gettext_lazy as _

from cicasite.feeds import FilteredListFeed
from initiatives.views import InitiativeListView


class InitiativeFeed(FilteredListFeed):
    list_view_class = InitiativeListView
    list_url_name = "initiatives:initiative-list"
    feed_url_name = "initiatives:initiative-feed"
    title = _("CICA initiatives")
    subtitle = _("Initiatives and proposals in CICA: chairmanship priorities, member states' initiatives and ideas.")

    def item_categories(self, item):
        return [*(dimension.name for dimension in item.dimensions.all()), item.get_status_display()]
