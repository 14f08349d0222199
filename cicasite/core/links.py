"""Absolute URLs for links that leave the page (feeds, calendars, data, sitemaps, structured data).

In production they come from the configured SITE_URL, never from the request's Host header.
In development (DEBUG) they follow the address the site is served at, so that
`make run PORT=8101` links to :8101: SiteUrlMiddleware keeps the request's scheme and
(validated) host for the time of the request. The page cache keys pages by scheme and host
(cicasite.core.pagecache.page_key), so a page rendered for one host is never served to another.
"""

from contextvars import ContextVar

from django.conf import settings

_request_origin = ContextVar("request_origin", default=None)


def site_url():
    """The site's origin without a trailing slash: SITE_URL, or in development the request's own."""
    return _request_origin.get() or settings.SITE_URL


def absolute(path):
    return f"{site_url()}{path}"


class SiteUrlMiddleware:
    """In development only, make site_url() the address this request was made to."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.DEBUG:
            return self.get_response(request)
        token = _request_origin.set(f"{request.scheme}://{request.get_host()}")  # get_host checks ALLOWED_HOSTS
        try:
            return self.get_response(request)
        finally:
            _request_origin.reset(token)
