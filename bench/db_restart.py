"""Restart PostgreSQL while gunicorn serves the site under load, and report the error window.

    .venv/bin/python bench/db_restart.py [--seconds 30] [--concurrency 8] [--restart-at 8]

Not part of make test: it restarts, and then briefly stops, this machine's PostgreSQL
cluster (127.0.0.1:5432, user postgres, trust authentication). PostgreSQL is always
started again on the way out, also after an error, Ctrl-C or SIGTERM.

What it does, with production settings (DJANGO_DEBUG=0) throughout:

1. drops and recreates the database cica_bench_restart, migrates it, loads the CICA
   content and collects static files into a temporary directory;
2. starts gunicorn (2 sync workers) on a free loopback port;
3. sends requests from --concurrency threads to a mix of public pages for --seconds
   (at most 200,000 requests), as the TLS proxy on loopback would (X-Forwarded-Proto);
4. at --restart-at seconds restarts PostgreSQL (pg_ctlcluster ... restart) and notes
   when the command began and returned, and -- polling pg_isready meanwhile -- when the
   server stopped answering and when it first answered again ("ready");
5. reports requests per status, the error window, the requests that failed after the
   database was back (the goal is 0), the slowest answer during the outage and p50/p99
   latencies before, during and after -- as a table and as one JSON line (the last line);
6. stops PostgreSQL and checks that pages answer 503 quickly, /healthz 200 and /readyz
   503; starts it again and checks that pages answer 200 again.

Exit status 0 when no request failed after PostgreSQL was ready again, every page
answered 503 within DOWN_BOUND seconds while it was stopped, and pages answered 200
once it was back; 1 otherwise.
"""

import argparse
import http.client
import json
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers
from bench import servers
from bench.postgres import ensure_pg_running, pg_ctl, pg_isready, pg_version, psql, wait_pg_ready
from bench.restart_report import analyse, ms, print_table

PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"
DB_NAME = "cica_bench_restart"
DATABASE_URL = f"postgres://{PG_USER}@{PG_HOST}:{PG_PORT}/{DB_NAME}"

PAGES = [
    "/",
    "/members/?dimension=economic",
    "/members/kazakhstan/",
    "/events/",
    "/events/sixth-cica-summit-2022/",
    "/initiatives/",
]
MAX_REQUESTS = 200_000
CLIENT_TIMEOUT = 30  # seconds; above gunicorn's --timeout 20, so a hung worker shows as a disconnect
DOWN_BOUND = 3.5  # seconds: connect_timeout=3 in settings, plus rendering the 503 page
DOWN_PROBES = 20


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- PostgreSQL -------------------------------------------------------------------------


def production_env(tmp):
    return servers.production_env(
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=DATABASE_URL,
        STATIC_ROOT=str(tmp / "static"),
        MEDIA_ROOT=str(tmp / "media"),
    )


def manage(*args, env):
    result = servers.manage(*args, env=env)
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout}{result.stderr}")


def fetch(port, path, https=True, timeout=CLIENT_TIMEOUT):
    """One GET on a fresh connection: (status or exception class name, headers, body)."""
    try:
        response, body = servers.request(port, path, https=https, timeout=timeout)
        return response.status, dict(response.getheaders()), body
    except (OSError, http.client.HTTPException) as exc:
        return type(exc).__name__, {}, b""


# --- Load and restart -------------------------------------------------------------------


@dataclass
class Record:
    start: float
    end: float
    path: str
    outcome: object  # HTTP status, or the exception class name

    @property
    def ok(self):
        return self.outcome == 200

    @property
    def latency(self):
        return self.end - self.start


@dataclass
class Restart:
    at: float  # when to restart (monotonic)
    begin: float | None = None
    end: float | None = None
    down: float | None = None  # pg_isready first failed
    ready: float | None = None  # pg_isready first succeeded again
    ready_seen_by: str = ""
    returncode: int | None = None
    output: str = ""
    done: threading.Event = field(default_factory=threading.Event)


