"""EXPLAIN ANALYZE of the events list's key queries, as Markdown, on the database DATABASE_URL names.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cica_perf_bench_100k DJANGO_DEBUG=1 \
        .venv/bin/python bench/explain_queries.py > bench/explain-100k.md

Page 1, the last page by seek, the host choices, and the two queries kept per content version
(page keys with the total, and the facet counts), built by the same code as the view.
"""

import os
import sys
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from cicasite.core import filters, pagination  # noqa: E402
from events.filters import EventFilter, host_queryset  # noqa: E402
from events.views import EventListView  # noqa: E402


def explain(label, sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, COSTS OFF) " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    print(f"### {label}\n\n```\n{plan}\n```\n")


def captured(function):
    """The SQL of the one query function() runs (computed, not read from a cache)."""
    with CaptureQueriesContext(connection) as ctx:
        function()
    return ctx.captured_queries[-1]["sql"]


def main():
    queryset = EventListView().get_base_queryset()
    with mock.patch.object(pagination, "cached_parts", lambda name, key, part, compute: compute()[part]):
        paginator = pagination.SeekPaginator(queryset, 24)
        explain("events: page keys and total (once per content version)", captured(lambda: paginator.count))
        last = paginator.num_pages
        key = paginator.cached(f"keys:{(last - 1) // paginator.CHUNK}")[(last - 1) % paginator.CHUNK]
    explain("events page 1", *queryset[:24].query.sql_with_params())
    explain(f"events page {last} (seek)", *queryset.filter(paginator.seek(key))[:24].query.sql_with_params())
    explain("events: host choices", *host_queryset(None).query.sql_with_params())
    facets = EventFilter({}, queryset=queryset).facets()
    explain(
        "events: facet counts, one UNION ALL (once per content version and filters)",
        captured(lambda: filters.count_facets(facets)),
    )


if __name__ == "__main__":
    main()
