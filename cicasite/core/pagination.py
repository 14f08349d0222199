"""Pagination without OFFSET walks or a COUNT(*) per request: ?page=N by seeking to a known key.

One query (a window function over the filtered list) gives the total and the sort key of the
first row of every page; they are kept per content version in the shared cache, in chunks of 100
pages (cicasite.core.pagecache.cached_parts), so that a request reads the total and at most one chunk.
Page N is then `WHERE (sort key) >= key of page N ... LIMIT per_page`, which the list's index
serves the same way on page 1 and on page 4,000.
"""

import re

from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.aggregates import Count
from django.db.models.functions import Mod, RowNumber
from django.utils.functional import cached_property

from cicasite.core.pagecache import cached_parts

# A timestamp in printed SQL (str(query) does not quote it): 2026-11-28 10:04:24.295610, maybe +00:00.
NOW_LITERAL = re.compile(r"'?\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?([+-]\d\d(:?\d\d)?)?'?")


class SeekPaginator(Paginator):
    """A Paginator over a queryset ordered by unique, non-null columns (the last one the primary key)."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ordering = [(name.lstrip("-"), name.startswith("-")) for name in object_list.query.order_by]

    CHUNK = 100  # page keys kept together in the cache: a request reads the total and one chunk

    def cached(self, part):
        """ "total", or the chunk of page keys ("keys:<n>") holding a page, from the cache or computed."""
        query = self.object_list

        def compute():
            order = [F(name).desc() if descending else F(name).asc() for name, descending in self.ordering]
            names = [name for name, _ in self.ordering]
            rows = list(
                query.annotate(_row=Window(RowNumber(), order_by=order), _total=Window(Count("pk")))
                .annotate(_offset=Mod(F("_row") - 1, self.per_page))
                .filter(_offset=0)
                .order_by(*(f"-{n}" if d else n for n, d in self.ordering))
                .values_list(*names, "_total")
            )
            keys = [row[:-1] for row in rows]
            chunks = {f"keys:{i // self.CHUNK}": keys[i : i + self.CHUNK] for i in range(0, len(keys), self.CHUNK)}
            return {"total": rows[0][-1] if rows else 0} | chunks

        # published() compares with the current time, which the SQL spells out: the key leaves it out.
        # Within a content version the list cannot change before the next scheduled publication, and
        # cached data never outlives that (cicasite.core.pagecache.page_timeout).
        sql = NOW_LITERAL.sub("now", str(query.query))
        return cached_parts("page-keys", f"{self.per_page}:{sql}", part, compute)

    @cached_property
    def count(self):
        return self.cached("total")

    def page(self, number):
        number = self.validate_number(number)
        if number == 1 or not self.count:
            rows = self.object_list[: self.per_page]
        else:
            key = self.cached(f"keys:{(number - 1) // self.CHUNK}")[(number - 1) % self.CHUNK]
            rows = self.object_list.filter(self.seek(key))[: self.per_page]
        return self._get_page(list(rows), number, self)

    def seek(self, key):
        """Rows at or after `key` in the list's order: (a > x) or (a = x and (b > y or (b = y and ...)))."""
        condition = None
        for (name, descending), value in reversed(list(zip(self.ordering, key, strict=True))):
            after = Q(**{f"{name}__lt" if descending else f"{name}__gt": value})
            if condition is None:
                condition = after | Q(**{name: value})  # the last column (pk) includes the key row itself
            else:
                condition = after | (Q(**{name: value}) & condition)
        first, descending = self.ordering[0]
        # The first column alone, as a range the index can use before the finer conditions.
        return Q(**{f"{first}__lte" if descending else f"{first}__gte": key[0]}) & condition