class Load:
    def __init__(self, port, concurrency, seconds, max_requests=MAX_REQUESTS):
        self.port = port
        self.concurrency = concurrency
        self.max_requests = max_requests
        self.records = []
        self.issued = 0
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.deadline = self.t0 + seconds
        self.threads = [
            threading.Thread(target=self.worker, args=(i,), daemon=True, name=f"load-{i}") for i in range(concurrency)
        ]

    def start(self):
        for thread in self.threads:
            thread.start()

    def worker(self, index):
        n = index
        while not self.stop.is_set() and time.monotonic() < self.deadline:
            with self.lock:
                if self.issued >= self.max_requests:
                    break
                self.issued += 1
            path = PAGES[n % len(PAGES)]
            n += 1
            start = time.monotonic()
            outcome = fetch(self.port, path)[0]
            record = Record(start, time.monotonic(), path, outcome)
            with self.lock:
                self.records.append(record)

    def alive(self):
        return any(thread.is_alive() for thread in self.threads)


def watch_pg(restart, stop):
    """While the restart runs, poll pg_isready: when it first fails, and when it first succeeds after that.

    pg_ctlcluster returns a while after the server accepts connections again (about 2 s here),
    so polling only after it returned would place "ready" late and miss failures in between.
    """
    while not stop.is_set():
        ready = pg_isready()
        now = time.monotonic()
        if not ready and restart.down is None:
            restart.down = now
        elif ready and restart.down is not None:
            restart.ready, restart.ready_seen_by = now, "polling during the restart"
            return
        time.sleep(0.02)


def restart_postgres(version, restart, stop):
    """At restart.at, restart PostgreSQL; note when the command began and returned and when it is ready."""
    try:
        if stop.wait(max(0.0, restart.at - time.monotonic())):
            return
        watch_stop = threading.Event()
        watcher = threading.Thread(target=watch_pg, args=(restart, watch_stop), daemon=True, name="pg-watch")
        restart.begin = time.monotonic()
        watcher.start()
        restart.returncode, restart.output = pg_ctl(version, "restart")
        restart.end = time.monotonic()
        if restart.down is None:  # the poller never saw it down: the server is up again by now
            watch_stop.set()
        watcher.join(timeout=60)
        watch_stop.set()
        if restart.ready is None:
            restart.ready = wait_pg_ready(timeout=60, interval=0.02)
            restart.ready_seen_by = "polling after the restart command returned"
    finally:
        restart.done.set()


# --- Report -----------------------------------------------------------------------------


def down_probe(port, version):
    """Stop PostgreSQL, time the answers, start it again; then check that pages answer 200 again."""
    result = {"bound_s": DOWN_BOUND}
    stop_began = time.monotonic()
    try:
        returncode, output = pg_ctl(version, "stop")
        result["stop_returncode"] = returncode
        if returncode != 0:
            log(output.strip())
        probes = []
        for _ in range(DOWN_PROBES):
            start = time.monotonic()
            status, headers, body = fetch(port, "/members/")
            probes.append(
                {
                    "status": status,
                    "s": time.monotonic() - start,
                    "retry_after": headers.get("Retry-After"),
                    "clear_page": b"temporarily unavailable" in body,
                }
            )
        result["members"] = {
            "statuses": {str(k): v for k, v in Counter(p["status"] for p in probes).items()},
            "max_ms": ms(max(p["s"] for p in probes)),
            "mean_ms": ms(sum(p["s"] for p in probes) / len(probes)),
            "retry_after": sorted({str(p["retry_after"]) for p in probes}),
            "clear_page": all(p["clear_page"] for p in probes),
        }
        result["members_all_503_within_bound"] = all(p["status"] == 503 and p["s"] < DOWN_BOUND for p in probes)
        for path in ("/healthz", "/readyz"):
            start = time.monotonic()
            status = fetch(port, path, https=False)[0]
            result[path.strip("/")] = {"status": status, "ms": ms(time.monotonic() - start)}
    finally:
        result["restarted"] = ensure_pg_running(version)
    # From the stop command's beginning to pg_isready's success after the start.
    result["database_down_ms"] = ms(time.monotonic() - stop_began)
    # Back up: every page once more should answer 200 (the persistent connections died with the server).
    recovery = [fetch(port, path)[0] for path in PAGES * 2]
    result["after_restart_failed"] = sum(status != 200 for status in recovery)
    result["after_restart_statuses"] = [str(s) for s in recovery if s != 200]
    result["ok"] = (
        result["members_all_503_within_bound"]
        and result["healthz"]["status"] == 200
        and result["readyz"]["status"] == 503
        and result["after_restart_failed"] == 0
    )
    return result


