"""Site search results, saved and compared: what the search page shows must not change when search is made faster.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cica_perf_bench_100k \\
        .venv/bin/python bench/search_compare.py --save before.json      # on the code before a change
    ... .venv/bin/python bench/search_compare.py --compare before.json   # after: exit status 1 on a difference

For each query of QUERIES (common and rare words, typos, one- and two-letter queries, phrases, operators,
queries that find nothing; in English and, under translation.override('ru'), in Russian), it records what
search_site() returns (each kind's total, its "more than 1,000" flag, and each hit's record, address,
title, snippet and line under the title, in order) and the whole HTML of /search/?q= (/ru/search/?q= for
Russian) as the test client renders it. --compare prints one line per query and language that differs
(which kind, which part), then a summary. Run it on a database nobody is editing: the same data, the
same results. Not part of make test.
"""

import argparse
import json
import os
import sys
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")
os.environ.setdefault("DJANGO_DEBUG", "1")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import setup_test_environment  # noqa: E402
from django.utils import translation  # noqa: E402

from cicasite.core.search import search_site  # noqa: E402

QUERIES = {
    "en": [
        # common words: more than 1,000 meetings
        "summit",
        "security",
        "cooperation",
        "meeting",
        "CICA",
        "Asia",
        "CICA cooperation",
        "confidence building measures",
        # rarer words and names
        "declaration",
        "Kazakhstan",
        "Astana",
        "Almaty Act",
        "Türkiye",
        "Turkiye",
        "Baghdad",
        "ministerial council",
        "water",
        "2022",
        # typos
        "Kazakstan",
        "Uzbekstan",
        "sumit",
        "declaraton",
        "secrity",
        # one and two letters
        "a",
        "x",
        "un",
        "KZ",
        "ai",
        # phrases and operators
        '"confidence building"',
        '"Almaty Act"',
        "summit OR forum",
        "summit -forum",
        "-summit",
        "summit!!!",
        "C++",
        "'; drop table",
        # nothing found
        "zzzxq",
        "qwertyuiopasdf",
        "the",
    ],
    "ru": [
        "саммит",
        "саммита",
        "безопасность",
        "сотрудничество",
        "Казахстан",
        "Казахтан",
        "Алматинский акт",
        "совещание",
        "декларация",
        "summit",
        "Kazakhstan",
        "я",
        "ок",
        '"меры доверия"',
        "ъъъьььыыы",
    ],
}


def hits_of(groups):
    return [
        {
            "kind": group.key,
            "total": group.total,
            "more": group.more,
            "hits": [
                [str(hit.object), hit.url, str(hit.title_html), str(hit.snippet_html), str(hit.meta)]
                for hit in group.hits
            ],
        }
        for group in groups
    ]


def collect():
    setup_test_environment()
    client = Client()
    results = {}
    for language, queries in QUERIES.items():
        prefix = "" if language == "en" else f"/{language}"
        for query in queries:
            with translation.override(language):
                groups = hits_of(search_site(query))
            response = client.get(f"{prefix}/search/?{urlencode({'q': query})}", secure=True)
            results[f"{language} {query}"] = {
                "groups": groups,
                "status": response.status_code,
                "html": response.content.decode(),
            }
    return results


def differences(before, after):
    """(query, what) for each part that differs."""
    found = []
    for key in before.keys() | after.keys():
        if key not in before or key not in after:
            found.append((key, "only in one of the two runs"))
            continue
        old, new = before[key], after[key]
        for old_group, new_group in zip(old["groups"], new["groups"], strict=True):
            for part in ("total", "more", "hits"):
                if old_group[part] != new_group[part]:
                    found.append((key, f"{old_group['kind']} {part}"))
        if old["status"] != new["status"] or old["html"] != new["html"]:
            found.append((key, "the page's HTML"))
    return sorted(found)


def summary(results):
    return ", ".join(f"{group['kind']} {group['total']}{'+' if group['more'] else ''}" for group in results["groups"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    action = parser.add_mutually_exclusive_group(required=True)
    action.add_argument("--save", metavar="FILE")
    action.add_argument("--compare", metavar="FILE")
    args = parser.parse_args()
    print(f"database: {connection.vendor} {connection.settings_dict['NAME']}")
    results = collect()
    if args.save:
        Path(args.save).write_text(json.dumps(results, ensure_ascii=False, indent=1))
        for key, result in results.items():
            print(f"{key!r:42} {summary(result)}")
        print(f"saved {len(results)} queries to {args.save}")
        return
    before = json.loads(Path(args.compare).read_text())
    found = differences(before, results)
    for key, result in results.items():
        mark = "DIFFERENT" if any(k == key for k, _ in found) else "same"
        print(f"{mark:9} {key!r:42} {summary(result)}")
    for key, what in found:
        print(f"  {key!r}: {what} differs")
    hits = sum(len(group["hits"]) for result in results.values() for group in result["groups"])
    capped = sum(1 for result in results.values() if any(group["more"] for group in result["groups"]))
    differing = len({key for key, _ in found})
    print(f"{len(results)} queries ({hits} hits, {capped} with 'more than 1,000'): {differing} differ")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
