"""Build members/map.json (the members map's shapes) and static/flags/ (the states' flags). Run once.

    mkdir -p /tmp/map-src && cd /tmp/map-src && npm pack world-atlas@2.0.2 flag-icons@7.5.0
    mkdir atlas flags && tar xzf world-atlas-2.0.2.tgz -C atlas && tar xzf flag-icons-7.5.0.tgz -C flags
    python3 -m venv /tmp/map-venv && /tmp/map-venv/bin/pip install pycountry==26.2.16
    cd - && /tmp/map-venv/bin/python scripts/build_map.py /tmp/map-src/atlas/package/countries-50m.json \
        /tmp/map-src/flags/package

Flags: flag-icons 7.5.0 (npm, MIT), the 4:3 SVG of every state with an ISO code in the CICA content
(cicasite/data/cica.json), copied to static/flags/<code>.svg with the licence beside them. A state
that joins later gets its flag by running this again (or an editor uploads one: Member.flag).

Input: world-atlas 2.0.2 (npm, ISC), Natural Earth 4.1.0 admin-0 countries at 1:50m (public domain)
as TopoJSON; pycountry 26.2.16 turns its ISO 3166-1 numeric ids into alpha-2 codes.

Output: one JSON file of SVG path strings in a fixed frame (longitude 21°E to 147°E, latitude 11°S
to 57°N: Egypt, Türkiye and Ukraine to Japan and Indonesia), equirectangular with the 30th
parallel true to scale, simplified and rounded to whole units of an 800-unit-wide view box (about
one pixel at the width the page shows it). Every country in the frame is kept, keyed by alpha-2
(a territory without an ISO code by "_" and its name): the page draws CICA's states from it and the
rest as faint background, so a state that joins later is on the map without a new build. States
outside the frame (the United States) get an inset in the bottom right corner. Each state also
gets a marker point: the middle of its largest part, where the page puts a dot for states too
small to find or to click at phone width (Bahrain, Qatar, Palestine...).

Borders stay shared after simplification: TopoJSON arcs are simplified once each (their ends
fixed), then assembled into rings, then clipped to the frame.
"""

import json
import math
import sys
from pathlib import Path

import pycountry

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "members" / "map.json"
FLAGS = ROOT / "static" / "flags"
CONTENT = ROOT / "cicasite" / "data" / "cica.json"

WIDTH = 500
WEST, EAST, SOUTH, NORTH = 21.0, 147.0, -11.0, 57.0
X_SCALE = math.cos(math.radians(30))
SCALE = WIDTH / ((EAST - WEST) * X_SCALE)
HEIGHT = round((NORTH - SOUTH) * SCALE)
MARGIN = 3  # clip a little outside the view box, so that no border is drawn along its edge
TOLERANCE = 1.8  # Douglas-Peucker, in view box units, for CICA's states
BACKGROUND_TOLERANCE = 4  # for the borders and coasts of no CICA state
MIN_AREA = 10  # islands smaller than this (square units) are dropped, except a country's largest part

BACKGROUND_MIN_AREA = 80
SMALL = 10  # states narrower and lower than this (view box units) get a marker dot: too small to find or click
# Markers moved off their state so that neighbours' dots do not overlap; a line leads back to the state.
MARKER_OFFSETS = {"BH": (-1, -6), "QA": (4, 1)}

# Insets for states outside the frame: (west, east, south, north) of the inset's own map, and the
# box it is drawn in (x, y, width) in view box units; height follows.
INSETS = {"US": ((-125.0, -66.5, 24.0, 50.0), (WIDTH - 92, HEIGHT - 150, 86))}


def decode_arcs(topology):
    kx, ky = topology["transform"]["scale"]
    tx, ty = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * kx + tx, y * ky + ty))
        arcs.append(points)
    return arcs


def project_main(lon, lat):
    return ((lon - WEST) * X_SCALE * SCALE, (NORTH - lat) * SCALE)


def inset_projection(bounds, box):
    west, east, south, north = bounds
    x0, y0, width = box
    x_scale = math.cos(math.radians((south + north) / 2))
    scale = width / ((east - west) * x_scale)
    height = (north - south) * scale

    def project(lon, lat):
        return (x0 + (lon - west) * x_scale * scale, y0 + (north - lat) * scale)

    return project, (x0, y0, width, height)


