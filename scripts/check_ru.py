"""Check that cica.ru.json translates every English record and text field of cica.json.

    python3 scripts/check_ru.py

Prints, per section, how many English fields have a non-empty Russian value,
and lists any that are missing. Also lists Russian keys that match nothing in
the English file (stale or misspelt identifiers) and values left identical to
the English text. Exits with status 1 if anything is missing or stale.
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent / "cicasite" / "data"

# section -> (key of each record, text fields to translate)
RECORD_SECTIONS = {
    "members": ("slug", ["name", "capital", "notes"]),
    "chairmanships": ("slug", ["summary"]),
    "events": ("slug", ["title", "city", "country", "summary", "notes"]),
    "initiatives": ("slug", ["title", "author", "summary", "notes"]),
    "organs": ("slug", ["name", "summary", "body", "notes"]),
    # A head whose title changed in office has a row per title: keyed "name" and "name (earlier title)".
    "secretariat_heads": ("key", ["name", "country", "title", "notes"]),
}


def expected(EN):
    """Yield (section, path tuple, English text) for every text the Russian file must cover."""
    for dim in EN["dimensions"]:
        for field in ("name", "short_name", "summary", "notes"):
            if dim.get(field):
                yield "dimensions", (dim["slug"], field), dim[field]
        for area in dim["priority_areas"]:
            yield "dimensions", (dim["slug"], "priority_areas", area["slug"]), area["name"]
    for region in dict.fromkeys(m["region"] for m in EN["members"] if m.get("region")):
        yield "regions", (region,), region
    for section, (key, fields) in RECORD_SECTIONS.items():
        for record in EN[section]:
            for field in fields:
                if record.get(field):
                    yield section, (record[key], field), record[field]
            if section == "events":
                for doc in record["documents"]:
                    yield section, (record[key], "documents", doc["title"]), doc["title"]
    for partner in EN["partners"]:
        yield "partners", (partner,), partner


def lookup(tree, path):
    for step in path:
        if not isinstance(tree, dict) or step not in tree:
            return None
        tree = tree[step]
    return tree


def leaves(tree, path=()):
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield from leaves(v, path + (k,))
    else:
        yield path


SECTIONS = ["dimensions", "regions", *RECORD_SECTIONS, "partners"]


def check(EN, RU):
    """(found, total, missing, stale, same): counts per section, and the (section, path) lists."""
    found = dict.fromkeys(SECTIONS, 0)
    total = dict.fromkeys(SECTIONS, 0)
    missing, same = [], []
    wanted = set()
    for section, path, english in expected(EN):
        wanted.add((section,) + path)
        total[section] += 1
        value = lookup(RU.get(section, {}), path)
        if isinstance(value, str) and value.strip():
            found[section] += 1
            if value.strip() == english.strip():
                same.append((section, path))
        else:
            missing.append((section, path))
    stale = [(p[0], p[1:]) for p in leaves(RU) if p not in wanted]
    return found, total, missing, stale, same


def main():
    en = json.loads((HERE / "cica.json").read_text(encoding="utf-8"))
    ru = json.loads((HERE / "cica.ru.json").read_text(encoding="utf-8"))
    found, total, missing, stale, same = check(en, ru)
    sections = SECTIONS
    print(f"{'section':<20}{'translated':>12}{'of':>6}{'missing':>9}")
    for s in sections:
        print(f"{s:<20}{found[s]:>12}{total[s]:>6}{total[s] - found[s]:>9}")
    print(f"{'TOTAL':<20}{sum(found.values()):>12}{sum(total.values()):>6}{len(missing):>9}")
    for title, items in (
        ("Missing", missing),
        ("Unknown keys in cica.ru.json", stale),
        ("Identical to English (check)", same),
    ):
        print(f"\n{title}: {len(items)}")
        for item in items:
            print(f"  {item[0]}: " + " -> ".join(item[1]))
    return 1 if missing or stale else 0


if __name__ == "__main__":
    sys.exit(main())
