"""Pagination without OFFSET walks or a COUNT(*) per request: ?page=N by seeking to a known key.

One query (a window function over the filtered list) gives the total and the sort key of the
first row of every page; it is kept per content version in the shared cache
(cicasite.pagecache.cached_data). Page N is then `WHERE (sort key) >= key of page N ... LIMIT
per_page`, which the list's index serves the same way on page 1 and on page 4,000.
"""

from django.core.paginator import Paginator
from django.db.models import F, Q, Window
from django.db.models.aggregates import Count
from django.db.models.functions import Mod, RowNumber
from django.utils.functional import cached_property

from cicasite.pagecache import cached_data


class SeekPaginator(Paginator):
    """A Paginator over a queryset ordered by unique, non-null columns (the last one the primary key)."""

    def __init__(self, object_list, per_page, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.ordering = [(name.lstrip("-"), name.startswith("-")) for name in object_list.query.order_by]

    @cached_property
    def boundaries(self):
        """(total, [sort key of the first row of each page])."""
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
            return (rows[0][-1] if rows else 0), [row[:-1] for row in rows]

        return cached_data("page-boundaries", f"{self.per_page}:{query.query}", compute)

    @cached_property
    def count(self):
        return self.boundaries[0]

    def page(self, number):
        number = self.validate_number(number)
        keys = self.boundaries[1]
        if not keys:
            return self._get_page([], number, self)
        rows = self.object_list if number == 1 else self.object_list.filter(self.seek(keys[number - 1]))
        rows = rows[: self.per_page]
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
