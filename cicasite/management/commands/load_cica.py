"""Load the CICA facts shipped in cicasite/data/cica.json into the database.

Idempotent: records are matched by their slug (or natural key), created when
missing, updated only where a field differs, and left alone otherwise, so a
second run reports nothing created and nothing updated. Everything it loads is
published. Fields that the data file sets are overwritten by a run; anything
an editor added (images, body texts, extra records) is kept.
"""

import json
from collections import Counter
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils.text import slugify

from cicasite.models import LegacyRedirect, Organ, Partner, Publishable, SecretariatHead, Source
from events.models import Document, Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member, PriorityArea, Region, Role

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "cica.json"
PUBLISHED = Publishable.PublicationStatus.PUBLISHED


def parse_date(text):
    """'2022-10-12', '2022-10' or '2022' -> the first day it can mean."""
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


class Loader:
    def __init__(self):
        self.created = Counter()
        self.updated = Counter()
        self.unchanged = Counter()

    def upsert(self, model, lookup, values, m2m=None):
        """Create or update one record; count what happened under the model's name."""
        label = model._meta.verbose_name_plural
        values = {self._attname(model, key): self._pk(value) for key, value in values.items()}
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        changed = False
        if created:
            obj = model(**lookup, **values)
            obj.save()
        else:
            fields = [name for name, value in values.items() if getattr(obj, name) != value]
            if fields:
                for name in fields:
                    setattr(obj, name, values[name])
                if any(f.name == "updated_at" for f in model._meta.concrete_fields):
                    fields.append("updated_at")
                obj.save(update_fields=fields)
                changed = True
        for name, targets in (m2m or {}).items():
            manager = getattr(obj, name)
            wanted = {t.pk for t in targets}
            if set(manager.values_list("pk", flat=True)) != wanted:
                manager.set(wanted)
                changed = True
        counter = self.created if created else self.updated if changed else self.unchanged
        counter[label] += 1
        return obj

    @staticmethod
    def _attname(model, key):
        field = model._meta.get_field(key)
        return field.attname if isinstance(field, models.ForeignKey) else key

    @staticmethod
    def _pk(value):
        return value.pk if isinstance(value, models.Model) else value


