"""Generate a deterministic synthetic archive on top of the real CICA content (for benchmarks).

    .venv/bin/python bench/generate_archive.py [--meetings 100000] [--documents 20000]
        [--initiatives 5000] [--seed 1] [--replace]      (make bench-archive)

A plain script, not a management command of the site: production never ships it. It runs
Django's command machinery (arguments, --help, CommandError) on whatever DATABASE_URL names;
tests call it with call_command(Command(), ...).

The real content must be loaded first (load_cica). The synthetic records are
recognisable and separable from it:

- meetings and initiatives have slugs starting with ``synthetic-``
  (``synthetic-meeting-000123``, ``synthetic-initiative-00042``), which no real
  slug does;
- documents are synthetic when they belong to a synthetic meeting;
- roles have no slug: a synthetic role is marked ``as_of=2099`` and
  ``verified=False`` (ROLE_MARKER_YEAR; no real report is dated 2099).

The same arguments give the same rows: each kind draws from its own
``random.Random`` seeded from ``--seed``, and record number *i* always gets the
same slug, title, dates, host and links. Only ``status`` depends on the day of
the run: a meeting dated after today is planned, the others are held.

Without ``--replace``, records already present (by slug; documents by meeting
and title) are left alone, so a second run with the same sizes creates nothing.
With ``--replace``, the previous synthetic records are deleted first. Real
records are never updated or deleted.

Everything runs in one transaction. bulk_create (which does fill auto_now /
auto_now_add through pre_save) took ~40 s for 100,000 meetings on SQLite, most
of it building model instances and preparing values, so rows are written by
insert() below: multi-row INSERTs of 2,000 rows (SQLite) or COPY (PostgreSQL),
with created_at/updated_at set explicitly to the time of the run. --replace
deletes with QuerySet._raw_delete after removing the documents and M2M links
itself (no cascade collection of 100,000 objects); a new model pointing at
Event or Initiative must be added to delete_synthetic().
"""

import os
import random
import sys
import time
from collections import Counter
from datetime import date, timedelta
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cicasite.settings")

import django
from django.apps import apps

if not apps.ready:  # run as a script (under the tests Django is set up already)
    django.setup()

from django.conf import settings  # noqa: E402
from django.core.management.base import BaseCommand, CommandError  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from modeltranslation.translator import translator  # noqa: E402

from cicasite.core.models import Publishable  # noqa: E402
from cicasite.core.pagecache import bump_content_version  # noqa: E402
from events.models import Document, Event  # noqa: E402
from initiatives.models import Chairmanship, Initiative  # noqa: E402
from members.models import Dimension, Member, PriorityArea, Role  # noqa: E402

PREFIX = "synthetic-"
ROLE_MARKER_YEAR = 2099
BATCH_SIZE = 2000
FIRST_YEAR, LAST_YEAR = 1992, 2030
PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT
DRAFT_SHARE = 0.03
NOTE = "Synthetic record made by bench/generate_archive.py (seed {seed}) for performance tests."

# Rough shares of the real calendar: many working meetings, few summits.
MEETING_KINDS = {
    Event.Kind.SOC: 30,
    Event.Kind.SWG: 25,
    Event.Kind.OTHER: 25,
    Event.Kind.FORUM: 10,
    Event.Kind.MINISTERIAL: 6,
    Event.Kind.SUMMIT: 4,
}
DATE_PRECISIONS = {Event.Precision.DAY: 85, Event.Precision.MONTH: 10, Event.Precision.YEAR: 5}
DOCUMENT_KINDS = {
    Document.Kind.STATEMENT: 25,
    Document.Kind.DECISION: 20,
    Document.Kind.DECLARATION: 15,
    Document.Kind.PLAN: 10,
    Document.Kind.ACT: 5,
    Document.Kind.CATALOGUE: 5,
    Document.Kind.RULES: 5,
    Document.Kind.OTHER: 15,
}
INITIATIVE_STATUSES = {
    Initiative.Status.PROPOSED: 40,
    Initiative.Status.IN_PROGRESS: 40,
    Initiative.Status.ACHIEVED: 20,
}
PROPOSERS = {
    Initiative.ProposedBy.CHAIRMANSHIP: 50,
    Initiative.ProposedBy.MEMBER: 35,
    Initiative.ProposedBy.COMMENTARY: 15,
}
TOPICS = [
    "energy security",
    "food security",
    "transport corridors",
    "countering terrorism",
    "drug trafficking",
    "cyber security",
    "disaster management",
    "environmental protection",
    "tourism",
    "small and medium business",
    "youth exchange",
    "public health",
    "water resources",
    "financial cooperation",
    "cultural heritage",
]


def pick(rng, weights):
    """One key of a {choice: weight} dict."""
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def in_batches(items, size=BATCH_SIZE):
    for start in range(0, len(items), size):
        yield items[start : start + size]


