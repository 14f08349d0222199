"""Plain helpers that create real rows: make_<model>(**overrides)."""

import io
from datetime import date
from itertools import count

from PIL import Image

from cicasite.core.models import Publishable, Source
from events.models import Document, Event
from initiatives.models import Chairmanship, Initiative
from members.models import Dimension, Member, PriorityArea, Region, Role

_seq = count(1)
PUBLISHED = Publishable.PublicationStatus.PUBLISHED
DRAFT = Publishable.PublicationStatus.DRAFT


def make_dimension(**overrides):
    n = next(_seq)
    values = {"name": f"Dimension {n}", "short_name": f"Dim {n}", "slug": f"dimension-{n}", "position": n}
    values.update(overrides)
    return Dimension.objects.create(**values)


def make_area(dimension=None, **overrides):
    n = next(_seq)
    values = {"dimension": dimension or make_dimension(), "name": f"Area {n}", "slug": f"area-{n}", "position": n}
    values.update(overrides)
    return PriorityArea.objects.create(**values)


def make_region(**overrides):
    n = next(_seq)
    values = {"name": f"Region {n}", "slug": f"region-{n}"}
    values.update(overrides)
    return Region.objects.create(**values)


def make_member(**overrides):
    n = next(_seq)
    values = {
        "name": f"Member {n:05d}",
        "slug": f"member-{n}",
        "status": Member.Status.MEMBER,
        "publication_status": PUBLISHED,
        "capital": f"Capital {n}",
        "joined": 1999,
        "verified": True,  # a checked record, as the loaded content mostly is (new ones start unverified)
    }
    values.update(overrides)
    return Member.objects.create(**values)


def make_role(member=None, area=None, **overrides):
    values = {
        "member": member or make_member(),
        "area": area or make_area(),
        "role": Role.Kind.COORDINATOR,
        "as_of": 2022,
        "verified": True,
    }
    values.update(overrides)
    return Role.objects.create(**values)


def make_event(**overrides):
    n = next(_seq)
    values = {
        "title": f"Meeting {n}",
        "slug": f"meeting-{n}",
        "kind": Event.Kind.MINISTERIAL,
        "start_date": date(2020, 1, 1),
        "status": Event.Status.HELD,
        "publication_status": PUBLISHED,
        "city": "Astana",
        "country": "Kazakhstan",
    }
    values.update(overrides)
    return Event.objects.create(**values)


def make_document(event=None, **overrides):
    n = next(_seq)
    values = {"event": event or make_event(), "title": f"Declaration {n}", "publication_status": PUBLISHED}
    values.update(overrides)
    return Document.objects.create(**values)


def make_chairmanship(member=None, **overrides):
    member = member or make_member()
    values = {"member": member, "start_year": 2020, "end_year": 2022}
    values.update(overrides)
    values.setdefault("slug", f"{member.slug}-{values['start_year']}-{values['end_year']}")
    return Chairmanship.objects.create(**values)


def make_initiative(**overrides):
    n = next(_seq)
    values = {
        "title": f"Initiative {n}",
        "slug": f"initiative-{n}",
        "status": Initiative.Status.PROPOSED,
        # A CICA initiative by default; an idea from public debate says proposed_by="commentary".
        "proposed_by": Initiative.ProposedBy.MEMBER,
        "publication_status": PUBLISHED,
    }
    values.update(overrides)
    return Initiative.objects.create(**values)


def make_source(**overrides):
    n = next(_seq)
    values = {"code": f"S{n:03}", "title": f"Source {n}"}
    values.update(overrides)
    return Source.objects.get_or_create(code=values.pop("code"), defaults=values)[0]


def image_bytes(fmt="PNG", size=(60, 40), color=(0, 90, 160)):
    """A real image file of the given format, as bytes."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    return buffer.getvalue()


def pdf_bytes():
    """A minimal but well-formed one-page PDF."""
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


def text_pdf_bytes(*pages):
    """A real PDF whose pages carry the given texts (each a string; lines split on newlines), English
    or Cyrillic: a simple font with a ToUnicode map, which is what PDF readers extract text by."""
    chars = sorted({ch for page in pages for ch in page if ch != "\n"})
    if len(chars) > 254:
        raise ValueError("text_pdf_bytes: at most 254 distinct characters")
    code = {ch: index + 1 for index, ch in enumerate(chars)}
    cmap = "\n".join(f"<{code[ch]:02X}> <{ord(ch):04X}>" for ch in chars)
    to_unicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap /CMapName /Test def "
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
        "1 begincodespacerange <00> <FF> endcodespacerange "
        f"{len(chars)} beginbfchar\n{cmap}\nendbfchar endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    objects = {
        1: "<</Type/Catalog/Pages 2 0 R>>",
        3: "<</Type/Font/Subtype/Type1/BaseFont/Helvetica/FirstChar 1/LastChar 255/ToUnicode 4 0 R>>",
    }
    objects[4] = f"<</Length {len(to_unicode)}>>stream\n{to_unicode}\nendstream"
    kids = []
    for number, page in enumerate(pages):
        page_obj, content_obj = 5 + 2 * number, 6 + 2 * number
        lines = [f"<{''.join(f'{code[ch]:02X}' for ch in line)}> Tj 0 -14 Td" for line in page.split("\n")]
        content = "BT /F1 11 Tf 40 800 Td " + " ".join(lines) + " ET"
        objects[page_obj] = (
            "<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]/Resources<</Font<</F1 3 0 R>>>>"
            f"/Contents {content_obj} 0 R>>"
        )
        objects[content_obj] = f"<</Length {len(content)}>>stream\n{content}\nendstream"
        kids.append(f"{page_obj} 0 R")
    objects[2] = f"<</Type/Pages/Kids[{' '.join(kids)}]/Count {len(pages)}>>"
    out, offsets = bytearray(b"%PDF-1.4\n"), {}
    for number in sorted(objects):
        offsets[number] = len(out)
        out += f"{number} 0 obj{objects[number]}endobj\n".encode("latin-1")
    xref = len(out)
    size = max(objects) + 1
    out += f"xref\n0 {size}\n0000000000 65535 f \n".encode()
    for number in range(1, size):
        out += f"{offsets[number]:010d} 00000 n \n".encode()
    out += f"trailer<</Size {size}/Root 1 0 R>>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
