"""The anonymous page cache: whole public pages in the shared "pages" cache, keyed by a content version.

- Shared by every gunicorn worker and machine: Redis when CACHE_URL names it, otherwise a file-based
  cache (settings.CACHES["pages"]), never a per-process one, so an invalidation reaches every worker.
- Invalidation of pages: one version number for all public content. Any save or delete of a model of
  our apps (and the admin's bulk publish/unpublish, which bypass signals) bumps it. Each page entry
  records the version it was rendered at and is served only while that is still the current version
  (both are read in one round trip), so every cached page is stale at once. Publishing is rare,
  reading is not.
- Invalidation of data (cached_data: facet counts, page boundaries, choice lists, rendered results):
  per table. Each entry records the tables its queries read (seen by a database execute wrapper while
  it is computed, and those of the entries it reads in turn) with their versions; a save bumps only
  its model's tables, so a member's edit leaves the events table's aggregates alone (at 100,000
  meetings they cost 0.7 s of work after every edit). A delete (whose SET_NULL updates send no
  signal) and bump_content_version() (bulk actions, scheduled publication, any write without a
  signal) make every entry stale through the data epoch. A write that sends no signal must call it.
- Transactions: post_save is sent inside the admin's transaction, before the commit; a request in
  another worker could still read the old rows and keep them under the new version. So the version
  is bumped again when the transaction commits.
- Expiry: at most PAGE_CACHE_SECONDS, and never past the next scheduled publication change
  (next_publication_change(): the nearest future publish_at / unpublish_at).
- Only anonymous, cookie-less GET/HEAD requests are served from it, and only responses that are safe
  to share are stored (cicasite.core.middleware.AnonymousPageCacheMiddleware says which).
"""

import contextvars
import functools
import hashlib
import logging
import re
import time
from contextlib import ExitStack, contextmanager

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import connection, transaction
from django.db.models.signals import post_delete
from django.utils import timezone

log = logging.getLogger(__name__)

VERSION_KEY = "content-version"
EPOCH_KEY = "data-epoch"  # bumped with VERSION_KEY by bump_content_version(): every data entry stale
TABLE_KEY = "table-version:{}"  # bumped (with VERSION_KEY) by a save of one of the table's models
# Apps whose records appear on public pages: a change to any of their models bumps the version.
CONTENT_APPS = {"cicasite", "members", "events", "initiatives"}
# The tables whose rows cached_data() is computing from (one set per entry being computed, innermost last).
_reading = contextvars.ContextVar("pagecache_reading", default=())


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
    """Make every cached page and every data entry stale (a signal receiver too, hence **kwargs).
    Never fails the save."""
    _bump([VERSION_KEY, EPOCH_KEY])


def bump_tables(tables):
    """Make every cached page stale, and the data entries that read one of these tables."""
    _bump([VERSION_KEY, *(TABLE_KEY.format(table) for table in tables)])


def _bump(keys):
    try:
        now = time.time_ns()
        page_cache().set_many(dict.fromkeys(keys, now), timeout=None)
    except Exception:  # each cache backend raises its own connection errors
        log.exception("Could not bump the page cache version; cached pages expire on their own.")


def bump_on_content_change(sender, signal=None, **kwargs):
    """post_save, post_delete and m2m_changed (the through model is the sender) of every model."""
    from cicasite.core.publishing import in_sandbox

    # Writes in the publishing sandbox (working copies, previews) are rolled back: nothing public changed.
    if sender._meta.app_label not in CONTENT_APPS or in_sandbox():
        return
    if signal is post_delete:  # its SET_NULL updates of other tables send no signal
        bump = bump_content_version
    else:
        tables = [model._meta.db_table for model in (sender, *sender._meta.get_parent_list())]
        bump = functools.partial(bump_tables, tables)
    bump()
    using = kwargs.get("using")
    if transaction.get_connection(using).in_atomic_block:  # again once the rows are there for all to read
        transaction.on_commit(bump, using=using, robust=True)


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


def cached_data(name, key, compute, since=None):
    """compute(), kept in the shared cache until a table it read changes, when DATA_CACHE is on.

    For results that depend only on the published content (facet counts, the events list's page
    boundaries, choice lists): every later request until the next change reads them instead of
    aggregating the whole table again. Without DATA_CACHE (development, tests) it simply computes.

    since: a Reading (reading()) begun before compute's inputs were looked up, e.g. by the view that
    fetched the records a template fragment shows: the entry then also depends on every table read
    since it began, at the versions it began with.
    """
    if not settings.DATA_CACHE:
        return compute()
    full_key = f"data:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        cache = page_cache()
        value = _read(cache, full_key)
    except Exception:  # the cache is down: compute as if there were none
        log.warning("Data cache unavailable", exc_info=True)
        return compute()
    if value is None:
        stamp, value = _compute(cache, compute, since)
        try:
            if stamp is not None:
                cache.set(full_key, (*stamp, value), page_timeout() or 1)
        except Exception:
            log.warning("Data cache unavailable", exc_info=True)
    return value


