from functools import cached_property

from django.conf import settings
from django.urls import translate_url
from django.utils import translation

from cicasite.links import absolute


def site(request):
    """The canonical site URL, for absolute links that never come from the Host header."""
    return {"SITE_URL": settings.SITE_URL}


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
