"""Load the CICA facts shipped in cicasite/data/cica.json into the database.

Idempotent: records are matched by their slug (or natural key), created when
missing, updated only where a field differs, and left alone otherwise, so a
second run reports nothing created and nothing updated. Everything it loads is
published. Fields that the data file sets are overwritten by a run; anything
an editor added (images, body texts, extra records) is kept.

Translations: the English text of cica.json goes to the English columns
(name_en, ...); cicasite/data/cica.<language>.json, for every other language in
settings.LANGUAGES that has such a file, supplies that language's columns
(name_ru, ...), keyed by the same slugs (see scripts/check_ru.py).

Rich text: the data files hold plain text (blank lines part paragraphs, a newline breaks a
line); a rich-text field (an organ's body) gets it as HTML paragraphs (richtext.from_text),
so a second run finds the same HTML and changes nothing.
"""

import json
from collections import Counter
from datetime import date
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import models, transaction
from django.utils import translation
from django.utils.text import slugify
from modeltranslation.translator import translator

from cicasite.core import richtext
from cicasite.core.models import LegacyRedirect, Organ, Partner, Publishable, SecretariatHead, SiteSettings, Source
from events.models import Document, Event, document_slug
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member, PriorityArea, Region, Role

DATA_FILE = Path(__file__).resolve().parents[2] / "data" / "cica.json"
DEFAULT_LANGUAGE = settings.MODELTRANSLATION_DEFAULT_LANGUAGE
PUBLISHED = Publishable.PublicationStatus.PUBLISHED


def parse_date(text):
    """'2022-10-12', '2022-10' or '2022' -> the first day it can mean."""
    parts = [int(p) for p in text.split("-")] + [1, 1]
    return date(parts[0], parts[1], parts[2])


def translated_fields(model):
    return translator.get_options_for_model(model).all_fields if model in translator.get_registered_models() else {}


def localize(model, values, translations):
    """Values with each translated field spread over its language columns.

    `translations` maps a language to that language's texts by field name;
    a language without a text for a field leaves its column empty (None).
    """
    localized = dict(values)
    for field in translated_fields(model):
        if field in values:
            localized[f"{field}_{DEFAULT_LANGUAGE}"] = localized.pop(field)
            for language, texts in translations.items():
                localized[f"{field}_{language}"] = texts.get(field) or None
    return localized


class Texts:
    """The other languages' texts: cica.<language>.json beside the data file, where one exists."""

    def __init__(self, file, languages):
        self.trees = {}
        for language in languages:
            path = file.with_name(f"{file.stem}.{language}.json")
            if path.exists():
                self.trees[language] = json.loads(path.read_text(encoding="utf-8"))

    def of(self, *path, field=None):
        """{language: {field: text}} for the record at `path` (a bare string leaf is `field`'s text)."""
        found = {}
        for language, tree in self.trees.items():
            for step in path:
                tree = tree.get(step, {}) if isinstance(tree, dict) else {}
            found[language] = {field: tree} if field else tree
        return found


class Loader:
    def __init__(self):
        self.created = Counter()
        self.updated = Counter()
        self.unchanged = Counter()

    def upsert(self, model, lookup, values, m2m=None, translations=None):
        """Create or update one record; count what happened under the model's name.

        Translated fields in `values` are English; `translations` gives the other
        languages' texts ({"ru": {"name": ...}}).
        """
        label = model._meta.verbose_name_plural
        values = localize(model, values, translations or {})
        values = {self._attname(model, key): self._value(model, key, value) for key, value in values.items()}
        obj = model.objects.filter(**lookup).first()
        created = obj is None
        changed = False
        if created:
            obj = model(**{**lookup, **values})
            obj.save()
        else:
            fields = [name for name, value in values.items() if getattr(obj, name) != value]
            if fields:
                for name in fields:
                    setattr(obj, name, values[name])
                # The untranslated column follows the English one (it backs constraints).
                fields += [f for f in translated_fields(model) if f"{f}_{DEFAULT_LANGUAGE}" in fields]
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
    def _value(model, key, value):
        """The value as stored: a record's primary key, a plain text as rich text's HTML paragraphs."""
        if isinstance(value, models.Model):
            return value.pk
        if isinstance(value, str) and isinstance(model._meta.get_field(key), richtext.RichTextField):
            return richtext.from_text(value)
        return value


