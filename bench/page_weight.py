"""The page-weight budget of issue 5 on every kind of public page, in both languages.

    .venv/bin/python bench/page_weight.py --url http://127.0.0.1:8200 [--budget 60] [path ...]

Against a production server (make serve: hashed, minified CSS; nginx's gzip). For each page: its HTML
plus the stylesheets it links, in bytes as sent without Accept-Encoding and with gzip, and "met" when
both are under the budget (KB). bench/bench.py weighs the key pages of the issue at 1k and 100k; this
weighs the rest too (/ru/, the matrix, the timeline, documents, search, about, open data).
Exit status 1 when a page misses the budget.
"""

import argparse
import re
import sys
import urllib.error
import urllib.request

PAGES = [
    "/",
    "/members/",
    "/members/?dimension=economic",
    "/members/kazakhstan/",
    "/dimensions/",
    "/dimensions/economic/",
    "/events/",
    "/events/sixth-cica-summit-2022/",
    "/documents/",
    "/initiatives/",
    "/timeline/",
    "/about/",
    "/data/",
    "/search/?q=summit",
]


def fetch(url, gzip):
    """The body as sent (an error page's too: a 404 is a page) and whether it came gzipped."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": "gzip"} if gzip else {})
    try:
        response = urllib.request.urlopen(request, timeout=30)
    except urllib.error.HTTPError as error:
        response = error
    with response:
        return response.read(), response.headers.get("Content-Encoding") == "gzip"


def weight(base, path):
    """(identity bytes, gzip bytes, stylesheets) of path with its stylesheets."""
    html, _ = fetch(base + path, gzip=False)
    html_gz, _ = fetch(base + path, gzip=True)
    sheets = [href.decode() for href in re.findall(rb'<link rel="stylesheet" href="([^"]+)"', html)]
    identity, compressed = len(html), len(html_gz)
    for href in sheets:
        identity += len(fetch(base + href, gzip=False)[0])
        compressed += len(fetch(base + href, gzip=True)[0])
    return identity, compressed, sheets


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--budget", type=int, default=60, help="KB, identity and gzip")
    parser.add_argument("paths", nargs="*", default=[])
    args = parser.parse_args()
    paths = args.paths or [prefix + path for prefix in ("", "/ru") for path in PAGES]
    missed = 0
    print(f"{'page':40} {'identity':>9} {'gzip':>7}  stylesheets  (budget {args.budget} KB)")
    for path in paths:
        identity, compressed, sheets = weight(args.url.rstrip("/"), path)
        met = identity < args.budget * 1024 and compressed < args.budget * 1024
        missed += not met
        names = ", ".join(re.sub(r"^/static/css/|\.[0-9a-f]{12}\.css$", "", sheet) for sheet in sheets)
        print(
            f"{path:40} {identity / 1024:7.1f} KB {compressed / 1024:5.1f} KB  {len(sheets)}: {names:12} "
            f"{'met' if met else 'NOT MET'}"
        )
    print(f"{len(paths) - missed} of {len(paths)} pages within {args.budget} KB")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
