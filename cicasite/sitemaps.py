"""The site's sitemap sections: its own pages, then every app's records (served from cicasite.urls)."""

from django.urls import reverse

from cicasite.core.sitemaps import SiteUrlSitemap
from events.sitemaps import DocumentSitemap, EventSitemap
from initiatives.sitemaps import IdeaSitemap, InitiativeSitemap
from members.sitemaps import DimensionSitemap, MemberSitemap


class PagesSitemap(SiteUrlSitemap):
    changefreq = "weekly"

    def items(self):
        return [
            "home",
            "about",
            "timeline",
            "data",
            "members:member-list",
            "members:dimension-list",
            "events:event-list",
            "events:document-list",
            "initiatives:initiative-list",
        ]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": PagesSitemap,
    "members": MemberSitemap,
    "dimensions": DimensionSitemap,
    "events": EventSitemap,
    "documents": DocumentSitemap,
    "initiatives": InitiativeSitemap,
    "ideas": IdeaSitemap,
}
