"""make bench-admin: every admin screen's server time and queries on a 1,000- and a 100,000-meeting archive.

    .venv/bin/python bench/admin.py [--sizes 1k,100k] [--runs 3] [--prefix cica_admin_bench] [--only events]

For each size it prepares the database <prefix>_<size> (created, migrated, CICA content loaded and
bench/generate_archive.py run on the first call: 1,000 meetings / 200 documents / 50 initiatives, or
100,000 / 20,000 / 5,000; later runs reuse it and VACUUM ANALYZE it), then measures in a subprocess with
production settings (DJANGO_DEBUG=0, page cache off) through Django's test client, logged in as a
superuser and as an Editor (accounts bench-superuser and bench-editor, made on the first run):

- every registered model's changelist: the first page, each list filter (up to three choices each), a
  search in English and in Russian, a sort by each sortable column, the last page;
- the change form of the first record of the list;
- every autocomplete (the model admin's and its inlines'), with no term and with a term.

Each figure is the median server time of --runs requests (after one unmeasured request) and the
queries of the last one (django.test.utils.CaptureQueriesContext), then its bound (300 ms, 15
queries, issue 13) and met / NOT MET. Prints one table per size and a summary; exit status 0.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run as a script: bench.servers
from bench.bench import base_env, prepare_database, run
from bench.servers import PYTHON, ROOT

MAX_MS = 300
MAX_QUERIES = 15
# (English, Russian) search terms per model; others: ("cica", "свмда").
TERMS = {
    "event": ("summit", "саммит"),
    "document": ("declaration", "декларация"),
    "initiative": ("forum", "форум"),
    "member": ("kaz", "каз"),
    "role": ("kaz", "каз"),
    "chairmanship": ("kaz", "каз"),
    "dimension": ("econ", "эконом"),
    "priorityarea": ("energy", "энерг"),
    "region": ("asia", "азия"),
    "source": ("cica", "свмда"),
}
FILTER_CHOICES = 3  # per list filter


# --- In the measuring subprocess (Django set up on one archive) ---------------------------------


def measure(runs, only):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")
    import django

    django.setup()
    from django.contrib import admin
    from django.contrib.admin.templatetags.admin_list import result_headers
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from django.db import connection
    from django.test import Client, RequestFactory
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from cicasite.core.roles import EDITOR

    User = get_user_model()
    superuser, _ = User.objects.get_or_create(
        username="bench-superuser", defaults={"is_staff": True, "is_superuser": True}
    )
    editor, created = User.objects.get_or_create(username="bench-editor", defaults={"is_staff": True})
    if created:
        editor.groups.add(Group.objects.get(name=EDITOR))
    factory = RequestFactory()

    def timed(client, url):
        client.get(url, secure=True)  # unmeasured: connection, caches, templates
        times = []
        for _ in range(runs):
            with CaptureQueriesContext(connection) as ctx:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                times.append((time.perf_counter() - started) * 1000)
        return response.status_code, statistics.median(times), len(ctx)

    def cases(user, model_admin):
        """(case, url) for one model admin, as this user sees it."""
        opts = model_admin.model._meta
        changelist = reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        request = factory.get(changelist)
        request.user = user
        if not model_admin.has_view_or_change_permission(request):
            return
        cl = model_admin.get_changelist_instance(request)
        yield "list: first page", changelist
        for spec in cl.filter_specs:
            choices = [choice for choice in spec.choices(cl) if not choice["selected"]][:FILTER_CHOICES]
            for choice in choices:
                yield f"filter {spec.title}: {choice['display']}", changelist + choice["query_string"]
        if cl.date_hierarchy:
            year = getattr(cl.result_list[0], cl.date_hierarchy).year if cl.result_list else 2022
            yield "date hierarchy: a year", f"{changelist}?{cl.date_hierarchy}__year={year}"
        if model_admin.get_search_fields(request):
            english, russian = TERMS.get(opts.model_name, ("cica", "свмда"))
            yield f"search {english!r}", f"{changelist}?q={english}"
            yield f"search {russian!r}", f"{changelist}?q={russian}"
        for header in result_headers(cl):
            if header["sortable"]:
                yield f"sort by {header['text']}", changelist + header["url_primary"]
        if cl.paginator.num_pages > 1:
            yield f"last page ({cl.paginator.num_pages})", f"{changelist}?p={cl.paginator.num_pages}"
        if cl.result_list:
            obj = cl.result_list[0]
            yield "change form", reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        owners = [model_admin, *model_admin.get_inline_instances(request)]
        for owner in owners:
            for field in owner.get_autocomplete_fields(request):
                target = owner.model._meta.get_field(field).related_model._meta.model_name
                term = TERMS.get(target, ("cica", ""))[0]
                query = f"app_label={owner.model._meta.app_label}&model_name={owner.model._meta.model_name}"
                url = f"{reverse('admin:autocomplete')}?{query}&field_name={field}"
                where = "" if owner is model_admin else f"{owner.model._meta.model_name}."
                yield f"autocomplete {where}{field}", url
                yield f"autocomplete {where}{field} {term!r}", f"{url}&term={term}"

    rows = []
    for label, user in (("superuser", superuser), ("editor", editor)):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        for model, model_admin in admin.site._registry.items():
            name = model._meta.model_name
            if only and name not in only:
                continue
            for case, url in cases(user, model_admin):
                status, ms, queries = timed(client, url)
                rows.append({"user": label, "model": name, "case": case, "url": url, "status": status, "ms": ms})
                rows[-1]["queries"] = queries
                print(f"{label:9} {name:16} {case[:48]:48} {ms:7.1f} ms {queries:3} q {status}", file=sys.stderr)
    print(json.dumps(rows))


# --- The parent: archives, subprocesses, the table ----------------------------------------------


def verdict(row):
    ok = row["status"] == 200 and row["ms"] <= MAX_MS and row["queries"] <= MAX_QUERIES
    return "met" if ok else "NOT MET"


def print_table(size, rows):
    print(f"\n### {size} archive\n")
    print(f"| user | model | case | ms (median) | queries | status | <= {MAX_MS} ms, <= {MAX_QUERIES} q |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['user']} | {row['model']} | {row['case']} | {row['ms']:.1f} | {row['queries']} "
            f"| {row['status']} | {verdict(row)} |"
        )


def summary(size, rows):
    failed = [row for row in rows if verdict(row) != "met"]
    slowest = max(rows, key=lambda row: row["ms"])
    most = max(rows, key=lambda row: row["queries"])
    print(
        f"\n{size}: {len(rows)} cases, {len(rows) - len(failed)} met, {len(failed)} NOT MET; slowest "
        f"{slowest['ms']:.0f} ms ({slowest['user']}, {slowest['model']}, {slowest['case']}); most queries "
        f"{most['queries']} ({most['user']}, {most['model']}, {most['case']})"
    )
    for row in failed:
        print(f"  NOT MET: {row['user']} {row['model']} {row['case']}: {row['ms']:.0f} ms, {row['queries']} q")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1k,100k", help="comma-separated: 1k, 100k")
    parser.add_argument("--runs", type=int, default=3, help="measured requests per case (the median is shown)")
    parser.add_argument("--prefix", default="cica_admin_bench", help="database names: <prefix>_<size>")
    parser.add_argument("--only", default="", help="comma-separated model names (event,member...)")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)  # the subprocess
    args = parser.parse_args()
    only = {name for name in args.only.split(",") if name}
    if args.measure:
        measure(args.runs, only)
        return
    started = time.monotonic()
    results = {}
    with tempfile.TemporaryDirectory(prefix="cica-bench-admin-") as workdir:
        static_root = str(Path(workdir) / "static")
        collect = [PYTHON, "manage.py", "collectstatic", "--noinput", "-v0"]
        run(collect, env=base_env("unused", STATIC_ROOT=static_root))
        for size in args.sizes.split(","):
            database = prepare_database(size, static_root, prefix=args.prefix)
            env = base_env(database, STATIC_ROOT=static_root, PAGE_CACHE="0")
            command = [PYTHON, "bench/admin.py", "--measure", "--runs", str(args.runs), "--only", args.only]
            out = subprocess.run(command, cwd=ROOT, env=env, check=True, text=True, stdout=subprocess.PIPE)
            results[size] = json.loads(out.stdout.strip().splitlines()[-1])
    print(
        f"\nmake bench-admin, {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
        f"PostgreSQL, test client, production settings, median of {args.runs}; run took "
        f"{time.monotonic() - started:.0f} s; load average at the end {os.getloadavg()[0]:.1f}"
    )
    for size, rows in results.items():
        print_table(size, rows)
    for size, rows in results.items():
        summary(size, rows)


if __name__ == "__main__":
    main()
