"""A whole search request timed in process: p50 / p95 of the test client's GET /search/?q=... (middleware,
view, search, template), cold, under production settings, on DATABASE_URL's database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cica_perf_bench_100k \\
        .venv/bin/python bench/search_request.py [--runs 40] [--profile N] [q ...]

Production settings as bench/bench.py serves them (DJANGO_DEBUG=0, a throwaway SECRET_KEY, HTTPS as behind
the TLS proxy: the client's secure=True, Accept-Encoding: gzip as wrk sends it), with the page cache off
(PAGE_CACHE=0, as make bench's cold mode: the search page would otherwise be served from it; each answer
is checked to carry no X-Page-Cache header) and the data cache on, in Redis when CACHE_URL names it
(default redis://127.0.0.1:6379/0 under a key prefix of this run's own). Static files: the manifest of
STATIC_ROOT (default var/static; collectstatic is run into it when it has none).

"Cold": search keeps no result cache, so every request runs its statements and renders the page; the first
request of each query (not timed) opens the connection and prepares the statements, as a worker's first
search does. --profile N: cProfile over N more requests of the first query, the 30 dearest functions by
own time and by cumulative time. Not part of make test.
"""

import argparse
import os
import secrets
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.update(
    DJANGO_SETTINGS_MODULE="cicasite.settings",
    DJANGO_DEBUG="0",
    PAGE_CACHE="0",
)
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1")
os.environ.setdefault("SITE_URL", "https://127.0.0.1")
os.environ.setdefault("CACHE_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("CACHE_KEY_PREFIX", f"search-request-{secrets.token_hex(4)}")
os.environ.setdefault("STATIC_ROOT", str(ROOT / "var" / "static"))

import django  # noqa: E402

django.setup()

import logging  # noqa: E402

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

QUERIES = ["summit", "security", "Kazakstan", "declaration", "CICA cooperation"]


def get(client, path):
    response = client.get(path, secure=True, HTTP_ACCEPT_ENCODING="gzip")
    if response.status_code != 200 or response.has_header("X-Page-Cache"):
        sys.exit(f"{path}: {response.status_code} {response.get('X-Page-Cache', '')} (expected a render)")
    return response


def backend_cpu():
    """CPU seconds the PostgreSQL backend of this connection has used so far, or None when /proc does not show it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("queries", nargs="*", default=QUERIES)
    parser.add_argument("--runs", type=int, default=40)
    parser.add_argument("--profile", type=int, default=0)
    args = parser.parse_args()
    if not (settings.STATIC_ROOT / "staticfiles.json").exists():
        call_command("collectstatic", interactive=False, verbosity=0)
    # The request log as in production (one JSON line per request), written where it does not mix with this.
    for handler in logging.getLogger("cicasite.request").handlers:
        handler.setStream(open(os.devnull, "w"))  # noqa: SIM115 (open for the life of the process)
    client = Client()
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']},"
        f" cache {settings.CACHE_URL}, DEBUG {settings.DEBUG}"
    )
    all_times = []
    for q in args.queries:
        path = f"/search/?q={q}"
        get(client, path)  # first: connection, prepared statements, templates
        times = []
        backend_before, process_before = backend_cpu(), time.process_time()
        for _ in range(args.runs):
            start = time.perf_counter()
            get(client, path)
            times.append((time.perf_counter() - start) * 1000)
        process = (time.process_time() - process_before) * 1000 / args.runs
        backend_after = backend_cpu()
        all_times += times
        times.sort()
        p95 = times[min(len(times) - 1, round(0.95 * (len(times) - 1)))]
        cpu = f"cpu python {process:5.2f} ms"
        if backend_before is not None:
            backend = (backend_after - backend_before) * 1000 / args.runs
            cpu += f" + postgres {backend:5.2f} ms = {process + backend:5.2f} ms"
        print(f"{q!r:24} p50 {statistics.median(times):6.2f} ms  p95 {p95:6.2f} ms   {cpu}")
    all_times.sort()
    p95 = all_times[min(len(all_times) - 1, round(0.95 * (len(all_times) - 1)))]
    print(f"{'all':24} p50 {statistics.median(all_times):6.2f} ms  p95 {p95:6.2f} ms  ({len(all_times)} requests)")
    if args.profile:
        import cProfile
        import pstats

        path = f"/search/?q={args.queries[0]}"
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(args.profile):
            get(client, path)
        profile.disable()
        stats = pstats.Stats(profile)
        stats.sort_stats("tottime").print_stats(30)
        stats.sort_stats("cumulative").print_stats(45)


if __name__ == "__main__":
    main()
