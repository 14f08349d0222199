"""The edit storm of issue 16: a save every second for 60 s while wrk loads the key pages through nginx.

    .venv/bin/python bench/edit_storm.py --url http://127.0.0.1:PORT [--seconds 60] [--steady 20]
        (the environment is the served site's: DATABASE_URL, CACHE_URL, CACHE_KEY_PREFIX...)

bench/bench.py calls run() against its own nginx + gunicorn (100k archive, page cache on). Steps:
1. Steady: wrk (-t2 -c16, --latency, Accept-Encoding: gzip) cycles through the key pages for --steady
   seconds, nobody editing.
2. Storm: the same wrk for --seconds while a Django process (manage.py shell, the site's environment) saves
   the member Kazakhstan's English capital once a second, as "Astana (edit N)", through the ORM's save():
   the same signal that bumps the page cache's content version for an admin edit. For each save this
   process polls /members/kazakhstan/ through nginx every 20 ms until it shows edit N or a later one, and
   records how long that took. The capital is put back afterwards.
Result: steady and storm requests per second, their ratio, the storm's p50/p99, non-2xx answers and socket
errors, and the slowest and median time until an edit was public. Bounded: --steady + --seconds + about 10 s.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers
from bench.servers import PYTHON, ROOT

KEY_PAGES = [
    "/",
    "/members/?dimension=economic",
    "/members/kazakhstan/",
    "/events/",
    "/events/sixth-cica-summit-2022/",
    "/initiatives/",
    "/sitemap.xml",
]
WATCHED = "/members/kazakhstan/"
EDITS = re.compile(rb"Astana \(edit (\d+)\)")
SAVED = re.compile(r"\d+ [\d.]+")
# A Django process that saves once a second and says when (monotonic clock of this machine).
EDITOR = """
import sys, time
from members.models import Member
member = Member.objects.get(slug="kazakhstan")
original = member.capital_en
print("ready", flush=True)
sys.stdin.readline()  # "go": wrk has started
start = time.monotonic()
try:
    for n in range(1, {count} + 1):
        next_at = start + n - 1
        while time.monotonic() < next_at:
            time.sleep(0.005)
        member.capital_en = f"Astana (edit {{n}})"
        member.save()
        print(n, time.monotonic(), flush=True)
    sys.stdin.readline()  # "done": every edit was seen (or given up on)
finally:
    member.capital_en = original
    member.save()
"""
LUA = """
local paths = {paths}
local i = math.random(#paths)
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""


def wrk_pages(url, seconds, connections, script):
    """wrk over the key pages: rps, p50, p99 (ms), non-2xx/3xx answers, socket errors."""
    from bench.bench import to_ms

    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", "-s", script]
        + ["-H", "Accept-Encoding: gzip", url],  # as browsers ask
        check=True,
        text=True,
        capture_output=True,
        timeout=seconds + 60,
    ).stdout
    latency = dict(re.findall(r"^\s*(50|99)(?:\.0+)?%\s+(\S+)\s*$", out, re.MULTILINE))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
        "p50": to_ms(latency["50"]),
        "p99": to_ms(latency["99"]),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(n) for n in errors.groups()) if errors else 0,
        "socket_detail": errors.group(0) if errors else "none",
    }


def shown_edit(url):
    with urllib.request.urlopen(url + WATCHED, timeout=5) as response:
        found = [int(n) for n in EDITS.findall(response.read())]
    return max(found, default=0)


def run(url, env, seconds=60, steady=20, connections=16):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(LUA.format(paths="{" + ", ".join(f'"{p}"' for p in KEY_PAGES) + "}"))
        script = handle.name
    try:
        base = wrk_pages(url, steady, connections, script)
        editor = subprocess.Popen(
            [PYTHON, "manage.py", "shell", "-c", EDITOR.format(count=seconds)],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for line in editor.stdout:  # Django's start may log a line or two first
            if line.strip() == "ready":
                break
        else:
            editor.wait(timeout=30)
            raise RuntimeError(f"the editor did not start:\n{editor.stderr.read()[-3000:]}")
        result = {}
        loader = threading.Thread(target=lambda: result.update(wrk_pages(url, seconds, connections, script)))
        loader.start()
        editor.stdin.write("go\n")
        editor.stdin.flush()
        delays = []
        for line in editor.stdout:
            if not SAVED.fullmatch(line.strip()):
                continue
            n, saved_at = int(line.split()[0]), float(line.split()[1])
            while shown_edit(url) < n:
                if time.monotonic() - saved_at > 10:
                    break
                time.sleep(0.02)
            delays.append(time.monotonic() - saved_at)
            if len(delays) == seconds:
                break
        editor.stdin.write("done\n")
        editor.stdin.flush()
        editor.wait(timeout=60)
        loader.join()
        if editor.returncode != 0:
            raise RuntimeError(f"the editor failed:\n{editor.stderr.read()[-3000:]}")
    finally:
        os.unlink(script)
    return {
        "steady_rps": base["rps"],
        "steady_p99": base["p99"],
        "storm_rps": result["rps"],
        "ratio": result["rps"] / base["rps"] if base["rps"] else float("nan"),
        "p50": result["p50"],
        "p99": result["p99"],
        "errors": result["bad"] + result["socket_errors"] + base["bad"] + base["socket_errors"],
        "error_detail": f"non-2xx {base['bad']} + {result['bad']}; sockets: steady {base['socket_detail']}, "
        f"storm {result['socket_detail']}",
        "edits": len(delays),
        "max_visible_s": max(delays, default=float("inf")),
        "median_visible_s": statistics.median(delays) if delays else float("inf"),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True, help="nginx's address, e.g. http://127.0.0.1:8350")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--steady", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    print(json.dumps(run(args.url, dict(os.environ), args.seconds, args.steady, args.connections), indent=1))


if __name__ == "__main__":
    main()
