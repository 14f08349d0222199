"""Sitemaps whose absolute URLs come from SITE_URL (cicasite.core.links), never from the request's Host header.

Every page is listed once per language (English at /..., Russian at /ru/...),
each entry with xhtml:link alternates for all languages and x-default (English),
as search engines expect for translated pages.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.db.models import QuerySet

from cicasite.core.links import site_url


class LanguagePairs:
    """(item, language) pairs over a queryset, sliced in the database.

    Django's i18n sitemap builds the list of every pair in memory, which loads
    every record on every request; this sequence counts with one COUNT and
    fetches only the records of the requested page.
    """

    def __init__(self, items, languages):
        self.items = items
        self.languages = languages

    def __len__(self):
        count = self.items.count() if isinstance(self.items, QuerySet) else len(self.items)
        return count * len(self.languages)

    def __getitem__(self, index):
        if not isinstance(index, slice) or index.start is None or index.stop is None or index.step:
            raise TypeError("LanguagePairs supports only [start:stop] slices (what the paginator asks for).")
        per_item = len(self.languages)
        first, last = index.start // per_item, -(-index.stop // per_item)
        pairs = [(item, language) for item in self.items[first:last] for language in self.languages]
        offset = index.start - first * per_item
        return pairs[offset : offset + index.stop - index.start]


class SiteUrlSitemap(Sitemap):
    # Entries per section page. Each entry carries its language alternates, so 1,000 entries are
    # about 400 KB: small enough for the page cache (1 MB at most) and quick to render cold. 5,000
    # made 2 MB pages that were rendered on every request (make bench: 2 rps at 100k).
    limit = 1000
    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return urlsplit(site_url()).scheme

    def get_domain(self, site=None):
        return urlsplit(site_url()).netloc

    def _items(self):
        # Django's private pagination hook: a test fails if it changes (tests/test_private_apis.py).
        languages = self.languages if self.languages is not None else [code for code, _ in settings.LANGUAGES]
        return LanguagePairs(self.items(), languages)


class PublishedSitemap(SiteUrlSitemap):
    """Every published record of a model, with its last change as lastmod."""

    model = None

    def items(self):
        return self.model.objects.published().order_by("pk").only("pk", "slug", "updated_at")

    def lastmod(self, obj):
        return obj.updated_at