class Command(BaseCommand):
    help = "Load (or bring up to date) the CICA members, meetings, initiatives and organs."

    def add_arguments(self, parser):
        parser.add_argument(
            "--file", type=Path, default=DATA_FILE, help="Data file to load (default: the one shipped)."
        )

    def handle(self, *args, file, **options):
        data = json.loads(file.read_text(encoding="utf-8"))
        loader = Loader()
        other_languages = [code for code, _ in settings.LANGUAGES if code != DEFAULT_LANGUAGE]
        texts = Texts(file, other_languages)
        # English lookups and English untranslated columns, whatever the caller's language.
        with translation.override(DEFAULT_LANGUAGE), transaction.atomic():
            self.load(loader, data, texts)
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

    def load(self, loader, data, texts):
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
                {
                    "name": d["name"],
                    "short_name": d["short_name"],
                    "summary": d["summary"],
                    "position": d["position"],
                    "verified": d["verified"],
                    "partly_verified": d["partly_verified"],
                    "notes": d["notes"],
                },
                m2m={"sources": cite(d["sources"])},
                translations=texts.of("dimensions", d["slug"]),
            )
            dimensions[d["slug"]] = dimension
            for position, a in enumerate(d["priority_areas"], start=1):
                areas[(d["slug"], a["name"])] = loader.upsert(
                    PriorityArea,
                    {"dimension": dimension, "slug": a["slug"]},
                    {"name": a["name"], "position": position},
                    translations=texts.of("dimensions", d["slug"], "priority_areas", a["slug"], field="name"),
                )

        regions = {}
        for name in sorted({m["region"] for m in data["members"] if m["region"]}):
            regions[name] = loader.upsert(
                Region, {"slug": slugify(name)}, {"name": name}, translations=texts.of("regions", name, field="name")
            )

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
                    "partly_verified": m["partly_verified"],
                    "notes": m["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={"sources": cite(m["sources"])},
                translations=texts.of("members", m["slug"]),
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
                    "verified": c["verified"],
                },
                m2m={"sources": cite(c["sources"])},
                translations=texts.of("chairmanships", c["slug"]),
            )

        events = {}
        document_slugs = set(Document.objects.values_list("slug", flat=True))
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
                    "online": e["online"],
                    "host": members[e["host"]] if e["host"] else None,
                    "status": e["status"],
                    "summary": e["summary"],
                    "verified": e["verified"],
                    "partly_verified": e["partly_verified"],
                    "notes": e["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={"dimensions": [dimensions[s] for s in e["dimensions"]], "sources": cite(e["sources"])},
                translations=texts.of("events", e["slug"]),
            )
            events[e["slug"]] = event
            for position, doc in enumerate(e["documents"], start=1):
                # A document keeps the slug it has (an editor may have changed it); a new one gets one.
                slug = (
                    Document.objects.filter(event=event, title_en=doc["title"]).values_list("slug", flat=True).first()
                )
                slug = slug or document_slug(doc["title"], event.start_date.year, taken=document_slugs)
                document_slugs.add(slug)
                loader.upsert(
                    Document,
                    {"event": event, "title_en": doc["title"]},
                    {
                        "slug": slug,
                        "title": doc["title"],
                        "kind": doc["kind"],
                        "position": position,
                        "publication_status": PUBLISHED,
                    },
                    translations=texts.of("events", e["slug"], "documents", doc["title"], field="title"),
                )

        for i in data["initiatives"]:
            loader.upsert(
                Initiative,
                {"slug": i["slug"]},
                {
                    "title": i["title"],
                    "status": i["status"],
                    "proposed_by": i["proposed_by"],
                    "author": i["author"],
                    "chairmanship": chairmanships[i["chairmanship"]] if i["chairmanship"] else None,
                    "lead": members[i["lead"]] if i["lead"] else None,
                    "summary": i["summary"],
                    "verified": i["verified"],
                    "partly_verified": i["partly_verified"],
                    "notes": i["notes"],
                    "publication_status": PUBLISHED,
                },
                m2m={
                    "dimensions": [dimensions[s] for s in i["dimensions"]],
                    "events": [events[s] for s in i["events"]],
                    "sources": cite(i["sources"]),
                },
                translations=texts.of("initiatives", i["slug"]),
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
                    "verified": o["verified"],
                    "partly_verified": o["partly_verified"],
                    "notes": o["notes"],
                },
                m2m={"sources": cite(o["sources"])},
                translations=texts.of("organs", o["slug"]),
            )
        for h in data["secretariat_heads"]:
            loader.upsert(
                SecretariatHead,
                {"name_en": h["name"], "title_en": h["title"]},
                {
                    "name": h["name"],
                    "title": h["title"],
                    "country": h["country"],
                    "is_deputy": h["is_deputy"],
                    "start_year": h["start_year"],
                    "end_year": h["end_year"],
                    "verified": h["verified"],
                    "partly_verified": h["partly_verified"],
                    "notes": h["notes"],
                },
                m2m={"sources": cite(h["sources"])},
                translations=texts.of("secretariat_heads", h["key"]),
            )
        for position, name in enumerate(data["partners"], start=1):
            loader.upsert(
                Partner,
                {"name_en": name},
                {"name": name, "position": position},
                translations=texts.of("partners", name, field="name"),
            )
        for r in data["legacy_redirects"]:
            loader.upsert(LegacyRedirect, {"kind": r["kind"], "key": r["key"]}, {"target": r["target"]})
        # Who publishes the site is the editors' setting: created with a neutral default, never overwritten.
        _row, created = SiteSettings.objects.get_or_create(pk=SiteSettings.ROW, defaults=SiteSettings.default_values())
        (loader.created if created else loader.unchanged)[SiteSettings._meta.verbose_name_plural] += 1
