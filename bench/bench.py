"""make bench: the key pages through nginx in front of gunicorn + PostgreSQL, under wrk, on a 1,000- and a
100,000-record archive, and every target of issues 16 and 5 with met / NOT MET.

    .venv/bin/python bench/bench.py [--sizes 1k,100k] [--seconds 2] [--connections 16] [--modes warm,cold]
        [--storm 60] [--steady 20] [--prefix cica_perf_bench]

For each archive size it prepares its own database (<prefix>_<size>, cica_perf_bench_<size>: created with psql,
migrated, CICA content loaded, bench/generate_archive.py run once; later runs reuse it), then serves the site
as deployed: production settings (DJANGO_DEBUG=0, a throwaway SECRET_KEY, Redis cache under a key prefix of
its own) under gunicorn (gunicorn.conf.py) on a free loopback port, and nginx in front of it
(deploy/nginx.conf.template via manage.py nginx_config, as behind a TLS load balancer: it tells Django https).
Every request goes through nginx.

Each key page is measured between two runs of the trivial reference view /healthz (interleaved, same
connections and duration, through the same nginx, which never caches it; after each page run, until gunicorn
has finished what wrk left queued) and divided by their mean, so the ratio holds although absolute numbers are
noisy on a shared machine. wrk sends Accept-Encoding: gzip, as browsers and crawlers do. Modes: warm
(Django's page cache on and nginx's micro-cache: a page is an nginx cache hit) and cold (PAGE_CACHE=0, and an
Authorization header on every request, /healthz too, which sends it past nginx's cache: every page request
renders, with the fragments Django keeps per content version, as for a visitor without cookies).
Queries per request are counted in-process (django.test.utils.CaptureQueriesContext and the test client)
with the same production settings and the page cache off, i.e. the cost of a render.

At the largest size it also measures, in the same run: /search/?q=summit and the events sitemap section in
process (bench/query_counts.py --timings: median of 20 test-client requests, page cache off, and on for the
sitemap's warm figure); the edit storm (bench/edit_storm.py: a save a second for --storm seconds while wrk
loads the key pages, against a --steady run without edits; each edit polled until public); and 200
drip-feeding connections (bench/slow_clients.py) while wrk measures /healthz and a page.

Prints one table, then each target with its measured value and met / NOT MET. Bounded: wrk runs --seconds per
measurement (default 2 s); with the storm (60 + 20 s) and the slow clients (4 x 4 s) the whole run takes about
9 minutes on 2 cores (most of it wrk; building a 100k archive the first time adds a few minutes).
"""

import argparse
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers
from bench.servers import PYTHON, ROOT, Gunicorn, Nginx, nginx_installed, production_env

PG = ["psql", "-h", "127.0.0.1", "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-Atc"]

SIZES = {
    # name: (meetings, documents, initiatives)
    "1k": (1_000, 200, 50),
    "100k": (100_000, 20_000, 5_000),
}

# (label, path); "{last}" is replaced by the events list's last page number.
PAGES = [
    ("home", "/"),
    ("members ?dimension", "/members/?dimension=economic"),
    ("member detail", "/members/kazakhstan/"),
    ("events p1", "/events/"),
    ("events last", "/events/?page={last}"),
    ("event detail", "/events/sixth-cica-summit-2022/"),
    ("initiatives", "/initiatives/"),
    ("search", "/search/?q=summit"),
    ("sitemap", "/sitemap.xml"),
    # Not in the issue's list: the largest section page of the sitemap (up to 1,000 addresses).
    ("sitemap events p1", "/sitemap-events.xml"),
]
ISSUE_PAGES = {label for label, _ in PAGES} - {"sitemap events p1"}
REFERENCE = "/healthz"
SEARCH = "/search/?q=summit"
SITEMAP_SECTION = "/sitemap-events.xml"


def run(cmd, env=None, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, text=True, capture_output=True, **kwargs)


def base_env(database, **extra):
    return production_env(
        **{"SITE_URL": "https://127.0.0.1", "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{database}"} | extra
    )


