"""Build cicasite/data/cica.json from the team's verified fact sheet.

A development tool, not used at run time: the site loads only the file this
writes (`manage.py load_cica`). Run it when the fact sheet changes:

    .venv/bin/python scripts/build_from_shared.py ../shared/data

It makes explicit what the loader should not have to guess: ASCII slugs,
the precision of each date, which member hosted a meeting, document kinds,
chairmanship slugs, and the few links between initiatives and meetings that
the fact sheet states in prose (each listed in RELATED_EVENTS below). It also
keeps what the site must show honestly, each rule named below: which records are
only partly verified (PARTLY_UNVERIFIED), which meetings were online, the authors of
commentators' proposals (COMMENTARY_AUTHORS), a head's row per title
(TITLE_CHANGES), CICA's UN status apart from the Secretariat, the few corrections
its own sources support (EVENT_KINDS, MEMBER_NOTES_ADDED) and no note about the fact
sheet's own layout (NOTES_DROPPED).

tests/cicasite/test_data_files.py fails when cica.json is not what this script
makes of ../shared/data, or when cica.ru.json lacks or has extra keys.
"""

import json
import re
import sys
from pathlib import Path

from django.utils.text import slugify

OUT = Path(__file__).resolve().parent.parent / "cicasite" / "data" / "cica.json"

# Links stated in the initiative summaries of the fact sheet (title -> meeting titles).
RELATED_EVENTS = {
    "Transformation of CICA into a full-fledged international organization": [
        "Sixth CICA Summit",  # the 2022 Astana Statement started the process
        "Informal Meeting of the CICA Ministerial Council (New York, 2023)",  # road map adopted
    ],
    "CICA Council of Eminent Persons": ["Sixth Meeting of CICA Ministers of Foreign Affairs"],
    "CICA Think Tank Forum as a permanent platform": [
        "Ninth Meeting of the CICA Think Tank Forum",
        "Eleventh Meeting of the CICA Think Tank Forum",
    ],
    "CICA Fund": ["Sixth CICA Summit"],  # regulations adopted at the 2022 summit
    "CICA Environmental Council": ["Sixth CICA Summit", "CICA Ministerial Conference on Environmental Issues"],
    "CICA Women's Council": ["Informal Meeting of the CICA Ministerial Council (New York, 2025)"],
    "CICA Finance Summit": ["Informal Meeting of the CICA Ministerial Council (New York, 2025)"],
}

# Dimensions of a meeting, where its outcome documents name them.
EVENT_DIMENSIONS = {
    "First CICA Summit": ["new-challenges-threats"],  # Declaration on Eliminating Terrorism
    "Sixth CICA Summit": ["new-challenges-threats", "economic"],  # ICT statement, CT plan, CICA Fund
    "CICA Ministerial Conference on Environmental Issues": ["environmental"],
}

SHORT_DIMENSION_NAMES = {
    "military-political": "Military-political",
    "new-challenges-threats": "New challenges and threats",
    "economic": "Economic",
    "environmental": "Environmental",
    "human": "Human",
}
DIMENSION_ORDER = ["human", "economic", "environmental", "military-political", "new-challenges-threats"]

# Events of CICA's history that are not CICA meetings (title -> kind): the 1992 proposal was
# an address by Kazakhstan's President to the UN General Assembly.
EVENT_KINDS = {"Proposal of CICA at the 47th UN General Assembly": "milestone"}

# Who wrote the proposals of commentators, by the source that carries them.
COMMENTARY_AUTHORS = {"S01": "M. U. H. Khan (Center for Global & Strategic Studies, Islamabad)"}

# Facts the fact sheet's sources give but its notes leave out (name -> sentence added to the notes).
MEMBER_NOTES_ADDED = {
    # S30 (Kazinform, 13 Oct 2022): Turkmenistan's joining as an observer was announced at the 2022 summit.
    "Turkmenistan": "Its joining as an observer state was announced at the sixth summit (Astana, 13 Oct 2022).",
}

# Notes that say part of a record is unverified: such a record is "partly verified", never plainly verified.
PARTLY_UNVERIFIED = re.compile(r"unverified|not (?:separately )?confirmed", re.IGNORECASE)

# Notes about the fact sheet's own layout, not about CICA: never shown.
NOTES_DROPPED = {"See the secretariat section for its heads."}

# Heads whose title changed in office (name -> (year of the change, earlier title)): one row per title.
TITLE_CHANGES = {"Kairat Sarybay": (2022, "Executive Director")}


def member_slug(name):
    match = re.search(r"\(([A-Z]+)\)$", name)
    return match.group(1).lower() if match else slugify(name)


