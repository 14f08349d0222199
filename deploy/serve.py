"""make serve: gunicorn on loopback behind nginx in the foreground, both stopped together (Ctrl-C, SIGTERM).

    .venv/bin/python deploy/serve.py --listen 127.0.0.1:8000 --upstream 127.0.0.1:8001 [--tls-cert C --tls-key K]
        [--redirect-listen 127.0.0.1:8080] [--behind-tls] [--workers 3]

Renders deploy/nginx.conf.template into var/nginx/ (manage.py nginx_config), starts gunicorn with
gunicorn.conf.py on --upstream, waits until /healthz answers, then runs nginx as a non-daemon master
(pid file, temporary files, cache and access log under var/nginx/). When either process exits the other
is stopped, and the exit status says which failed. The environment (DJANGO_DEBUG=0, SECRET_KEY_FILE,
DATABASE_URL...) is the caller's: the Makefile sets it.
"""

import argparse
import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
GUNICORN = str(Path(sys.executable).with_name("gunicorn"))
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def healthy(address):
    host, port = address.rsplit(":", 1)
    try:
        connection = http.client.HTTPConnection(host, int(port), timeout=2)
        connection.request("GET", "/healthz")
        return connection.getresponse().status == 200
    except OSError:
        return False


def stop(process):
    if process.poll() is None:
        process.send_signal(signal.SIGTERM if process.args[0] == GUNICORN else signal.SIGQUIT)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", default="127.0.0.1:8000")
    parser.add_argument("--upstream", default="127.0.0.1:8001")
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (0: gunicorn.conf.py's)")
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--redirect-listen", default="")
    parser.add_argument("--behind-tls", action="store_true")
    args = parser.parse_args()
    if not os.access(NGINX, os.X_OK):
        sys.exit("nginx is not installed: apt-get install nginx (make serve does it when run as root)")

    directory = ROOT / "var" / "nginx"
    render = [PYTHON, "manage.py", "nginx_config", "--dir", str(directory), "--listen", args.listen]
    render += ["--upstream", args.upstream, "--access-log", str(directory / "access.log")]
    if args.tls_cert:
        render += ["--tls-cert", args.tls_cert, "--tls-key", args.tls_key, "--redirect-listen", args.redirect_listen]
    if args.behind_tls:
        render.append("--behind-tls")
    rendered = subprocess.run(render, cwd=ROOT, check=True, text=True, capture_output=True)
    config = rendered.stdout.strip().splitlines()[-1]
    subprocess.run([NGINX, "-t", "-q", "-c", config], check=True)

    gunicorn_args = [GUNICORN, "-c", "gunicorn.conf.py", "--bind", args.upstream]
    if args.workers:
        gunicorn_args += ["--workers", str(args.workers)]
    gunicorn = subprocess.Popen(gunicorn_args, cwd=ROOT)
    nginx = None
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        deadline = time.monotonic() + 60
        while not healthy(args.upstream):
            if gunicorn.poll() is not None or time.monotonic() > deadline:
                sys.exit(f"gunicorn did not start on {args.upstream}")
            time.sleep(0.2)
        nginx = subprocess.Popen([NGINX, "-c", config, "-g", "daemon off;"], cwd=ROOT)
        scheme = "https" if args.tls_cert else "http"
        print(f"Serving {scheme}://{args.listen}/ (nginx) -> gunicorn {args.upstream}; stop: Ctrl-C", flush=True)
        while gunicorn.poll() is None and nginx.poll() is None:
            time.sleep(0.5)
        failed = "gunicorn" if gunicorn.poll() is not None else "nginx"
        sys.exit(f"{failed} exited; stopping the other")
    except KeyboardInterrupt:
        pass
    finally:
        for process in (nginx, gunicorn):
            if process is not None:
                stop(process)


if __name__ == "__main__":
    main()