def prepare_database(size, static_root, prefix="cica_perf_bench"):
    """The archive database <prefix>_<size>: created, migrated and filled on the first call, reused after."""
    database = f"{prefix}_{size}"
    exists = run([*PG, f"SELECT 1 FROM pg_database WHERE datname = '{database}'"]).stdout.strip()
    if not exists:
        run([*PG, f"CREATE DATABASE {database}"])
    env = base_env(database, STATIC_ROOT=static_root)
    run([PYTHON, "manage.py", "migrate", "--noinput", "-v0"], env=env, timeout=300)
    if not exists:
        run([PYTHON, "manage.py", "load_cica"], env=env, timeout=300)
    meetings, documents, initiatives = SIZES[size]
    # Idempotent: a second run with the same sizes creates nothing.
    out = run(
        [PYTHON, "bench/generate_archive.py", "--meetings", str(meetings), "--documents", str(documents)]
        + ["--initiatives", str(initiatives)],
        env=env,
        timeout=600,
    ).stdout
    print(f"  {database}: {out.strip().splitlines()[-1]}", file=sys.stderr)
    run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atc", "VACUUM ANALYZE"])
    return database


def fetch(url, headers=None):
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=30) as response:
        return response.status, response.read(), response.headers


def to_ms(text):
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(url, seconds, connections, threads=2, headers=()):
    """wrk against url, as a browser or crawler asks (Accept-Encoding: gzip): rps, p50 and p99 (ms; infinite
    when nothing was answered within the run), non-2xx/3xx answers, socket errors."""
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s"]
        + [arg for header in ("Accept-Encoding: gzip", *headers) for arg in ("-H", header)]
        + [url],
        check=True,
        text=True,
        capture_output=True,
        timeout=seconds + 30,
    ).stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.MULTILINE))
    if "99" not in latency:
        raise RuntimeError(f"wrk printed no latency distribution for {url}:\n{out}")
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    answered = int(re.search(r"(\d+) requests in", out).group(1)) > 0
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latency["50"]) if answered else float("inf"),
        "p99": to_ms(latency["99"]) if answered else float("inf"),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(1) if errors else "",
    }


def ratio(value, reference):
    """value / reference; NaN when the reference answered nothing (shown as nan, never met)."""
    return value / reference if reference else float("nan")