def log_exceptions(log_path, limit=8):
    """The most frequent exception lines gunicorn's workers logged (for the investigation of failures)."""
    try:
        text = Path(log_path).read_text(errors="replace")
    except OSError:
        return []
    lines = re.findall(r"^([\w.]+(?:Error|Exception|Shutdown)\b.*)$", text, re.MULTILINE)
    return [f"{n} x {line[:160]}" for line, n in Counter(lines).most_common(limit)]


# --- Main -------------------------------------------------------------------------------


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of the load (default 30)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (default 8)")
    parser.add_argument("--restart-at", type=float, default=8, help="restart PostgreSQL after this many seconds")
    args = parser.parse_args()
    if not 0 < args.restart_at < args.seconds or args.concurrency < 1:
        parser.error("need 0 < --restart-at < --seconds and --concurrency >= 1")
    return args


def on_sigterm(signum, frame):
    raise KeyboardInterrupt


def main():
    args = parse_args()
    signal.signal(signal.SIGTERM, on_sigterm)
    version = pg_version()
    if not pg_isready():
        raise SystemExit(f"PostgreSQL on {PG_HOST}:{PG_PORT} does not answer; nothing was changed.")
    tmp = Path(tempfile.mkdtemp(prefix="cica-bench-restart-"))
    env = production_env(tmp)
    server = load = restart = restarter = None
    stop_restart = threading.Event()
    report = {"pass": False}
    try:
        log(f"PostgreSQL {version}; recreating database {DB_NAME}")
        psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        psql(f"CREATE DATABASE {DB_NAME}")
        for command in (("migrate", "--noinput"), ("load_cica",), ("collectstatic", "--noinput")):
            log("manage.py " + " ".join(command))
            manage(*command, env=env)

        # 2 sync workers; Ctrl-C reaches this script only, server.stop() ends gunicorn.
        server = servers.Gunicorn(
            env, "cicasite.wsgi", "--workers", "2", "--timeout", "20", log_path=tmp / "gunicorn.log"
        )
        log(f"gunicorn on 127.0.0.1:{server.port}; warming up")
        for path in PAGES:
            status = fetch(server.port, path)[0]
            if status != 200:
                raise RuntimeError(f"{path} answered {status} before any fault:\n{server.log_tail()}")

        log(f"load: {args.concurrency} threads for {args.seconds:g} s; PostgreSQL restart at {args.restart_at:g} s")
        load = Load(server.port, args.concurrency, args.seconds)
        restart = Restart(at=load.t0 + args.restart_at)
        restarter = threading.Thread(
            target=restart_postgres, args=(version, restart, stop_restart), daemon=True, name="restart"
        )
        load.start()
        restarter.start()
        while load.alive() or not restart.done.is_set():
            time.sleep(0.2)  # short sleeps: Ctrl-C reaches the main thread promptly
        if restart.returncode != 0:
            log(f"restart failed:\n{restart.output.strip()}")

        report.update(analyse(load, restart, args.seconds))
        log("database down probe: stopping PostgreSQL")
        report["down_probe"] = down_probe(server.port, version)
        log("PostgreSQL is running again")
        report["pass"] = (
            restart.returncode == 0 and report["failed_after_pg_ready"] == 0 and report["down_probe"]["ok"]
        )
        if not report["pass"]:
            report["worker_exceptions"] = log_exceptions(server.log_path)
        print_table(report, PAGES, DOWN_BOUND)
        for line in report.get("worker_exceptions", []):
            print(f"  worker log: {line}")
        print(json.dumps(report, separators=(",", ":")))
    finally:
        # Cleanup must finish: a second Ctrl-C must not leave PostgreSQL stopped.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        if load is not None:
            load.stop.set()
        stop_restart.set()
        if restarter is not None:
            restarter.join(timeout=180)  # a restart in progress finishes before we look
        if server is not None:
            server.stop()
        if ensure_pg_running(version):
            try:
                psql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
            except (RuntimeError, subprocess.SubprocessError) as exc:
                log(f"could not drop {DB_NAME}: {exc}")
        if report["pass"]:
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            log(f"kept {tmp} (gunicorn.log has the workers' tracebacks)")
    return 0 if report["pass"] else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        log("interrupted (cleanup done)")
        sys.exit(130)