def simplify(points, tolerance):
    """Douglas-Peucker, iterative; the two ends are always kept."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        length = math.hypot(dx, dy)
        worst, worst_distance = None, tolerance
        for i in range(first + 1, last):
            px, py = points[i]
            if length:
                distance = abs(dy * (px - ax) - dx * (py - ay)) / length
            else:
                distance = math.hypot(px - ax, py - ay)
            if distance > worst_distance:
                worst, worst_distance = i, distance
        if worst is not None:
            keep[worst] = True
            stack += [(first, worst), (worst, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring(arc_ids, arcs):
    points = []
    for index in arc_ids:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc if not points else arc[1:])
    return points


def clip(points, x0, y0, x1, y1):
    """Sutherland-Hodgman against a rectangle."""
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: (x0, a[1] + (b[1] - a[1]) * (x0 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[0] <= x1, lambda a, b: (x1, a[1] + (b[1] - a[1]) * (x1 - a[0]) / (b[0] - a[0]))),
        (lambda p: p[1] >= y0, lambda a, b: (a[0] + (b[0] - a[0]) * (y0 - a[1]) / (b[1] - a[1]), y0)),
        (lambda p: p[1] <= y1, lambda a, b: (a[0] + (b[0] - a[0]) * (y1 - a[1]) / (b[1] - a[1]), y1)),
    ]
    for inside, cross in edges:
        if not points:
            break
        result = []
        previous = points[-1]
        for point in points:
            if inside(point):
                if not inside(previous):
                    result.append(cross(previous, point))
                result.append(point)
            elif inside(previous):
                result.append(cross(previous, point))
            previous = point
        points = result
    return points


def area(points):
    return sum(a[0] * b[1] - b[0] * a[1] for a, b in zip(points, points[1:] + points[:1], strict=True)) / 2


def middle(points):
    """The centroid of a ring (its vertices' mean when the ring is degenerate)."""
    a = area(points)
    if abs(a) < 1e-9:
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    cx = cy = 0.0
    for (x0, y0), (x1, y1) in zip(points, points[1:] + points[:1], strict=True):
        cross = x0 * y1 - x1 * y0
        cx += (x0 + x1) * cross
        cy += (y0 + y1) * cross
    return (cx / (6 * a), cy / (6 * a))


def path(rings):
    """SVG path data: absolute moveto, then relative lineto in whole units."""
    parts = []
    for points in rings:
        x, y = points[0]
        out = [f"M{x} {y}l"]
        numbers = []
        for px, py in points[1:]:
            numbers += [px - x, py - y]
            x, y = px, py
        # A minus sign separates numbers by itself: "3-2 4" is 3, -2, 4.
        text = "".join(str(n) if n < 0 or i == 0 else f" {n}" for i, n in enumerate(numbers))
        out.append(text + "z")
        parts.append("".join(out))
    return "".join(parts)


def rounded(points):
    result = []
    for x, y in points:
        p = (round(x), round(y))
        if not result or p != result[-1]:
            result.append(p)
    while len(result) > 1 and result[0] == result[-1]:
        result.pop()
    return result


def key_of(geometry):
    code = geometry.get("id")
    country = pycountry.countries.get(numeric=code) if code else None
    if country:
        return country.alpha_2
    return "_" + geometry["properties"]["name"].lower().replace(" ", "-").replace(".", "")


def polygons_of(geometry):
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["arcs"]
    return []


def shapes(geometries, arcs, project, frame, states):
    """{key: {"d": path, "w": width, "h": height[, "marker": [x, y]]}} for the geometries inside the frame.

    Arcs of `states` (CICA's) are simplified less than the rest, and only their islands are kept.
    """
    projected = [[project(lon, lat) for lon, lat in arc] for arc in arcs]
    fine = {
        index if index >= 0 else ~index
        for geometry in geometries
        if key_of(geometry) in states
        for polygon in polygons_of(geometry)
        for arc_ids in polygon
        for index in arc_ids
    }
    simplified = {}
    x0, y0, x1, y1 = frame
    result = {}
    for geometry in geometries:
        rings = []
        for polygon in polygons_of(geometry):
            for arc_ids in polygon:
                for index in arc_ids:
                    i = index if index >= 0 else ~index
                    if i not in simplified:
                        simplified[i] = simplify(projected[i], TOLERANCE if i in fine else BACKGROUND_TOLERANCE)
                box = (x0 - MARGIN, y0 - MARGIN, x1 + MARGIN, y1 + MARGIN)
                clipped = clip(ring(arc_ids, simplified), *box)
                if len(clipped) < 3:  # simplified away (Bahrain): its full outline still places the marker
                    clipped = clip(ring(arc_ids, projected), *box)
                if len(clipped) >= 3:
                    rings.append((abs(area(clipped)), rounded(clipped), clipped))
        if not rings:
            continue
        rings.sort(key=lambda item: -item[0])
        # The largest part always stays (as a marker alone when it rounds to less than a triangle: Bahrain).
        key = key_of(geometry)
        smallest = MIN_AREA if key in states else BACKGROUND_MIN_AREA
        kept = [points for size, points, _ in rings if len(points) >= 3 and (size >= smallest or size == rings[0][0])]
        clipped = [p for _, _, ring_points in rings[:1] for p in ring_points]
        xs = [p[0] for p in clipped] + [p[0] for points in kept for p in points]
        ys = [p[1] for p in clipped] + [p[1] for points in kept for p in points]
        width, height = max(xs) - min(xs), max(ys) - min(ys)
        mx, my = middle(rings[0][2])
        shape = {"d": path(kept), "w": round(width), "h": round(height)}
        if max(width, height) < SMALL:
            dx, dy = MARKER_OFFSETS.get(key, (0, 0))
            shape["marker"] = [round(mx + dx), round(my + dy)]
            if dx or dy:
                shape["anchor"] = [round(mx), round(my)]
        result[key] = shape
    return result


def content_codes():
    """The ISO codes of the states in the CICA content."""
    return sorted({m["iso_code"].upper() for m in json.loads(CONTENT.read_text())["members"] if m.get("iso_code")})


def main(source):
    states = set(content_codes())
    topology = json.loads(Path(source).read_text())
    arcs = decode_arcs(topology)
    geometries = topology["objects"]["countries"]["geometries"]
    countries = shapes(geometries, arcs, project_main, (0, 0, WIDTH, HEIGHT), states)
    insets = {}
    for code, (bounds, box) in INSETS.items():
        project, (x, y, width, height) = inset_projection(bounds, box)
        mine = [g for g in geometries if key_of(g) == code]
        shape = shapes(mine, arcs, project, (x, y, x + width, y + height), states)[code]
        insets[code] = shape | {"box": [round(x), round(y), round(width), round(height)]}
        countries.pop(code, None)
    data = {
        "source": "Natural Earth 4.1.0 admin-0 countries 1:50m (public domain), via world-atlas 2.0.2; "
        "built by scripts/build_map.py",
        "width": WIDTH,
        "height": HEIGHT,
        "countries": dict(sorted(countries.items())),
        "insets": insets,
    }
    OUT.write_text(json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n")
    size = sum(len(c["d"]) for c in countries.values())
    print(f"{OUT}: {len(countries)} countries, {size} bytes of path data, {WIDTH}x{HEIGHT}")


def copy_flags(flag_icons):
    """The 4:3 flags of the content's states, and flag-icons' licence."""
    codes = [code.lower() for code in content_codes()]
    FLAGS.mkdir(exist_ok=True)
    for old in FLAGS.glob("*.svg"):
        old.unlink()
    for code in codes:
        (FLAGS / f"{code}.svg").write_bytes((Path(flag_icons) / "flags" / "4x3" / f"{code}.svg").read_bytes())
    licence = (Path(flag_icons) / "LICENSE").read_text()
    (FLAGS / "LICENSE-flag-icons.txt").write_text(
        "The flags in this folder are from flag-icons 7.5.0 (https://github.com/lipis/flag-icons),\n"
        "copied unchanged by scripts/build_map.py, under this licence:\n\n" + licence
    )
    size = sum(f.stat().st_size for f in FLAGS.glob("*.svg"))
    print(f"{FLAGS}: {len(codes)} flags, {size} bytes")


if __name__ == "__main__":
    main(sys.argv[1])
    copy_flags(sys.argv[2])
