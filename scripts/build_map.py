#!/usr/bin/env python3
"""Build the small map file the indicator maps load: Kartverket's municipalities (2024 codes) simplified and quantised.

    .venv/bin/python scripts/build_map.py            # writes samhandling/static/maps/kommuner_2024.topo.json

Standard library only. The source keeps its topology (neighbouring municipalities share arcs), so simplifying each
arc on its own (Douglas–Peucker, endpoints kept) keeps shared borders identical on both sides. Small islands are
dropped (each municipality keeps at least its largest piece), coordinates are quantised to integers and
delta-encoded as TopoJSON does. Two objects are written:

- `kommuner`: one geometry per municipality, id = kommunenummer, properties `name` and `hf` (the health community's
  key from core/reference_data/helsefellesskap_kommune_2024.csv);
- `helsefellesskap`: one MultiLineString per community: the arcs on its outline (used once among its municipalities),
  so a map can outline a community, or draw the 19 communities as merged areas over the municipalities.

Source and licence: samhandling/indicators/mapdata/SOURCE.md (© Kartverket, CC BY 4.0).
"""

from __future__ import annotations

import csv
import gzip
import json
import math
import sys
from itertools import pairwise
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ROOT / "samhandling" / "indicators" / "mapdata" / "kommuner_2024.topojson"
COMMUNITIES = ROOT / "samhandling" / "core" / "reference_data" / "helsefellesskap_kommune_2024.csv"
TARGET = ROOT / "samhandling" / "static" / "maps" / "kommuner_2024.topo.json"

TOLERANCE = 0.012  # degrees of latitude (~1.3 km): finer than a municipality on a national map needs
MIN_ISLAND = 0.0025  # square degrees (scaled) below which a piece that is not the municipality's largest is dropped
QUANTISATION = 4000  # grid steps across the bounding box
LAT_SCALE = math.cos(math.radians(65))  # a degree of longitude is this many degrees of latitude at 65° N


def _perpendicular(point, start, end) -> float:
    (x, y), (x1, y1), (x2, y2) = point, start, end
    dx, dy = (x2 - x1) * LAT_SCALE, y2 - y1
    px, py = (x - x1) * LAT_SCALE, y - y1
    length = math.hypot(dx, dy)
    if length == 0:
        return math.hypot(px, py)
    return abs(dx * py - dy * px) / length


def _douglas_peucker(points: list, tolerance: float) -> list:
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, None
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if index is not None and worst > tolerance:
            keep[index] = True
            stack.extend([(first, index), (index, last)])
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def simplify_arc(points: list, tolerance: float) -> list:
    """An arc simplified with its endpoints kept; a closed arc (an island) is split at its farthest point first so it
    stays a ring."""
    if points[0] == points[-1] and len(points) > 3:
        far = max(range(len(points)), key=lambda i: _perpendicular(points[i], points[0], points[0]))
        return _douglas_peucker(points[: far + 1], tolerance)[:-1] + _douglas_peucker(points[far:], tolerance)
    return _douglas_peucker(points, tolerance)


def _ring_points(ring: list[int], arcs: list[list]) -> list:
    points = []
    for index in ring:
        arc = arcs[index] if index >= 0 else list(reversed(arcs[~index]))
        points.extend(arc if not points else arc[1:])
    return points


def _signed_area(points: list) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points)) / 2


def _wound(polygon: list, arcs: list) -> list:
    """d3-geo (and so Vega) reads a ring on the sphere: an exterior ring must run clockwise, a hole counter-clockwise,
    or the polygon is taken as the whole globe outside it. The source runs the other way (RFC 7946), so rings are
    turned where needed (the arcs stay shared: a turned ring walks the same arcs backwards)."""
    turned = []
    for number, ring in enumerate(polygon):
        clockwise = _signed_area(_ring_points(ring, arcs)) < 0
        wanted = number == 0
        turned.append(ring if clockwise == wanted else [~index for index in reversed(ring)])
    return turned


def _area(points: list) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in pairwise(points))) / 2 * LAT_SCALE


def _polygons(geometry: dict) -> list:
    if geometry["type"] == "Polygon":
        return [geometry["arcs"]]
    if geometry["type"] == "MultiPolygon":
        return list(geometry["arcs"])
    return []


