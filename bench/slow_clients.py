"""Slow clients of issue 16: 200 drip-feeding connections must not delay /healthz or a page past 100 ms p99.

    .venv/bin/python bench/slow_clients.py --url http://127.0.0.1:PORT [--connections 200] [--seconds 10]

Opens --connections sockets to the server; half send a request's headers and half a POST body one byte
every 0.5 s, never finishing (a connection the server closes is opened again, so the count holds). wrk
(-t1 -c4, --latency) measures /healthz and then a page (/members/?dimension=economic) for --seconds each,
first without the slow sockets (the baseline: what the machine gives anyway), then with them all open.
bench/bench.py calls run() against nginx in front of gunicorn; pointed at gunicorn alone
(its own port) it shows why nginx is there: six such sockets hold all of gunicorn's sync workers.
Bounded: 4 x --seconds plus a few seconds to open the sockets.
"""

import argparse
import json
import socket
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.bench
from bench.bench import wrk

PAGE = "/members/?dimension=economic"
HEADERS_START = b"GET /about/ HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: "
BODY_START = b"POST /search/ HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 1000000\r\n\r\nq="


class Drip:
    """count sockets to host:port, each sent one more byte every interval until stop()."""

    def __init__(self, host, port, count, interval=0.5):
        self.address, self.interval = (host, port), interval
        self.sockets = [self.open(index) for index in range(count)]
        self.reopened = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.drip, daemon=True)
        self.thread.start()

    def open(self, index):
        sock = socket.create_connection(self.address, timeout=5)
        sock.sendall(HEADERS_START if index % 2 else BODY_START)
        return sock

    def drip(self):
        while not self.stopping.wait(self.interval):
            for index, sock in enumerate(self.sockets):
                try:
                    sock.sendall(b"x")
                except OSError:  # the server gave up on it: open another
                    sock.close()
                    try:
                        self.sockets[index] = self.open(index)
                        self.reopened += 1
                    except OSError:
                        pass

    def stop(self):
        self.stopping.set()
        self.thread.join()
        for sock in self.sockets:
            sock.close()


def run(url, connections=200, seconds=10):
    parts = urlsplit(url)
    # The same measurement without slow clients first: what the machine gives anyway.
    base_healthz = wrk(url + "/healthz", seconds, 4, threads=1)
    base_page = wrk(url + PAGE, seconds, 4, threads=1)
    drip = Drip(parts.hostname, parts.port, connections)
    try:
        time.sleep(1)
        healthz = wrk(url + "/healthz", seconds, 4, threads=1)
        page = wrk(url + PAGE, seconds, 4, threads=1)
    finally:
        drip.stop()
    return {
        "connections": connections,
        "reopened": drip.reopened,
        "baseline_healthz_p99": base_healthz["p99"],
        "baseline_page_p99": base_page["p99"],
        "healthz_p99": healthz["p99"],
        "page_p99": page["p99"],
        "healthz_rps": healthz["rps"],
        "page_rps": page["rps"],
        "errors": healthz["bad"] + page["bad"] + (1 if healthz["socket_errors"] or page["socket_errors"] else 0),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="e.g. http://127.0.0.1:8350 (nginx)")
    parser.add_argument("--connections", type=int, default=200)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    print(json.dumps(run(args.url, args.connections, args.seconds), indent=1))


if __name__ == "__main__":
    main()
