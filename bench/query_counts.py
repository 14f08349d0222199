"""Print the SQL queries each key page costs, on whatever database DATABASE_URL names.

    make bench-queries        # after make run (or manage.py load_cica) has loaded content
    bench/query_counts.py --json URL...   # for bench/bench.py: one JSON object {url: queries}
    bench/query_counts.py --timings N URL...  # for bench/bench.py: {url: median ms of N renders in process}

Figures, not a pass/fail test: the tests assert the counts on fixed data; this
shows them on the real content (and, later, on a large synthetic archive).
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

PAGES = [
    "/",
    "/members/",
    "/members/?dimension=economic",
    "/members/?dimension=economic&role=coordinator&region=central-asia&status=member&q=a",
    "/members/kazakhstan/",
    "/dimensions/",
    "/dimensions/economic/",
    "/events/",
    "/events/?kind=summit&year=2022&host=kazakhstan&dimension=economic&when=past",
    "/events/sixth-cica-summit-2022/",
    "/initiatives/",
    "/initiatives/?status=achieved&chairmanship=kazakhstan-2020-2024&dimension=human",
    "/initiatives/cica-fund/",
    "/about/",
    "/search/?q=summit",
    "/timeline/",
]


def main():
    setup_test_environment()
    client = Client()
    if sys.argv[1:2] == ["--timings"]:
        # Wall time of a whole request through the middleware in this process (test client, no HTTP, no
        # network), after one request that warms the connection and caches that are not the page cache.
        rounds, timings = int(sys.argv[2]), {}
        for url in sys.argv[3:]:
            client.get(url, secure=True)
            samples = []
            for _ in range(rounds):
                started = time.perf_counter()
                response = client.get(url, secure=True)
                samples.append((time.perf_counter() - started) * 1000)
                if response.status_code != 200:
                    sys.exit(f"{url} answered {response.status_code}")
            timings[url] = statistics.median(samples)
        print(json.dumps(timings))
        return
    if sys.argv[1:2] == ["--json"]:
        counts = {}
        for url in sys.argv[2:]:
            client.get(url, secure=True)  # steady state: the second request of each page is counted
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(url, secure=True)  # as behind the TLS proxy: no HTTPS redirect
            if response.status_code != 200:
                sys.exit(f"{url} answered {response.status_code}")
            counts[url] = len(ctx)
        print(json.dumps(counts))
        return
    # Each page in English and in Russian (/ru/...): translated content costs no query.
    print(f"{'status':>6} {'en':>4} {'ru':>4}  page   ({connection.vendor})")
    for url in PAGES:
        counts = []
        for address in (url, f"/ru{url}"):
            response = client.get(address)
            if response.status_code == 302:  # to the canonical order of the parameters
                address = response["Location"]
            with CaptureQueriesContext(connection) as ctx:
                response = client.get(address)
            counts.append(len(ctx))
        print(f"{response.status_code:>6} {counts[0]:>4} {counts[1]:>4}  {url}")


if __name__ == "__main__":
    main()