def document_kind(title):
    lowered = title.lower()
    for word, kind in [
        ("statement", "statement"),
        ("declaration", "declaration"),
        ("decisions?", "decision"),
        ("act", "act"),
        ("catalogue", "catalogue"),
        ("rules", "rules"),
        ("regulations", "rules"),
        ("road map", "plan"),
        ("plan of action", "plan"),
    ]:
        if re.search(rf"\b{word}\b", lowered):
            return kind
    return "other"


def partly_verified(record):
    return bool(record["verified"] and record["notes"] and PARTLY_UNVERIFIED.search(record["notes"]))


def is_online(event):
    """Online meetings: the fact sheet says so in the title, summary or notes (a missing city alone does not)."""
    text = " ".join(filter(None, [event["title"], event["summary"], event["notes"]])).lower()
    return event["city"] is None and ("online" in text or "videoconference" in text)


def member_notes(member):
    return " ".join(filter(None, [member["notes"], MEMBER_NOTES_ADDED.get(member["name"])]))


def secretariat_heads(secretariat):
    """The heads in order, a head whose title changed in office as one row per title, then the deputy.

    `key` identifies a row in cica.<language>.json: the name, or "name (earlier title)".
    """
    heads = []
    for head in secretariat["heads"]:
        change = TITLE_CHANGES.get(head["name"])
        if change:
            year, earlier_title = change
            heads.append(dict(head, key=f"{head['name']} ({earlier_title})", title=earlier_title, end=year))
            head = dict(head, start=year)
        heads.append(dict(head, key=head["name"], is_deputy=False))
    deputy = secretariat["deputy_head"]
    heads.append(dict(deputy, key=deputy["name"], is_deputy=True, start=None, end=None))
    return [
        {
            "key": h["key"],
            "name": h["name"],
            "country": h["country"],
            "title": h["title"],
            "is_deputy": h.get("is_deputy", False),
            "start_year": h["start"],
            "end_year": h["end"],
            "verified": h["verified"],
            "partly_verified": partly_verified(h),
            "notes": h["notes"] or "",
            "sources": h["sources"],
        }
        for h in heads
    ]


def parse_sources(text):
    sources = []
    for line in text.splitlines():
        match = re.match(r"\|\s*(S\d+)\s*\|\s*(.+?)\s*\|\s*(.*?)\s*\|\s*$", line)
        if not match:
            continue
        code, source, used_for = match.groups()
        urls = re.findall(r"https?://\S+", source)
        title = re.sub(r":?\s*https?://\S+", "", source).strip(" ;:")
        title = re.sub(r"\s*;\s*", "; ", title).strip("; ")
        sources.append({"code": code, "title": title, "url": urls[0] if urls else "", "used_for": used_for})
    return sources