def insert(model, rows):
    """INSERT rows (dicts of attnames to Python values) in multi-row batches; return how many.

    What bulk_create does, without building a model instance per row and preparing
    each value through the ORM (which took most of the time for 100,000 meetings):
    columns left out get the field's default, dates are adapted for the database,
    and created_at/updated_at get one timestamp.
    """
    if not rows:
        return 0
    # Translated fields (django-modeltranslation): the text goes to the English column too.
    if model in translator.get_registered_models():
        english = {f: f"{f}_{settings.MODELTRANSLATION_DEFAULT_LANGUAGE}" for f in rows[0]}
        english = {f: column for f, column in english.items() if f in translator.get_options_for_model(model).fields}
        rows = [row | {column: row[f] for f, column in english.items()} for row in rows]
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    now = timezone.now()
    adapters, defaults = {}, {}
    for f in fields:
        if isinstance(f, models.DateTimeField):
            adapters[f.attname] = connection.ops.adapt_datetimefield_value
        elif isinstance(f, models.DateField):
            adapters[f.attname] = connection.ops.adapt_datefield_value
        elif isinstance(f, models.JSONField):  # a document's text_extraction ({}): as JSON, not a dict
            adapters[f.attname] = partial(f.get_db_prep_save, connection=connection)
        default = now if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False) else f.get_default()
        defaults[f.attname] = adapters[f.attname](default) if f.attname in adapters else default
    given = [name for name in rows[0] if name in adapters]  # every row has the same keys
    # PostgreSQL: COPY. Others (SQLite): one multi-row INSERT per batch, with as many
    # rows as the backend allows parameters.
    size = min(BATCH_SIZE, connection.ops.bulk_batch_size(fields, rows))
    quote = connection.ops.quote_name
    head = "INSERT INTO {} ({}) VALUES ".format(
        quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    placeholder = "({})".format(", ".join(["%s"] * len(fields)))
    attnames = [f.attname for f in fields]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY: no SQL to build or parse, the fastest way into PostgreSQL.
            copy_sql = "COPY {} ({}) FROM STDIN".format(
                quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
            )
            with cursor.copy(copy_sql) as copy:
                for row in rows:
                    full = defaults | row
                    copy.write_row(tuple(full[name] for name in attnames))
            return len(rows)
        for batch in in_batches(rows, size):
            params = []
            for row in batch:
                full = defaults | row
                for name in given:
                    full[name] = adapters[name](full[name])
                params.extend(full[name] for name in attnames)
            cursor.execute(head + ", ".join([placeholder] * len(batch)), params)
    return len(rows)


def meeting_slug(number):
    return f"{PREFIX}meeting-{number:06d}"


def initiative_slug(number):
    return f"{PREFIX}initiative-{number:05d}"


class Command(BaseCommand):
    help = (
        "Generate a deterministic synthetic archive (meetings, documents, initiatives, roles) on top of "
        "the real CICA content, for performance tests. Synthetic slugs start with 'synthetic-'."
    )

    def add_arguments(self, parser):
        parser.add_argument("--meetings", type=int, default=100_000, help="Synthetic meetings (default 100000).")
        parser.add_argument("--documents", type=int, default=20_000, help="Synthetic documents (default 20000).")
        parser.add_argument("--initiatives", type=int, default=5_000, help="Synthetic initiatives (default 5000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same rows.")
        parser.add_argument(
            "--replace", action="store_true", help="Delete the previous synthetic records first (never real ones)."
        )

    def handle(self, *args, meetings, documents, initiatives, seed, replace, **options):
        for name, value in (("meetings", meetings), ("documents", documents), ("initiatives", initiatives)):
            if value < 0:
                raise CommandError(f"--{name} cannot be negative.")
        if meetings > 999_999 or initiatives > 99_999:
            raise CommandError("At most 999999 meetings and 99999 initiatives (the slugs have fixed widths).")
        if documents and not meetings:
            raise CommandError("Documents are attached to synthetic meetings: give --meetings as well.")
        self.seed = seed
        self.today = timezone.localdate()
        self.created, self.present, self.deleted = Counter(), Counter(), Counter()
        started = time.perf_counter()
        with transaction.atomic():
            self.load_real_content()
            if replace:
                self.delete_synthetic()
            meeting_rows = self.make_meetings(meetings)
            meeting_pks = self.create_meetings(meeting_rows)
            self.create_documents(documents, meeting_rows, meeting_pks)
            self.create_initiatives(initiatives, meeting_pks)
            self.create_roles()
        if any(self.created.values()) or any(self.deleted.values()):
            bump_content_version()  # rows were written without save(): cached pages are stale
        elapsed = time.perf_counter() - started
        for label in ("meetings", "documents", "initiatives", "roles"):
            self.stdout.write(
                f"{label}: {self.created[label]} created, {self.present[label]} already present, "
                f"{self.deleted[label]} deleted"
            )
        if not any(self.created.values()):
            self.stdout.write("Nothing new: the synthetic archive of these sizes is already there.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Synthetic archive ready: {sum(self.created.values())} created, "
                f"{sum(self.deleted.values())} deleted in {elapsed:.1f} s."
            )
        )

    def load_real_content(self):
        """The real records the synthetic ones point to, in a fixed order (so the draws are repeatable)."""
        self.members = list(Member.objects.published().order_by("slug"))
        self.hosts = [m for m in self.members if m.status == Member.Status.MEMBER]
        self.dimension_pks = list(Dimension.objects.order_by("slug").values_list("pk", flat=True))
        self.area_pks = list(PriorityArea.objects.order_by("dimension__slug", "slug").values_list("pk", flat=True))
        self.chairmanship_pks = list(Chairmanship.objects.order_by("slug").values_list("pk", flat=True))
        if not (self.hosts and self.dimension_pks and self.area_pks and self.chairmanship_pks):
            raise CommandError(
                "The real CICA content is missing (members, dimensions, priority areas, chairmanships): "
                "run load_cica first."
            )

    def delete_synthetic(self):
        """Delete synthetic rows only: slugs starting with 'synthetic-', their documents, marked roles."""
        events = Event.objects.filter(slug__startswith=PREFIX)
        initiatives = Initiative.objects.filter(slug__startswith=PREFIX)
        self.deleted["documents"] = Document.objects.filter(event__in=events)._raw_delete(Document.objects.db)
        # Links first, as plain deletes, so the rows below need no cascade collection.
        Initiative.events.through.objects.filter(event__in=events).delete()
        for relation in (Initiative.dimensions, Initiative.sources):
            relation.through.objects.filter(initiative__in=initiatives).delete()
        for relation in (Event.dimensions, Event.sources):
            relation.through.objects.filter(event__in=events).delete()
        self.deleted["initiatives"] = initiatives._raw_delete(Initiative.objects.db)
        self.deleted["meetings"] = events._raw_delete(Event.objects.db)
        self.deleted["roles"], _ = Role.objects.filter(as_of=ROLE_MARKER_YEAR, verified=False).delete()

    # Meetings

    def make_meetings(self, count):
        """The synthetic meetings as (column values, dimension pks) pairs, in slug order."""
        rng = random.Random(f"{self.seed}-meetings")
        kind_labels = {kind: str(label) for kind, label in Event.Kind.choices}
        rows = []
        for number in range(1, count + 1):
            kind = pick(rng, MEETING_KINDS)
            precision = pick(rng, DATE_PRECISIONS)
            year = rng.randint(FIRST_YEAR, LAST_YEAR)
            month, day = rng.randint(1, 12), rng.randint(1, 28)
            end_date = None
            if precision == Event.Precision.YEAR:
                start = date(year, 1, 1)
            elif precision == Event.Precision.MONTH:
                start = date(year, month, 1)
            else:
                start = date(year, month, day)
                if rng.random() < 0.3:
                    end_date = start + timedelta(days=rng.randint(1, 3))
            online = rng.random() < 0.05
            host = None if online else rng.choice(self.hosts)
            dimension_pks = rng.sample(self.dimension_pks, rng.choice((0, 1, 1, 2, 2, 3)))
            draft = rng.random() < DRAFT_SHARE
            place = host.capital if host else "online"
            event = {
                "title": f"{kind_labels[kind]} (synthetic {number:06d}), {place}",
                "slug": meeting_slug(number),
                "kind": kind,
                "start_date": start,
                "date_precision": precision,
                "end_date": end_date,
                "city": host.capital if host else "",
                "country": host.name if host else "",
                "host_id": host.pk if host else None,
                "status": Event.Status.PLANNED if start > self.today else Event.Status.HELD,
                "summary": f"Synthetic {kind_labels[kind].lower()} on {rng.choice(TOPICS)}.",
                "verified": False,
                "notes": NOTE.format(seed=self.seed),
                "publication_status": DRAFT if draft else PUBLISHED,
            }
            rows.append((event, dimension_pks))
        return rows

    def create_meetings(self, rows):
        """Insert the missing meetings and their dimension links; return {slug: pk} of all synthetic ones."""
        existing = set(Event.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
        new = [(event, dimension_pks) for event, dimension_pks in rows if event["slug"] not in existing]
        self.present["meetings"] = len(rows) - len(new)
        self.created["meetings"] = insert(Event, [event for event, _ in new])
        pks = dict(Event.objects.filter(slug__startswith=PREFIX).values_list("slug", "pk"))
        links = [{"event_id": pks[e["slug"]], "dimension_id": d} for e, dimension_pks in new for d in dimension_pks]
        insert(Event.dimensions.through, links)
        return pks

    # Documents

    def create_documents(self, count, meeting_rows, meeting_pks):
        rng = random.Random(f"{self.seed}-documents")
        kind_labels = {kind: str(label) for kind, label in Document.Kind.choices}
        positions = Counter()
        rows = []
        for number in range(1, count + 1):
            event, _ = rng.choice(meeting_rows)
            kind = pick(rng, DOCUMENT_KINDS)
            on_own_date = rng.random() < 0.4
            offset = rng.randint(0, 2)
            draft = rng.random() < DRAFT_SHARE
            positions[event["slug"]] += 1
            rows.append(
                {
                    "event_id": meeting_pks[event["slug"]],
                    "slug": f"{PREFIX}document-{number:06d}",
                    "title": f"{kind_labels[kind]} (synthetic {number:06d}) on {rng.choice(TOPICS)}",
                    "kind": kind,
                    "date": event["start_date"] + timedelta(days=offset) if on_own_date else None,
                    "position": positions[event["slug"]],
                    "publication_status": DRAFT if draft else PUBLISHED,
                }
            )
        existing = set(Document.objects.filter(event__slug__startswith=PREFIX).values_list("event_id", "title"))
        new = [doc for doc in rows if (doc["event_id"], doc["title"]) not in existing]
        self.present["documents"] = len(rows) - len(new)
        self.created["documents"] = insert(Document, new)

    # Initiatives

    def create_initiatives(self, count, meeting_pks):
        rng = random.Random(f"{self.seed}-initiatives")
        meeting_numbers = len(meeting_pks)
        rows = []
        for number in range(1, count + 1):
            proposed_by = pick(rng, PROPOSERS)
            chairmanship = (
                rng.choice(self.chairmanship_pks) if proposed_by == Initiative.ProposedBy.CHAIRMANSHIP else None
            )
            lead = rng.choice(self.hosts) if rng.random() < 0.7 else None
            topic = rng.choice(TOPICS)
            draft = rng.random() < DRAFT_SHARE
            initiative = {
                "title": f"Synthetic initiative {number:05d} on {topic}",
                "slug": initiative_slug(number),
                "status": pick(rng, INITIATIVE_STATUSES),
                "proposed_by": proposed_by,
                "chairmanship_id": chairmanship,
                "lead_id": lead.pk if lead else None,
                "summary": f"A synthetic programme on {topic}.",
                "verified": False,
                "notes": NOTE.format(seed=self.seed),
                "publication_status": DRAFT if draft else PUBLISHED,
            }
            dimension_pks = rng.sample(self.dimension_pks, rng.randint(0, 2))
            related = rng.sample(range(1, meeting_numbers + 1), min(rng.randint(0, 3), meeting_numbers))
            rows.append((initiative, dimension_pks, [meeting_slug(n) for n in related]))
        existing = set(Initiative.objects.filter(slug__startswith=PREFIX).values_list("slug", flat=True))
        new = [row for row in rows if row[0]["slug"] not in existing]
        self.present["initiatives"] = len(rows) - len(new)
        self.created["initiatives"] = insert(Initiative, [initiative for initiative, _, _ in new])
        pks = dict(Initiative.objects.filter(slug__startswith=PREFIX).values_list("slug", "pk"))
        insert(
            Initiative.dimensions.through,
            [
                {"initiative_id": pks[i["slug"]], "dimension_id": d}
                for i, dimension_pks, _ in new
                for d in dimension_pks
            ],
        )
        insert(
            Initiative.events.through,
            [
                {"initiative_id": pks[i["slug"]], "event_id": meeting_pks[slug]}
                for i, _, slugs in new
                for slug in slugs
                if slug in meeting_pks
            ],
        )

    # Roles

    def create_roles(self):
        """Give every published member without a role one marked role (as_of=2099, verified=False)."""
        rng = random.Random(f"{self.seed}-roles")
        with_role = set(Role.objects.values_list("member_id", flat=True))
        self.present["roles"] = Role.objects.filter(as_of=ROLE_MARKER_YEAR, verified=False).count()
        new = []
        for member in self.members:  # draw for every member, so each one's role does not depend on the others
            area = rng.choice(self.area_pks)
            kind = rng.choice((Role.Kind.COORDINATOR, Role.Kind.CO_COORDINATOR))
            if member.pk not in with_role:
                new.append(Role(member=member, area_id=area, role=kind, as_of=ROLE_MARKER_YEAR, verified=False))
        Role.objects.bulk_create(new, batch_size=BATCH_SIZE)
        self.created["roles"] = len(new)


if __name__ == "__main__":
    Command().run_from_argv([sys.argv[0], "generate_archive", *sys.argv[1:]])
