"""Atom feed of initiatives, for the same filters as the list page (/initiatives/feed/?status=achieved)."""

from django.utils.translation import gettext_lazy as _

from cicasite.core.feeds import FilteredListFeed
from initiatives.views import InitiativeListView


class InitiativeFeed(FilteredListFeed):
    list_view_class = InitiativeListView
    list_url_name = "initiatives:initiative-list"
    feed_url_name = "initiatives:initiative-feed"
    title = _("CICA initiatives")
    subtitle = _(
        "CICA's initiatives: chairmanship priorities and member states' initiatives "
        "(with proposed_by=commentary, the ideas from public debate instead)."
    )

    def item_categories(self, item):
        return [*(dimension.name for dimension in item.dimensions.all()), item.get_status_display()]