def build(shared):
    data = json.loads((shared / "cica.json").read_text())
    members = data["members"]
    names = {m["name"] for m in members}
    states = {m["name"] for m in members if m["status"] == "member"}
    slug_of = {m["name"]: member_slug(m["name"]) for m in members}

    out = {"about": {"as_of": data["meta"]["as_of"], "conventions": data["meta"]["conventions"]}}
    out["sources"] = parse_sources((shared / "SOURCES.md").read_text())

    out["dimensions"] = [
        {
            "slug": d["slug"],
            "name": d["name"],
            "short_name": SHORT_DIMENSION_NAMES[d["slug"]],
            "position": DIMENSION_ORDER.index(d["slug"]) + 1,
            "summary": d["summary"],
            "priority_areas": [
                {"slug": slugify(a.replace("(general)", "general").replace("(single area)", "")), "name": a}
                for a in d["priority_areas"]
            ],
            "verified": d["verified"],
            "partly_verified": partly_verified(d),
            "notes": d["notes"] or "",
            "sources": d["sources"],
        }
        for d in data["dimensions"]
    ]

    out["members"] = [
        {
            "slug": slug_of[m["name"]],
            "name": m["name"],
            "status": m["status"],
            "iso_code": m["iso2"] or "",
            "region": m["region"],
            "joined": m["joined"],
            "capital": m["capital"] or "",
            "verified": m["verified"],
            "partly_verified": partly_verified(m),
            "notes": member_notes(m),
            "sources": m["sources"],
            "roles": [
                {
                    "dimension": r["dimension"],
                    "area": r["area"],
                    "role": r["role"],
                    "as_of": r["as_of"],
                    "verified": r["verified"],
                    "sources": r["sources"],
                }
                for r in m["dimension_roles"]
            ],
        }
        for m in members
    ]

    out["chairmanships"] = []
    for c in data["chairmanships"]:
        assert c["country"] in names, c
        out["chairmanships"].append(
            {
                "slug": f"{slug_of[c['country']]}-{c['start']}-{c['end']}",
                "member": slug_of[c["country"]],
                "start_year": c["start"],
                "end_year": c["end"],
                "summary": c["notes"] or "",
                "verified": c["verified"],
                "sources": c["sources"],
            }
        )

    out["events"] = []
    seen = set()
    for e in data["events"]:
        start = e["start_date"]
        precision = {4: "year", 7: "month", 10: "day"}[len(start)]
        year = start[:4]
        slug = slugify(e["title"])
        if year not in slug:
            slug = f"{slug}-{year}"
        assert slug not in seen, slug
        seen.add(slug)
        out["events"].append(
            {
                "slug": slug,
                "title": e["title"],
                "kind": EVENT_KINDS.get(e["title"], e["kind"]),
                "ordinal": e["ordinal"],
                "start_date": start,
                "date_precision": precision,
                "city": e["city"] or "",
                "country": e["country"] or "",
                "online": is_online(e),
                # A meeting held in a member state is hosted by it; sessions beside
                # the UN General Assembly in New York have no CICA host.
                "host": slug_of[e["country"]] if e["country"] in states else None,
                "status": e["status"],
                "summary": e["summary"],
                "dimensions": EVENT_DIMENSIONS.get(e["title"], []),
                "verified": e["verified"],
                "partly_verified": partly_verified(e),
                "notes": e["notes"] or "",
                "sources": e["sources"],
                "documents": [{"title": title, "kind": document_kind(title)} for title in e["outcome_documents"]],
            }
        )
    event_slug = {e["title"]: e["slug"] for e in out["events"]}

    chair_slug = {
        f"{c['country']} {c['start']}-{c['end']}": f"{slug_of[c['country']]}-{c['start']}-{c['end']}"
        for c in data["chairmanships"]
    }
    chair_member = {f"{c['country']} {c['start']}-{c['end']}": slug_of[c["country"]] for c in data["chairmanships"]}
    out["initiatives"] = []
    for i in data["initiatives"]:
        out["initiatives"].append(
            {
                "slug": slugify(i["title"]),
                "title": i["title"],
                "status": i["status"],
                "proposed_by": i["proposed_by"],
                "author": COMMENTARY_AUTHORS[i["sources"][0]] if i["proposed_by"] == "commentary" else "",
                "chairmanship": chair_slug[i["chairmanship"]] if i["chairmanship"] else None,
                "lead": chair_member[i["chairmanship"]] if i["proposed_by"] == "chairmanship" else None,
                "dimensions": i["dimensions"],
                "events": [event_slug[t] for t in RELATED_EVENTS.get(i["title"], [])],
                "summary": i["summary"],
                "verified": i["verified"],
                "partly_verified": partly_verified(i),
                "notes": i["notes"] or "",
                "sources": i["sources"],
            }
        )

    sec = data["secretariat"]
    out["organs"] = []
    for position, o in enumerate(data["organs"], start=1):
        body, sources = "", o["sources"]
        if o["name"] == "Secretariat":
            # The card's details come from the fact sheet's secretariat record: cite its sources too.
            sources = list(dict.fromkeys(o["sources"] + sec["sources"]))
            body = "\n".join(
                [
                    sec["summary"],
                    f"Address: {sec['address']}.",
                    f"Established: {sec['established']}; previously in {sec['previous_location']}.",
                ]
            )
        out["organs"].append(
            {
                "slug": slugify(o["name"].split(" (")[0]),
                "name": o["name"],
                "kind": o["kind"],
                "summary": o["summary"],
                "body": body,
                "position": position,
                "verified": o["verified"],
                "partly_verified": partly_verified(o),
                "notes": "" if o["notes"] in NOTES_DROPPED else o["notes"] or "",
                "sources": sources,
            }
        )
    # CICA's own status at the UN (the fact sheet files it with the Secretariat; it is CICA's).
    out["about"]["un_observer_status"] = {"text": sec["un_observer_status"], "sources": ["S05", "S50"]}
    out["secretariat_heads"] = secretariat_heads(sec)
    out["partners"] = sec["partner_organizations"]
    out["legacy_redirects"] = legacy_redirects(out)
    return out


ORDINAL_WORDS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]


def legacy_redirects(out):
    """Old official-site pages: index.php?view=page&t=first-summit, ...t=second-ministerial, dimension pages."""
    redirects = []
    for event in out["events"]:
        if event["ordinal"] and event["kind"] in {"summit", "ministerial"} and event["status"] == "held":
            key = f"{ORDINAL_WORDS[event['ordinal'] - 1]}-{event['kind']}"
            redirects.append({"kind": "page", "key": key, "target": f"/events/{event['slug']}/"})
    redirects += [
        {"kind": "page", "key": "military-political-dimension", "target": "/dimensions/military-political/"},
        {
            "kind": "page",
            "key": "new-challenges-and-threats-general",
            "target": "/dimensions/new-challenges-threats/#new-challenges-and-threats-general",
        },
    ]
    return redirects


if __name__ == "__main__":
    shared = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
    result = build(shared)
    OUT.write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    print(f"wrote {OUT}: " + ", ".join(f"{len(v)} {k}" for k, v in result.items() if isinstance(v, list)))