class Command(BaseCommand):
    help = "Load (or bring up to date) the CICA members, meetings, initiatives and organs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=DATA_FILE, help="Data file to load (default: the one shipped)."
        )

    def handle(self, *args, file, **options):
        data = json.loads(file.read_text(encoding="utf-8"))
        loader = Loader()
        with transaction.atomic():
            self.load(loader, data)
        labels = sorted(set(loader.created) | set(loader.updated) | set(loader.unchanged))
        for label in labels:
            self.stdout.write(
                f"{label}: {loader.created[label]} created, {loader.updated[label]} updated, "
                f"{loader.unchanged[label]} unchanged"
            )
        total_created, total_updated = sum(loader.created.values()), sum(loader.updated.values())
        self.stdout.write(
            self.style.SUCCESS(f"CICA content loaded: {total_created} created, {total_updated} updated.")
        )

    def load(self, loader, data):
        sources = {
            s["code"]: loader.upsert(
                Source, {"code": s["code"]}, {"title": s["title"], "url": s["url"], "used_for": s["used_for"]}
            )
            for s in data["sources"]
        }

        def cite(codes):
            return [sources[code] for code in codes]

        dimensions, areas = {}, {}
        for d in data["dimensions"]:
            dimension = loader.upsert(
                Dimension,
                {"slug": d["slug"]},
                {"name": d["name"], "short_name": d["short_name"], "summary": d["summary"], "position": d["position"]},
            )
            dimensions[d["slug"]] = dimension
            for position, a in enumerate(d["priority_areas"], start=1):
                areas[(d["slug"], a["name"])] = loader.upsert(
                    PriorityArea,
                    {"dimension": dimension, "slug": a["slug"]},
                    {"name": a["name"], "position": position},
                )

        regions = {}
        for name in sorted({m["region"] for m in data["members"] if m["region"]}):
            regions[name] = loader.upsert(Region, {"slug": slugify(name)}, {"name": name})

        members = {}
        for m in data["members"]:
            member = loader.upsert(
                Member,
                {"slug": m["slug"]},
                {
                    "name": m["name"],
                    "status": m["status"],
                    "iso_code": m["iso_code"],
                    "region": regions.get(m["region"]),
                    "joined": m["joined"],
                    "capital": m["capital"],
                    "verified": m["verified"],
                    "notes": m["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={"sources": cite(m["sources"])},
            )
            members[m["slug"]] = member
            for r in m["roles"]:
                loader.upsert(
                    Role,
                    {"member": member, "area": areas[(r["dimension"], r["area"])]},
                    {"role": r["role"], "as_of": r["as_of"], "verified": r["verified"]},
                    m2m={"sources": cite(r["sources"])},
                )

        chairmanships = {}
        for c in data["chairmanships"]:
            chairmanships[c["slug"]] = loader.upsert(
                Chairmanship,
                {"slug": c["slug"]},
                {
                    "member": members[c["member"]],
                    "start_year": c["start_year"],
                    "end_year": c["end_year"],
                    "summary": c["summary"],
                },
                m2m={"sources": cite(c["sources"])},
            )

        events = {}
        for e in data["events"]:
            event = loader.upsert(
                Event,
                {"slug": e["slug"]},
                {
                    "title": e["title"],
                    "kind": e["kind"],
                    "ordinal": e["ordinal"],
                    "start_date": parse_date(e["start_date"]),
                    "date_precision": e["date_precision"],
                    "city": e["city"],
                    "country": e["country"],
                    "host": members[e["host"]] if e["host"] else None,
                    "status": e["status"],
                    "summary": e["summary"],
                    "verified": e["verified"],
                    "notes": e["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={"dimensions": [dimensions[s] for s in e["dimensions"]], "sources": cite(e["sources"])},
            )
            events[e["slug"]] = event
            for position, doc in enumerate(e["documents"], start=1):
                loader.upsert(
                    Document,
                    {"event": event, "title": doc["title"]},
                    {"kind": doc["kind"], "position": position, "publication_status": PUBLISHED},
                )

        for i in data["initiatives"]:
            loader.upsert(
                Initiative,
                {"slug": i["slug"]},
                {
                    "title": i["title"],
                    "status": i["status"],
                    "proposed_by": i["proposed_by"],
                    "chairmanship": chairmanships[i["chairmanship"]] if i["chairmanship"] else None,
                    "lead": members[i["lead"]] if i["lead"] else None,
                    "summary": i["summary"],
                    "verified": i["verified"],
                    "notes": i["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={
                    "dimensions": [dimensions[s] for s in i["dimensions"]],
                    "events": [events[s] for s in i["events"]],
                    "sources": cite(i["sources"]),
                },
            )

        for o in data["organs"]:
            loader.upsert(
                Organ,
                {"slug": o["slug"]},
                {
                    "name": o["name"],
                    "kind": o["kind"],
                    "summary": o["summary"],
                    "body": o["body"],
                    "position": o["position"],
                },
                m2m={"sources": cite(o["sources"])},
            )
        for h in data["secretariat_heads"]:
            loader.upsert(
                SecretariatHead,
                {"name": h["name"], "title": h["title"]},
                {
                    "country": h["country"],
                    "is_deputy": h["is_deputy"],
                    "start_year": h["start_year"],
                    "end_year": h["end_year"],
                    "notes": h["notes"],
                },
            )
        for position, name in enumerate(data["partners"], start=1):
            loader.upsert(Partner, {"name": name}, {"position": position})
        for r in data["legacy_redirects"]:
            loader.upsert(LegacyRedirect, {"kind": r["kind"], "key": r["key"]}, {"target": r["target"]})
