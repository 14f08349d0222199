"""The anonymous page cache: whole public pages in the shared "pages" cache, keyed by a content version.

- Shared by every gunicorn worker and machine: Redis when CACHE_URL names it, otherwise a file-based
  cache (settings.CACHES["pages"]), never a per-process one, so an invalidation reaches every worker.
- Invalidation: one version number for all public content. Any save or delete of a model of our apps
  (and the admin's bulk publish/unpublish, which bypass signals) bumps it. Each page entry records
  the version it was rendered at and is served only while that is still the current version (both
  are read in one round trip), so every cached page is stale at once; data entries carry the version
  in their key. Publishing is rare, reading is not.
- Expiry: at most PAGE_CACHE_SECONDS, and never past the next scheduled publication change
  (next_publication_change(): the nearest future publish_at / unpublish_at).
- Only anonymous, cookie-less GET/HEAD requests are served from it, and only responses that are safe
  to share are stored (cicasite.core.middleware.AnonymousPageCacheMiddleware says which).
"""

import hashlib
import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.utils import timezone

log = logging.getLogger(__name__)

VERSION_KEY = "content-version"
# Apps whose records appear on public pages: a change to any of their models bumps the version.
CONTENT_APPS = {"cicasite", "members", "events", "initiatives"}


def page_cache():
    return caches["pages"]


def content_version():
    """The current content version (nanoseconds since the epoch of the last change, or of first use)."""
    cache = page_cache()
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, time.time_ns(), timeout=None)
        version = cache.get(VERSION_KEY)
    return version


def bump_content_version(**kwargs):
    """Make every cached page stale (a signal receiver too, hence **kwargs). Never fails the save."""
    try:
        page_cache().set(VERSION_KEY, time.time_ns(), timeout=None)
    except Exception:  # each cache backend raises its own connection errors
        log.exception("Could not bump the page cache version; cached pages expire on their own.")


def bump_on_content_change(sender, **kwargs):
    from cicasite.core.publishing import in_sandbox

    # Writes in the publishing sandbox (working copies, previews) are rolled back: nothing public changed.
    if sender._meta.app_label in CONTENT_APPS and not in_sandbox():
        bump_content_version()


def next_publication_change():
    """When the next scheduled publish or unpublish happens (an aware datetime), or None.

    The earliest future publish_at / unpublish_at over the public models
    (cicasite.core.models.next_publication_change, one query per model), kept per content
    version: it changes only when content does, or when that moment passes, which
    is a change of what the public sees: the version is then bumped, so cached pages
    and data go, and the next moment is looked up again.
    """
    from cicasite.core.models import next_publication_change as compute

    # Not cached_data(): its lifetime comes from page_timeout(), which asks this function.
    change = compute() if not settings.DATA_CACHE else None
    if settings.DATA_CACHE:
        try:
            cache = page_cache()
            key = f"data:{content_version()}:next-publication-change"
            entry = cache.get(key)
            if entry is None:
                entry = (compute(),)  # a tuple: "nothing scheduled" (None) is cached too
                cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
            change = entry[0]
        except Exception:  # the cache is down: look it up every time
            log.warning("Data cache unavailable", exc_info=True)
            change = compute()
    if change is not None and change <= timezone.now():
        bump_content_version()
        change = compute()
    return change


def page_timeout():
    """Seconds a page rendered now may be served from the cache (0: do not store it)."""
    timeout = settings.PAGE_CACHE_SECONDS
    change = next_publication_change()
    if change is not None:
        timeout = min(timeout, int((change - timezone.now()).total_seconds()))
    return max(timeout, 0)


def cached_data(name, key, compute):
    """compute(), kept in the shared cache for this content version when DATA_CACHE is on.

    For results that depend only on the published content (facet counts, the events list's page
    boundaries, choice lists): every later request until the next change reads them instead of
    aggregating the whole table again. Without DATA_CACHE (development, tests) it simply computes.
    """
    if not settings.DATA_CACHE:
        return compute()
    try:
        cache = page_cache()
        full_key = f"data:{content_version()}:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
        value = cache.get(full_key)
    except Exception:  # the cache is down: compute as if there were none
        log.warning("Data cache unavailable", exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(full_key, value, page_timeout() or 1)
        except Exception:
            log.warning("Data cache unavailable", exc_info=True)
    return value


def cached_parts(name, key, part, compute):
    """compute()[part], where compute() returns a dict whose items are kept apart per content version.

    For a large result read a piece at a time (the events list's page keys in chunks): a request
    reads only the piece it needs. Without DATA_CACHE it simply computes.
    """
    if not settings.DATA_CACHE:
        return compute()[part]
    try:
        cache = page_cache()
        prefix = f"data:{content_version()}:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
        value = cache.get(f"{prefix}:{part}")
    except Exception:  # the cache is down: compute as if there were none
        log.warning("Data cache unavailable", exc_info=True)
        return compute()[part]
    if value is None:
        parts = compute()
        try:
            cache.set_many({f"{prefix}:{piece}": value for piece, value in parts.items()}, page_timeout() or 1)
        except Exception:
            log.warning("Data cache unavailable", exc_info=True)
        value = parts[part]
    return value


def page_key(request, language):
    """The cache key of a page: language, scheme, host and the full path with its query string."""
    where = "\n".join([language, request.scheme, request.headers.get("host", ""), request.get_full_path()])
    return f"page:{hashlib.sha256(where.encode('utf-8', 'surrogateescape')).hexdigest()}"


def get_page(key):
    """(content version, the page's entry if it was rendered at that version, else None): one round trip."""
    cache = page_cache()
    found = cache.get_many([VERSION_KEY, key])
    version = found.get(VERSION_KEY)
    if version is None:
        return content_version(), None
    entry = found.get(key)
    return version, (entry[1:] if entry is not None and entry[0] == version else None)


def set_page(key, version, entry, timeout):
    page_cache().set(key, (version, *entry), timeout)
