"""Absolute URLs for links that leave the page (feeds, calendars, data, sitemaps, structured data).

They come from the configured SITE_URL, never from the request's Host header.
"""

from django.conf import settings


def absolute(path):
    return f"{settings.SITE_URL}{path}"
