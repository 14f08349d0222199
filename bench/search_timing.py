"""Site search timed in process: p50 / p95 of search_site() for a few queries, on DATABASE_URL's database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cica_perf_bench_100k \\
        .venv/bin/python bench/search_timing.py [--runs 20] [--language en] [q ...]

Every call is "cold" as far as the site is concerned: search has no page or data cache of its own, so
each call runs its queries (one per kind) against the database; PostgreSQL's buffer cache is warm after
the first call, as on a live server. Also prints each kind's total and first hit for the first query,
so a change of results is seen next to a change of speed. Not part of make test.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.utils import translation  # noqa: E402

from cicasite.core.search import search_site  # noqa: E402

QUERIES = ["summit", "security", "Kazakstan", "declaration", "CICA cooperation"]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", default=QUERIES)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--language", default="en")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}, language {args.language}")
    with translation.override(args.language):
        for q in args.queries:
            groups = search_site(q)  # first call: connection, plans, buffers
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                search_site(q)
                times.append((time.perf_counter() - start) * 1000)
            times.sort()
            p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
            found = ", ".join(
                f"{g.key} {g.total}{'+' if getattr(g, 'more', False) else ''}"
                + (f" [{g.hits[0].object}]" if g.hits else "")
                for g in groups
            )
            print(f"{q!r:24} p50 {statistics.median(times):8.1f} ms  p95 {p95:8.1f} ms   {found}")


if __name__ == "__main__":
    main()
