"""This machine's PostgreSQL cluster for bench/db_restart.py: find, stop, start, wait, query."""

import re
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers


PG_HOST, PG_PORT, PG_USER = "127.0.0.1", 5432, "postgres"


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def pg_version():
    """The cluster version, from /etc/postgresql (the highest one with a main cluster)."""
    versions = [p.name for p in Path("/etc/postgresql").iterdir() if (p / "main").is_dir()]
    if not versions:
        raise SystemExit("No PostgreSQL cluster found under /etc/postgresql.")
    return max(versions, key=lambda v: [int(n) for n in re.findall(r"\d+", v)])


def pg_ctl(version, action):
    """pg_ctlcluster <version> main <action>, bypassing systemd; plain pg_ctlcluster as a fallback.

    In its own session, so that a Ctrl-C in the terminal does not interrupt it half-way.
    Returns (returncode, output).
    """
    output = ""
    for command in (
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, "main", action],
        ["pg_ctlcluster", version, "main", action],
    ):
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, start_new_session=True)
        output += f"$ {' '.join(command)} -> {result.returncode}\n{result.stdout}{result.stderr}"
        if result.returncode == 0:
            return 0, output
    return result.returncode, output


def pg_isready():
    command = ["pg_isready", "-q", "-h", PG_HOST, "-p", str(PG_PORT), "-t", "1"]
    return subprocess.run(command, capture_output=True, timeout=10).returncode == 0


def wait_pg_ready(timeout=60, interval=0.05):
    """Poll pg_isready; the monotonic time of the first success, or None."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pg_isready():
            return time.monotonic()
        time.sleep(interval)
    return None


def ensure_pg_running(version):
    """Start PostgreSQL unless it answers; retried, since a stop or restart may still be under way."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if pg_isready():
            return True
        returncode, output = pg_ctl(version, "start")
        if returncode != 0:
            log(f"pg_ctlcluster start failed (it may still be stopping):\n{output.strip()}")
        if wait_pg_ready(timeout=15):
            return True
    log(f"!!! PostgreSQL is NOT running: start it by hand: pg_ctlcluster {version} main start")
    return False


def psql(sql):
    command = ["psql", "-X", "-q", "-h", PG_HOST, "-p", str(PG_PORT), "-U", PG_USER, "-d", "postgres"]
    result = subprocess.run([*command, "-v", "ON_ERROR_STOP=1", "-c", sql], capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise RuntimeError(f"psql {sql!r} failed: {result.stderr.strip()}")


# --- The site ---------------------------------------------------------------------------