def cached_parts(name, key, part, compute):
    """compute()[part], where compute() returns a dict whose items are kept apart, as cached_data() keeps one.

    For a large result read a piece at a time (the events list's page keys in chunks): a request
    reads only the piece it needs. Without DATA_CACHE it simply computes.
    """
    if not settings.DATA_CACHE:
        return compute()[part]
    prefix = f"data:{name}:{hashlib.sha256(key.encode()).hexdigest()}"
    try:
        cache = page_cache()
        value = _read(cache, f"{prefix}:{part}")
    except Exception:  # the cache is down: compute as if there were none
        log.warning("Data cache unavailable", exc_info=True)
        return compute()[part]
    if value is None:
        stamp, parts = _compute(cache, compute)
        try:
            if stamp is not None:
                entries = {f"{prefix}:{piece}": (*stamp, value) for piece, value in parts.items()}
                cache.set_many(entries, page_timeout() or 1)
        except Exception:
            log.warning("Data cache unavailable", exc_info=True)
        value = parts[part]
    return value


def _read(cache, key):
    """The value of a data entry if the data epoch and the version of every table it read are those it
    was computed at (two round trips), else None."""
    found = cache.get_many([EPOCH_KEY, key])
    entry = found.get(key)
    if entry is None or found.get(EPOCH_KEY) is None or entry[0] != found[EPOCH_KEY]:
        return None
    epoch, tables, value = entry
    if tables:
        current = cache.get_many([TABLE_KEY.format(table) for table in tables])
        if any(current.get(TABLE_KEY.format(table)) != version for table, version in tables.items()):
            return None
    for reading in _reading.get():  # an entry being computed from this one read its tables too
        reading.update(tables)
    return value


class Reading:
    """The tables read since it began (queries and data entries), and their versions when it began."""

    def __init__(self, cache):
        self.tables = set()
        try:
            self.versions = _versions(cache, [EPOCH_KEY, *(TABLE_KEY.format(table) for table in content_tables())])
        except Exception:  # the cache is down: nothing read now may be kept
            log.warning("Data cache unavailable", exc_info=True)
            self.versions = None

    def stamp_after(self, compute):
        """(stamp(), compute()), with compute's tables counted as read by this reading, which must still
        be under way: its versions, from when it began, are the ones stored."""
        if not any(tables is self.tables for tables in _reading.get()):
            raise RuntimeError("stamp_after() needs its reading under way")
        value = compute()
        return self.stamp(), value

    def stamp(self):
        """(epoch, {table: version}) to store with an entry computed from what was read, or None."""
        if self.versions is None:
            return None
        return self.versions[EPOCH_KEY], {
            table: self.versions[TABLE_KEY.format(table)] for table in sorted(self.tables)
        }


@contextmanager
def reading(cache=None):
    """A Reading of the block: the tables its queries read (a database execute wrapper, one for all
    nested readings) and those of the data entries it reads."""
    current = Reading(cache or page_cache())
    token = _reading.set((*_reading.get(), current.tables))
    try:
        with ExitStack() as stack:
            if len(_reading.get()) == 1:  # the outermost: one wrapper serves them all
                stack.enter_context(connection.execute_wrapper(_note_tables))
            yield current
    finally:
        _reading.reset(token)


def _compute(cache, compute, since=None):
    """((epoch, {table: version}), compute()): the versions read before computing (or when since
    began), so that a change made meanwhile leaves the entry stale, never a stale value under the
    new version."""
    if since is not None:  # a reading still under way (the view's): its execute wrapper sees compute's queries
        return since.stamp_after(compute)
    with reading(cache) as current:
        value = compute()
    return current.stamp(), value


def _versions(cache, keys):
    """The current values of these version keys, each set to now if the cache has none (new or evicted)."""
    found = cache.get_many(keys)
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        now = time.time_ns()
        for key in missing:
            cache.add(key, now, timeout=None)
        found.update(cache.get_many(missing))
    return found


def _note_tables(execute, sql, params, many, context):
    # Every word of the SQL that names a content table, quoted ("events_event") or not: whole names
    # only, so a query of events_event_dimensions alone does not count as reading events_event.
    tables = _content_table_set().intersection(_WORDS.findall(sql))
    for reading in _reading.get():
        reading.update(tables)
    return execute(sql, params, many, context)


_WORDS = re.compile(r"\w+")


@functools.cache
def content_tables():
    """Every table of the content apps' models, many-to-many tables included."""
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models(include_auto_created=True)
            if model._meta.app_label in CONTENT_APPS
        }
    )


@functools.cache
def _content_table_set():
    return frozenset(content_tables())


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
