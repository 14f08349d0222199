"""Time, size, peak memory and queries of every public data download and feed, on whatever DATABASE_URL names.

    DJANGO_DEBUG=1 DATABASE_URL=postgres://... .venv/bin/python bench/open_data.py            # every download
    .venv/bin/python bench/open_data.py /events/data.csv /events/calendar.ics                  # only these
    .venv/bin/python bench/open_data.py --save DIR                                             # and keep the bodies
    BENCH_PORTS=8600-8699 .venv/bin/python bench/open_data.py --through-nginx [--client-rate 2]   # as deployed

Each download runs in a subprocess of its own (Django's test client, in process: no HTTP), after one
small request that loads the code, so that its peak memory is its own: the growth of the process's
maximum resident set size over that baseline. Time is the whole request with the body read to its end
(a streamed body is produced while it is read). --save DIR writes each body to DIR (the JSON
documents' "generated" line set to a fixed value), for comparing the output of two versions with diff.

--through-nginx: the stack as deployed instead (bench/servers.py: gunicorn with gunicorn.conf.py and its
30 s timeout, production settings, nginx from deploy/nginx.conf.template in front), each download read
through nginx to its end: time to the first byte, total time, bytes (identity, and gzip where nginx
compresses), and whether the file arrived whole (its size is the one read directly from gunicorn).
--client-rate N reads at N MB/s, as a slow client would: nginx buffers the response (to a temporary
file beyond its memory buffers), so gunicorn's worker is free as soon as the file is written.
Figures, not a pass/fail test.
"""

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Every public download, data file and feed (cicasite/urls.py and each app's urls.py), in English and in
# Russian, whole and with filters (the downloads take their list page's).
DOWNLOADS = [
    "/events/data.csv",
    "/events/data.json",
    "/events/calendar.ics",
    "/documents/data.csv",
    "/documents/data.json",
    "/initiatives/data.csv",
    "/initiatives/data.json",
    "/members/data.csv",
    "/members/data.json",
    "/roles/data.csv",
    "/roles/data.json",
    "/events/feed/",
    "/documents/feed/",
    "/initiatives/feed/",
    "/data/datapackage.json",
]
VARIANTS = [
    "/ru/events/data.csv",
    "/ru/events/data.json",
    "/ru/events/calendar.ics",
    "/ru/documents/data.csv",
    "/ru/documents/data.json",
    "/ru/initiatives/data.csv",
    "/ru/initiatives/data.json",
    "/ru/members/data.csv",
    "/ru/members/data.json",
    "/ru/roles/data.csv",
    "/ru/roles/data.json",
    "/ru/events/feed/",
    "/ru/data/datapackage.json",
    "/events/data.csv?kind=summit",
    "/events/data.json?dimension=economic&host=kazakhstan",
    "/events/data.csv?when=upcoming",
    "/events/data.json?when=past",
    "/events/data.csv?year=2022",
    "/events/calendar.ics?kind=summit",
    "/events/calendar.ics?when=upcoming",
    "/events/sixth-cica-summit-2022/calendar.ics",
    "/documents/data.csv?kind=declaration",
    "/documents/data.json?language=ru",
    "/initiatives/data.csv?status=achieved",
    "/initiatives/data.json?proposed_by=commentary",
    "/members/data.csv?dimension=economic",
    "/roles/data.json?dimension=economic",
]


def measure_one(url, save_dir):
    """In this process: one download, measured. Prints one JSON object."""
    import resource
    import time

    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")
    import django

    django.setup()
    from urllib.parse import urlsplit

    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    # Asked at SITE_URL's own host: in development (DEBUG) absolute URLs follow the request's host
    # (cicasite.core.links), so every file then names the same site, whatever the settings.
    client = Client(HTTP_HOST=urlsplit(settings.SITE_URL).netloc)
    client.get("/members/data.json")  # loads the code and opens the connection
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    chunks = 0
    size = 0
    body = []
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.get(url)
        if response.streaming:
            for chunk in response.streaming_content:
                chunks += 1
                size += len(chunk)
                if save_dir:
                    body.append(chunk)
        else:
            size = len(response.content)
            body.append(response.content)
        elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    if save_dir:
        content = b"".join(body)
        if url.split("?")[0].endswith(".json") and not url.endswith("datapackage.json"):
            content = re.sub(rb'\n "generated": "[^"]*",\n', b'\n "generated": "(fixed)",\n', content, count=1)
        name = re.sub(r"[^A-Za-z0-9.=_-]+", "_", url.strip("/")) or "root"
        Path(save_dir, name).write_bytes(content)
    print(
        json.dumps(
            {
                "url": url,
                "status": response.status_code,
                "seconds": round(elapsed, 3),
                "bytes": size,
                "streamed": response.streaming,
                "chunks": chunks,
                "peak_mb": round((peak - baseline) / 1024, 1),  # ru_maxrss is in KiB on Linux
                "queries": len(queries),
            }
        )
    )


def read_all(port, url, headers, rate):
    """GET url on 127.0.0.1:port, read to the end at most at rate MB/s: (status, first byte s, total s, bytes)."""
    import http.client
    import time

    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    status, first, size = "cut", None, 0
    try:
        connection.request("GET", url, headers={"Host": "127.0.0.1", **headers})
        response = connection.getresponse()
        while True:
            chunk = response.read1(64 * 1024)
            if first is None:
                first = time.perf_counter() - started
            if not chunk:
                break
            size += len(chunk)
            if rate:
                time.sleep(max(0.0, size / (rate * 1e6) - (time.perf_counter() - started)))
        status = response.status
    except (OSError, http.client.HTTPException):  # the server went away part-way: a file cut off
        pass
    finally:
        connection.close()
    return status, first or 0.0, time.perf_counter() - started, size


def through_nginx(urls, rate):
    import shutil
    import tempfile

    from bench.servers import Gunicorn, Nginx, production_env

    env = production_env(
        DATABASE_URL=os.environ["DATABASE_URL"],
        SITE_URL="https://127.0.0.1",
        TRUSTED_PROXIES="127.0.0.1",
        WEB_CONCURRENCY=os.environ.get("WEB_CONCURRENCY", "3"),
    )
    workdir = tempfile.mkdtemp(prefix="cica-open-data-")
    server = Gunicorn(env, "-c", str(ROOT / "gunicorn.conf.py"))
    try:
        edge = Nginx(env, server.port, workdir)
        try:
            speed = f"{rate} MB/s" if rate else "as fast as it can"
            print(f"gunicorn :{server.port} (gunicorn.conf.py, timeout 30 s), nginx :{edge.port}, client {speed}")
            columns = ("status", "first s", "total s", "MB", "gzip MB", "gzip s")
            print(f"{'address':40} " + " ".join(f"{column:>8}" for column in columns) + " whole")
            for url in urls:
                direct = read_all(server.port, url, {"X-Forwarded-Proto": "https"}, None)
                status, first, total, size = read_all(edge.port, url, {}, rate)
                _, _, gzip_total, gzip_size = read_all(edge.port, url, {"Accept-Encoding": "gzip"}, None)
                print(
                    f"{url:40} {status:>8} {first:>8.2f} {total:>8.2f} {size / 1e6:>8.2f} {gzip_size / 1e6:>8.2f} "
                    f"{gzip_total:>8.2f} {'yes' if size == direct[3] and status == direct[0] == 200 else 'NO'}",
                    flush=True,
                )
        finally:
            edge.stop()
    finally:
        print("gunicorn log (last lines):")
        print(server.log_tail(1500))
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("urls", nargs="*", help="only these addresses (default: every download)")
    parser.add_argument("--variants", action="store_true", help="also the Russian and filtered variants")
    parser.add_argument("--save", metavar="DIR", help="write each body to DIR, for diff")
    parser.add_argument("--through-nginx", action="store_true", help="through gunicorn and nginx, as deployed")
    parser.add_argument("--client-rate", type=float, default=0, help="with --through-nginx: read at N MB/s")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # internal: measure this address in this process
    args = parser.parse_args()
    if args.one:
        measure_one(args.one, args.save)
        return
    urls = args.urls or DOWNLOADS + (VARIANTS if args.variants else [])
    if args.through_nginx:
        sys.path.insert(0, str(ROOT))
        through_nginx(urls, args.client_rate)
        return
    if args.save:
        Path(args.save).mkdir(parents=True, exist_ok=True)
    print(f"DATABASE_URL={os.environ.get('DATABASE_URL', '(SQLite)')}")
    print(f"{'address':55} {'status':>6} {'seconds':>8} {'MB':>8} {'peak MB':>8} {'queries':>7}  streamed")
    for url in urls:
        command = [sys.executable, __file__, "--one", url] + (["--save", args.save] if args.save else [])
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode or not lines:
            print(f"{url:55} failed: {done.stderr.strip().splitlines()[-1:]}")
            continue
        row = json.loads(lines[-1])
        print(
            f"{url:55} {row['status']:>6} {row['seconds']:>8.2f} {row['bytes'] / 1e6:>8.2f} "
            f"{row['peak_mb']:>8.1f} {row['queries']:>7}  {'yes' if row['streamed'] else 'no'}",
            flush=True,
        )


if __name__ == "__main__":
    main()
