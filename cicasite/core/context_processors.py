from functools import cached_property

from django.conf import settings
from django.urls import translate_url
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from cicasite.core.links import absolute, site_url
from cicasite.core.models import SiteSettings
from cicasite.core.pagecache import cached_data
from cicasite.core.structured_data import emblem

# OpenGraph locales (language_TERRITORY) of the site's languages; English is written British.
OG_LOCALES = {"en": "en_GB", "ru": "ru_RU"}


def og_locale(code):
    return OG_LOCALES.get(code) or translation.to_locale(code)


def current_site_settings(request=None):
    """Who publishes the site (cicasite.SiteSettings): one query per request at most, none while
    the content version's copy is cached (DATA_CACHE)."""
    if request is None:
        return cached_data("site-settings", "", SiteSettings.current)
    if not hasattr(request, "_site_settings"):
        request._site_settings = cached_data("site-settings", "", SiteSettings.current)
    return request._site_settings


def site(request):
    """The canonical site URL, for absolute links that never come from the Host header; the site
    settings (read when a template first uses them); and what link previews need on every page:
    the emblem (a page with its own image overrides og_image) and the page's OpenGraph locale with
    the others as alternates."""
    current = translation.get_language()
    return {
        "SITE_URL": site_url(),
        "site_settings": SimpleLazyObject(lambda: current_site_settings(request)),
        "og_image": emblem(),
        "og_locale": og_locale(current),
        "og_locale_alternates": [og_locale(code) for code, _name in settings.LANGUAGES if code != current],
    }


class LanguageVersions:
    """The current page in every language, for the switcher and the hreflang alternates.

    Lazy: pages that show neither (errors, feeds) do not pay for resolving the URL.
    """

    def __init__(self, request):
        self.request = request

    def _versions(self, path):
        current = translation.get_language()
        return [
            {
                "code": code,
                "name": name,
                "url": translate_url(path, code),
                "current": code == current,
            }
            for code, name in settings.LANGUAGES
        ]

    @cached_property  # the header and the language offer both read it: resolved once per page
    def switcher(self):
        """Links to this page, with its filters and page number, in each language."""
        return self._versions(self.request.get_full_path())

    @cached_property
    def alternates(self):
        """Absolute URLs of the canonical page in each language (hreflang), English first."""
        query = getattr(self.request, "canonical_query", "")  # set by list views: their filters, tidied
        path = self.request.path + (f"?{query}" if query else "")
        return [dict(v, url=absolute(v["url"])) for v in self._versions(path)]


def languages(request):
    return {"language_versions": LanguageVersions(request)}