def drain(server, seconds=20):
    """Wait until gunicorn answers /healthz within 100 ms again (requests wrk left queued are done)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            server.request("/healthz", timeout=5)
        except OSError:
            pass
        if time.monotonic() - started < 0.1:
            return
        time.sleep(0.2)


def page_weight(server_url, path):
    """Bytes of the page plus its stylesheets as sent: without and with Accept-Encoding: gzip."""
    _, body, headers = fetch(server_url + path)
    _, gzipped, gz_headers = fetch(server_url + path, {"Accept-Encoding": "gzip"})
    total = len(body)
    compressed = len(gzipped) if gz_headers.get("Content-Encoding") == "gzip" else len(body)
    if "html" in headers.get("Content-Type", ""):
        for href in re.findall(rb'<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"', body):
            _, css, _ = fetch(server_url + href.decode())
            _, css_gz, css_headers = fetch(server_url + href.decode(), {"Accept-Encoding": "gzip"})
            total += len(css)
            compressed += len(css_gz) if css_headers.get("Content-Encoding") == "gzip" else len(css)
    return total, compressed


def query_counts(env, paths):
    out = run([PYTHON, "bench/query_counts.py", "--json", *paths], env=env | {"PAGE_CACHE": "0"}, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def in_process_ms(env, paths, rounds=20, page_cache=False):
    """Median milliseconds of a request in process (test client), Django's page cache off (a render) or on
    (a hit after the first): {path: ms}."""
    out = run(
        [PYTHON, "bench/query_counts.py", "--timings", str(rounds), *paths],
        env=env | {"PAGE_CACHE": "1" if page_cache else "0"},
        timeout=600,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def measure_size(size, args, static_root, workdir, last_size):
    database = prepare_database(size, static_root, args.prefix)
    results = {}
    run_id = secrets.token_hex(4)
    for mode in args.modes:
        env = base_env(
            database,
            STATIC_ROOT=static_root,
            CACHE_URL="redis://127.0.0.1:6379/0",
            # A prefix per run and size: no entry of another run or archive is ever served.
            CACHE_KEY_PREFIX=f"{args.prefix.replace('_', '-')}-{size}-{run_id}",
            PAGE_CACHE="1" if mode == "warm" else "0",
            TRUSTED_PROXIES="127.0.0.1",
        )
        # Cold: an Authorization header on every request (pages and /healthz alike) sends it past nginx's
        # micro-cache, and PAGE_CACHE=0 past Django's: every page request renders. Not a cookie: a request
        # with a cookie is never given the fragments Django keeps per content version
        # (cicasite.core.views.fragment_cacheable), which a visitor without one gets on a cold page.
        headers = ["Authorization: Bearer cica-bench-cold"] if mode == "cold" else []
        log_path = Path(workdir) / f"gunicorn-{size}-{mode}.log"
        server = Gunicorn(env, "-c", str(ROOT / "gunicorn.conf.py"), log_path=log_path)
        try:
            edge = Nginx(env, server.port, workdir, static_root=static_root)
        except BaseException:
            server.stop()
            raise
        try:
            _, first, _ = fetch(edge.url + "/events/")
            last = int(re.search(rb"Page 1 of (\d+)", first).group(1))
            pages = [(label, path.format(last=last)) for label, path in PAGES]
            if mode == args.modes[0]:
                counts = query_counts(env, [path for _, path in pages])
                weights = {path: page_weight(edge.url, path) for _, path in pages}
                if size == last_size:
                    results["in_process_ms"] = in_process_ms(env, [SEARCH, SITEMAP_SECTION])
                    results["in_process_warm_ms"] = in_process_ms(env, [SITEMAP_SECTION], page_cache=True)
            # /healthz, page, /healthz, page, ... /healthz: each page against the mean of the reference
            # measured just before and just after it, so that drift of the shared machine cancels out.
            reference = wrk(edge.url + REFERENCE, args.seconds, args.connections, headers=headers)
            for label, path in pages:
                status, _, _ = fetch(edge.url + path)
                if status != 200:
                    raise RuntimeError(f"{path} answered {status}")
                for _ in range(5):  # prime the caches (warm) and each worker's connections
                    fetch(edge.url + path)
                page = wrk(edge.url + path, args.seconds, args.connections, headers=headers)
                drain(server)  # renders wrk left queued in gunicorn must not slow the reference down
                after = wrk(edge.url + REFERENCE, args.seconds, args.connections, headers=headers)
                ref_rps = (reference["rps"] + after["rps"]) / 2
                results[(mode, label)] = page | {
                    "path": path,
                    "ref_rps": ref_rps,
                    "ratio": ratio(page["rps"], ref_rps),
                    "queries": counts[path],
                    "bytes": weights[path],
                }
                print(
                    f"  {size:>4} {mode:<4} {label:<20} {page['rps']:>8.0f} rps  ref {ref_rps:>6.0f}"
                    f"  ratio {ratio(page['rps'], ref_rps):.2f}  p99 {page['p99']:.1f} ms",
                    file=sys.stderr,
                )
                reference = after
            if mode == "warm" and size == last_size:
                from bench import edit_storm, slow_clients  # they use wrk() from here

                if args.storm:
                    print(f"  {size:>4} edit storm: {args.storm} s ...", file=sys.stderr)
                    results["storm"] = edit_storm.run(edge.url, env, seconds=args.storm, steady=args.steady)
                    print(f"  {size:>4} edit storm: {results['storm']}", file=sys.stderr)
                results["slow"] = slow_clients.run(edge.url, connections=200, seconds=args.seconds * 2)
                print(f"  {size:>4} slow clients: {results['slow']}", file=sys.stderr)
        finally:
            edge.stop()
            server.stop()
    return results


def print_table(sizes, results, args):
    small, large = sizes[0], sizes[-1]
    head = (
        f"| mode | page | {small} rps | p50 ms | p99 ms | queries | ratio to /healthz "
        f"| {large} rps | p50 ms | p99 ms | queries | ratio to /healthz | {large}/{small} |"
    )
    print(head)
    print("|" + "---|" * (head.count("|") - 1))
    for mode in args.modes:
        for label, _ in PAGES:
            cells = [mode, label]
            for size in (small, large):
                r = results[size][(mode, label)]
                cells += [
                    f"{r['rps']:.0f}",
                    f"{r['p50']:.1f}",
                    f"{r['p99']:.1f}",
                    str(r["queries"]),
                    f"{r['ratio']:.2f}",
                ]
            cells.append(f"{ratio(results[large][(mode, label)]['rps'], results[small][(mode, label)]['rps']):.2f}")
            print("| " + " | ".join(cells) + " |")
    print()
    print(
        f"HTML + CSS per page ({large}): "
        + ", ".join(
            f"{label} {results[large][(args.modes[0], label)]['bytes'][0] / 1024:.0f}/"
            f"{results[large][(args.modes[0], label)]['bytes'][1] / 1024:.0f} KB"
            for label, _ in PAGES
        )
        + " (identity/gzip)"
    )


def check_targets(sizes, results, args):
    """Each target of issue 16, then those of issue 5, over the key pages at the largest archive."""
    small, large = sizes[0], sizes[-1]
    PAGES = [page for page in globals()["PAGES"] if page[0] in ISSUE_PAGES]  # noqa: N806
    big = results[large]
    lines = []

    def target(text, ok, value):
        lines.append(f"{'met    ' if ok else 'NOT MET'}  {text}: {value}")

    def not_measured(text, why):
        lines.append(f"NOT MET  {text}: not measured ({why})")

    lines.append(f"Issue 16 ({large} archive, through nginx; ratios to /healthz through the same stack):")
    if "warm" in args.modes:
        # Every row, the sitemap section page too (it is in issue 16's list).
        all_pages = globals()["PAGES"]
        worst = min(all_pages, key=lambda p: big[("warm", p[0])]["ratio"])[0]
        target(
            "warm: every key page >= 20 x /healthz",
            big[("warm", worst)]["ratio"] >= 20,
            f"lowest {worst} {big[('warm', worst)]['ratio']:.1f}",
        )
    else:
        not_measured("warm: every key page >= 20 x /healthz", "--modes without warm")
    storm = big.get("storm")
    if storm:
        target(
            "edit storm: throughput >= 50 % of the steady run",
            storm["ratio"] >= 0.5,
            f"{storm['ratio']:.2f} ({storm['storm_rps']:.0f} vs {storm['steady_rps']:.0f} rps)",
        )
        target("edit storm: p99 < 50 ms", storm["p99"] < 50, f"{storm['p99']:.1f} ms")
        target("edit storm: no error", storm["errors"] == 0, f"{storm['errors']} ({storm['error_detail']})")
        target(
            "edit storm: each edit public within 2 s",
            storm["max_visible_s"] <= 2.0 and storm["edits"] >= args.storm,
            f"{storm['edits']} edits, slowest {storm['max_visible_s']:.2f} s, "
            f"median {storm['median_visible_s']:.2f} s",
        )
    else:
        not_measured("edit storm", "--storm 0 or no warm mode")
    search_ms = big.get("in_process_ms", {}).get(SEARCH)
    if search_ms is not None:
        target(f"search {SEARCH} cold p50 <= 30 ms in process", search_ms <= 30, f"{search_ms:.1f} ms")
    if "cold" in args.modes:
        search = big[("cold", "search")]["ratio"]
        target("search cold >= 0.05 x /healthz under wrk", search >= 0.05, f"{search:.3f}")
        members = big[("cold", "members ?dimension")]["ratio"]
        target("cold: members directory >= 0.10 x /healthz", members >= 0.10, f"{members:.2f}")
    else:
        not_measured("cold renders and search under wrk", "--modes without cold")
    cold_ms = big.get("in_process_ms", {}).get(SITEMAP_SECTION)
    warm_ms = big.get("in_process_warm_ms", {}).get(SITEMAP_SECTION)
    if cold_ms and warm_ms:
        # Django's own warm (a page-cache hit) against a render, in process: through nginx a warm page is a
        # micro-cache hit, which no render can come near, so the wrk rows above are shown, not judged, for it.
        target(
            f"cold: sitemap section {SITEMAP_SECTION} at {large} >= 0.5 x warm (in process: hit / render)",
            warm_ms / cold_ms >= 0.5,
            f"{warm_ms / cold_ms:.3f} (render {cold_ms:.1f} ms, hit {warm_ms:.1f} ms)",
        )
    slow = big.get("slow")
    if slow:
        worst = max(slow["healthz_p99"], slow["page_p99"])
        target(
            f"slow clients: {slow['connections']} drip-feeding sockets, /healthz and a page p99 < 100 ms",
            worst < 100 and slow["errors"] == 0,
            f"/healthz p99 {slow['healthz_p99']:.1f} ms, page p99 {slow['page_p99']:.1f} ms, "
            f"{slow['errors']} errors, {slow['reopened']} sockets reopened (without them: /healthz "
            f"{slow['baseline_healthz_p99']:.1f} ms, page {slow['baseline_page_p99']:.1f} ms)",
        )
    else:
        not_measured("slow clients", "no warm mode")

    lines.append(f"\nIssue 5 ({large} archive):")
    if "warm" in args.modes:
        worst99 = max(PAGES, key=lambda p: big[("warm", p[0])]["p99"])[0]
        target(
            f"warm: p99 < 100 ms at {args.connections} connections",
            big[("warm", worst99)]["p99"] < 100,
            f"highest {worst99} {big[('warm', worst99)]['p99']:.1f} ms",
        )
    if "cold" in args.modes:
        worst = min(PAGES, key=lambda p: big[("cold", p[0])]["ratio"])[0]
        target(
            "cold: no key page below 0.05 x /healthz",
            big[("cold", worst)]["ratio"] >= 0.05,
            f"lowest {worst} {big[('cold', worst)]['ratio']:.2f}",
        )
    if small != large:
        for mode in args.modes:
            for label in ("events p1", "events last"):
                # Ratios to /healthz, so that drift of the shared machine between the two runs cancels out.
                value = ratio(big[(mode, label)]["ratio"], results[small][(mode, label)]["ratio"])
                target(
                    f"{mode}: {label} at {large} >= 0.9 x at {small} (ratios to /healthz)",
                    value >= 0.9,
                    f"{value:.2f}",
                )
    mode = args.modes[0]
    most = max(PAGES, key=lambda p: big[(mode, p[0])]["queries"])[0]
    target(
        "queries per request <= 8 on every key page",
        big[(mode, most)]["queries"] <= 8,
        f"highest {most} {big[(mode, most)]['queries']}",
    )
    same = all(big[(mode, p[0])]["queries"] == results[small][(mode, p[0])]["queries"] for p in PAGES)
    target(f"queries the same at {small} and {large}", same, "yes" if same else "no")
    html = [p for p in PAGES if not p[0].startswith("sitemap")]  # XML for crawlers, not pages
    heaviest = max(html, key=lambda p: big[(mode, p[0])]["bytes"][0])[0]
    weight = big[(mode, heaviest)]["bytes"]
    target(
        "HTML + CSS < 60 KB, identity and gzip",
        weight[0] < 60 * 1024 and weight[1] < 60 * 1024,
        f"heaviest {heaviest} {weight[0] / 1024:.0f} KB / {weight[1] / 1024:.0f} KB gzip",
    )
    print("\n".join(lines))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k", help="comma-separated: 1k, 100k")
    parser.add_argument("--modes", default="warm,cold", help="comma-separated: warm, cold")
    parser.add_argument("--seconds", type=int, default=2, help="wrk duration per measurement")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--prefix", default="cica_perf_bench", help="database names: <prefix>_<size>")
    parser.add_argument("--storm", type=int, default=60, help="edit storm seconds at the largest size (0: none)")
    parser.add_argument("--steady", type=int, default=20, help="the steady run the storm is compared with")
    args = parser.parse_args()
    args.modes = args.modes.split(",")
    sizes = args.sizes.split(",")
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it when run as root)")
    if not nginx_installed():
        sys.exit("nginx is not installed: apt-get install nginx (make bench does it when run as root)")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="cica-bench-") as workdir:
        static_root = str(Path(workdir) / "static")
        env = base_env("unused", STATIC_ROOT=static_root)
        run([PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"], env=env, timeout=300)
        results = {}
        for size in sizes:
            results[size] = measure_size(size, args, static_root, workdir, sizes[-1])
    print(
        f"\nmake bench, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"wrk {args.seconds} s x {args.connections} connections per measurement, "
        f"nginx (deploy/nginx.conf.template) -> gunicorn.conf.py, PostgreSQL, Redis; "
        f"run took {time.monotonic() - started:.0f} s\n"
    )
    print_table(sizes, results, args)
    print()
    check_targets(sizes, results, args)


if __name__ == "__main__":
    main()
