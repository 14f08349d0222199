"""Sitemaps whose absolute URLs come from SITE_URL, never from the request's Host header."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse


class SiteUrlSitemap(Sitemap):
    limit = 5000

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class PublishedSitemap(SiteUrlSitemap):
    """Every published record of a model, with its last change as lastmod."""

    model = None

    def items(self):
        return self.model.objects.published().order_by("pk").only("pk", "slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at


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
            "initiatives:initiative-list",
        ]

    def location(self, item):
        return reverse(item)
