"""The site under gunicorn with production settings, on a free loopback port, and nginx in front of it: one
helper for the benchmarks (bench/bench.py, bench/edit_storm.py, bench/slow_clients.py, bench/db_restart.py) and
the production tests (tests/cicasite/test_production.py, tests/cicasite/test_edge.py).

    env = production_env(DATABASE_URL=..., STATIC_ROOT=...)   # DJANGO_DEBUG=0, a throwaway SECRET_KEY
    manage("migrate", "--noinput", env=env)
    server = Gunicorn(env, "cicasite.wsgi", "--workers", "1")  # returns once /healthz answers 200
    response, body = server.request("/members/")              # as the TLS proxy on loopback would ask
    edge = Nginx(env, server.port, workdir)                   # deploy/nginx.conf.template, once /healthz answers
    response, body = edge.request("/members/")                # as a client on the internet would ask
    edge.stop(); server.stop()

Imported as bench.servers: the tests run from the repository root, and the bench scripts put it on
sys.path first. Needs no Django settings of its own: everything runs in subprocesses.
"""

import atexit
import http.client
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
HOST = "127.0.0.1"


def production_env(**overrides):
    """This process's environment less DJANGO_* and DATABASE_URL, with production settings, then overrides.

    A fresh random SECRET_KEY per call; SITE_URL, DATABASE_URL, STATIC_ROOT... as the caller says. Without
    CACHE_URL's Redis, pages go to a file cache: a fresh folder per call (removed at exit), never the
    var/cache/pages of a `make serve` on the same checkout, whose pages share this build's keys.
    """
    env = {key: value for key, value in os.environ.items() if not key.startswith(("DJANGO_", "DATABASE_URL"))}
    page_cache = tempfile.mkdtemp(prefix="cica-pages-")
    atexit.register(shutil.rmtree, page_cache, ignore_errors=True)
    env.update(
        DJANGO_DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(64),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        REQUEST_LOG_LEVEL="WARNING",
        PAGE_CACHE_DIR=page_cache,
    )
    env.update(overrides)
    return env


def manage(*args, env, timeout=300):
    """manage.py in a subprocess with env; the CompletedProcess (text output captured), never raising."""
    return subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def free_port():
    """A TCP port nothing listens on at the moment: the kernel's choice, or the first free one of
    BENCH_PORTS (e.g. 8400-8499) when several people share a machine and each keeps to a range."""
    ports = os.environ.get("BENCH_PORTS", "")
    if ports:
        low, high = (int(n) for n in ports.split("-"))
        for port in random.sample(range(low, high + 1), high + 1 - low):
            with socket.socket() as sock:
                try:
                    sock.bind((HOST, port))
                except OSError:
                    continue
                return port
        raise RuntimeError(f"no free port in BENCH_PORTS={ports}")
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def request(port, path, method="GET", headers=None, https=True, timeout=10, body=None):
    """One request on a fresh connection to 127.0.0.1:port: (response, body bytes). Raises OSError and
    http.client.HTTPException as http.client does."""
    headers = {"Host": HOST, **(headers or {})}
    if https:  # as the TLS-terminating proxy on loopback would say
        headers.setdefault("X-Forwarded-Proto", "https")
    connection = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


class Gunicorn:
    """gunicorn on a free loopback port, in a session of its own (a Ctrl-C reaches only the caller).

    args go to gunicorn before --bind: an app ("cicasite.wsgi", with --workers ...) or "-c gunicorn.conf.py".
    Its output goes to log_path, or to a temporary file removed by stop(). The constructor returns once
    /healthz answers 200 over plain HTTP (it needs no database), or raises RuntimeError with the log's tail.
    """

    def __init__(self, env, *args, log_path=None, timeout=30):
        self.port = free_port()
        self.url = f"http://{HOST}:{self.port}"
        self.own_log = log_path is None
        if self.own_log:
            handle, log_path = tempfile.mkstemp(prefix="cica-gunicorn-", suffix=".log")
            os.close(handle)
        self.log_path = Path(log_path)
        self.log_file = open(self.log_path, "wb")  # closed in stop()
        self.process = subprocess.Popen(
            [GUNICORN, *args, "--bind", f"{HOST}:{self.port}"],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            self.wait_healthy(timeout)
        except BaseException:
            self.stop(keep_log=True)
            raise

    def wait_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                if self.request("/healthz", https=False, timeout=2)[0].status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not become healthy ({self.log_path}):\n{self.log_tail()}")

    def request(self, path, method="GET", headers=None, https=True, timeout=10, body=None):
        return request(self.port, path, method=method, headers=headers, https=https, timeout=timeout, body=body)

    def log_tail(self, chars=3000):
        if not self.log_file.closed:
            self.log_file.flush()
        return self.log_path.read_text(errors="replace")[-chars:]

    def stop(self, keep_log=False):
        """SIGTERM to gunicorn's process group (master and workers), SIGKILL after 15 s."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
        if not self.log_file.closed:
            self.log_file.close()
        if self.own_log and not keep_log:
            self.log_path.unlink(missing_ok=True)


NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def nginx_installed():
    return os.access(NGINX, os.X_OK)


class Nginx:
    """nginx from deploy/nginx.conf.template (manage.py nginx_config) in front of an upstream on loopback.

    env is the site's (the renderer reads Django's headers with it); workdir holds the rendered config,
    the cache and temporary files. By default nginx tells Django the scheme is https (--behind-tls, as
    behind a TLS load balancer); tls=(cert, key) makes nginx terminate TLS itself. The constructor returns
    once /healthz answers through nginx, or raises RuntimeError with nginx's error log.
    """

    def __init__(self, env, upstream_port, workdir, *, static_root=None, tls=None, listen=None, extra=(), timeout=30):
        self.port = free_port() if listen is None else int(listen.rsplit(":", 1)[1])
        self.url = f"http://{HOST}:{self.port}"
        self.dir = Path(workdir) / f"nginx-{self.port}"
        # As root nginx's workers run as nobody (manage.py nginx_config): they must reach into workdir.
        Path(workdir).chmod(Path(workdir).stat().st_mode | 0o055)
        args = ["nginx_config", "--dir", str(self.dir), "--listen", listen or f"{HOST}:{self.port}"]
        args += ["--upstream", f"{HOST}:{upstream_port}", "--error-log", str(self.dir / "error.log")]
        if static_root:
            args += ["--static-root", str(static_root)]
        args += ["--tls-cert", str(tls[0]), "--tls-key", str(tls[1])] if tls else ["--behind-tls"]
        result = manage(*args, *extra, env=env)
        if result.returncode != 0:
            raise RuntimeError(f"nginx_config failed:\n{result.stdout}{result.stderr}")
        self.config = result.stdout.strip().splitlines()[-1]
        self.process = subprocess.Popen(
            [NGINX, "-c", self.config, "-g", "daemon off;"],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    if self.request("/healthz", timeout=2)[0].status == 200:
                        break
                except (OSError, http.client.HTTPException):
                    pass
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"nginx did not answer on {self.url}:\n{self.log_tail()}")
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    def request(self, path, method="GET", headers=None, timeout=10, body=None):
        """As a client on the internet would ask: no X-Forwarded-* of its own."""
        return request(self.port, path, method=method, headers=headers, https=False, timeout=timeout, body=body)

    def log_tail(self, chars=3000):
        log = self.dir / "error.log"
        return log.read_text(errors="replace")[-chars:] if log.exists() else "(no error log)"

    def stop(self):
        """SIGTERM (fast shutdown) to the master, which stops its workers; SIGKILL after 10 s."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(timeout=5)