def build(source: Path = SOURCE, target: Path = TARGET) -> dict:
    topology = json.loads(source.read_text(encoding="utf-8"))
    if "transform" in topology:
        raise SystemExit("the source is quantised already; expected absolute coordinates")
    arcs = [simplify_arc([tuple(p) for p in arc], TOLERANCE) for arc in topology["arcs"]]
    with COMMUNITIES.open(encoding="utf-8") as handle:
        community_of = {row["kommunenummer"]: row["helsefellesskap"] for row in csv.DictReader(handle)}

    municipalities = []
    for geometry in topology["objects"]["Kommuner"]["geometries"]:
        code = geometry["properties"]["kommunenummer"]
        pieces = _polygons(geometry)
        areas = [_area(_ring_points(piece[0], arcs)) for piece in pieces]
        largest = max(range(len(pieces)), key=areas.__getitem__)
        kept = [_wound(piece, arcs) for i, piece in enumerate(pieces) if i == largest or areas[i] >= MIN_ISLAND]
        municipalities.append(
            {
                "code": code,
                "name": geometry["properties"].get("kommunenavn") or geometry["properties"].get("name"),
                "hf": community_of.get(code, ""),
                "polygons": kept,
            }
        )

    # Keep only the arcs still used, renumbered.
    used = sorted({abs(~i) if i < 0 else i for m in municipalities for p in m["polygons"] for r in p for i in r})
    renumber = {old: new for new, old in enumerate(used)}

    def remap(index: int) -> int:
        return renumber[index] if index >= 0 else ~renumber[~index]

    for m in municipalities:
        m["polygons"] = [[[remap(i) for i in ring] for ring in polygon] for polygon in m["polygons"]]
    arcs = [arcs[old] for old in used]

    # Quantise and delta-encode.
    xs = [x for arc in arcs for x, _y in arc]
    ys = [y for arc in arcs for _x, y in arc]
    x0, y0 = min(xs), min(ys)
    kx = (max(xs) - x0) / (QUANTISATION - 1)
    ky = (max(ys) - y0) / (QUANTISATION - 1)
    encoded = []
    for arc in arcs:
        previous, out = (0, 0), []
        for x, y in arc:
            q = (round((x - x0) / kx), round((y - y0) / ky))
            if out and q == previous:
                continue
            out.append([q[0] - previous[0], q[1] - previous[1]])
            previous = q
        if len(out) < 2:  # a border shorter than one grid step: keep both ends
            out.append([0, 0])
        encoded.append(out)

    geometries = []
    for m in municipalities:
        shape = (
            {"type": "Polygon", "arcs": m["polygons"][0]}
            if len(m["polygons"]) == 1
            else {"type": "MultiPolygon", "arcs": m["polygons"]}
        )
        geometries.append({**shape, "id": m["code"], "properties": {"name": m["name"], "hf": m["hf"]}})

    outlines = []
    for community in sorted({m["hf"] for m in municipalities if m["hf"]}):
        counts: dict[int, int] = {}
        for m in municipalities:
            if m["hf"] != community:
                continue
            for polygon in m["polygons"]:
                for ring in polygon:
                    for i in ring:
                        key = i if i >= 0 else ~i
                        counts[key] = counts.get(key, 0) + 1
        border = sorted(key for key, count in counts.items() if count == 1)
        outlines.append({"type": "MultiLineString", "arcs": [[key] for key in border], "id": community})

    result = {
        "type": "Topology",
        "transform": {"scale": [kx, ky], "translate": [x0, y0]},
        "objects": {
            "kommuner": {"type": "GeometryCollection", "geometries": geometries},
            "helsefellesskap": {"type": "GeometryCollection", "geometries": outlines},
        },
        "arcs": encoded,
    }
    text = json.dumps(result, separators=(",", ":"), ensure_ascii=False)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text, encoding="utf-8")
    return {
        "municipalities": len(geometries),
        "communities": len(outlines),
        "arcs": len(encoded),
        "points": sum(len(a) for a in encoded),
        "bytes": len(text.encode()),
        "gzip_bytes": len(gzip.compress(text.encode(), 9)),
    }


if __name__ == "__main__":
    print(json.dumps(build(), indent=2), file=sys.stdout)
