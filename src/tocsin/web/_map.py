"""World and country maps drawn as SVG on the server from the bundled Natural Earth file.

The TopoJSON (``static/countries-110m.json``) is decoded once; each country becomes
one SVG path in an equirectangular projection. No script or tile server is needed, so
maps work offline and without JavaScript.

The world's geometry (about 210 kB) is one cacheable file, ``/map/world.svg``, holding a
path per country (``id="c<ISO numeric>"``). A page draws the world by referring to those
paths (``<use href="/map/world.svg#c729" class="band5">``): it sends only the colours,
links and labels, and the browser fetches the geometry once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

WORLD_FILE = Path(__file__).parent / "static" / "countries-110m.json"
WIDTH, HEIGHT = 960.0, 450.0
NORTH, SOUTH = 84.0, -60.0
ANTARCTICA = 10  # ISO numeric; left out: no forecasts, and it would fill the bottom edge


@dataclass(frozen=True)
class Shape:
    """A country's rings as (longitude, latitude) lists, keyed by ISO numeric code."""

    isonum: int
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


def _decode_arcs(topology: dict[str, Any]) -> list[list[tuple[float, float]]]:
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _ring(arcs: list[list[tuple[float, float]]], indexes: list[int]) -> list[tuple[float, float]]:
    points: list[tuple[float, float]] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


@cache
def world_shapes() -> tuple[Shape, ...]:
    """Every country of the bundled file (those without an ISO code are skipped)."""
    topology = json.loads(WORLD_FILE.read_text(encoding="utf-8"))
    arcs = _decode_arcs(topology)
    shapes = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        code = geometry.get("id")
        if code is None or not str(code).isdigit() or int(code) == ANTARCTICA:
            continue
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        rings = tuple(tuple(_ring(arcs, ring)) for polygon in polygons for ring in polygon)
        shapes.append(Shape(int(code), geometry["properties"]["name"], rings))
    return tuple(shapes)


def project(longitude: float, latitude: float) -> tuple[float, float]:
    """Equirectangular projection onto the world map's pixel frame."""
    x = (longitude + 180.0) / 360.0 * WIDTH
    y = (NORTH - max(min(latitude, NORTH), SOUTH)) / (NORTH - SOUTH) * HEIGHT
    return round(x, 1), round(y, 1)


def svg_path(shape: Shape, frame: tuple[float, float, float, float] | None = None) -> str:
    """The SVG path data of a shape, in world pixels or fitted into ``frame`` (x0, y0, x1, y1)."""
    parts = []
    for ring in shape.rings:
        points = [project(lon, lat) for lon, lat in ring]
        jumps = {i for i in range(1, len(points)) if abs(points[i][0] - points[i - 1][0]) > 180}
        if frame is not None:
            points = [_fit(p, frame) for p in points]
        # a ring crossing the antimeridian is cut there instead of striping across the map
        path = "".join(
            ("M" if i == 0 or i in jumps else "L") + f"{x:g},{y:g}"
            for i, (x, y) in enumerate(points)
        )
        parts.append(path + "Z")
    return "".join(parts)


def _fit(
    point: tuple[float, float], frame: tuple[float, float, float, float]
) -> tuple[float, float]:
    x0, y0, x1, y1 = frame
    scale = min(WIDTH / max(x1 - x0, 1e-6), HEIGHT / max(y1 - y0, 1e-6))
    return round((point[0] - x0) * scale, 1), round((point[1] - y0) * scale, 1)


def bounds(shape: Shape) -> tuple[float, float, float, float]:
    """The pixel bounding box of a shape's largest ring (islands far away are left out)."""
    largest = max(shape.rings, key=len)
    xs, ys = zip(*(project(lon, lat) for lon, lat in largest), strict=True)
    pad = 6.0
    return min(xs) - pad, min(ys) - pad, max(xs) + pad, max(ys) + pad


def fit_point(
    longitude: float, latitude: float, frame: tuple[float, float, float, float]
) -> tuple[float, float]:
    """A point in the frame of a fitted country map."""
    return _fit(project(longitude, latitude), frame)


@cache
def world_paths() -> tuple[tuple[int, str, str], ...]:
    """(ISO numeric, name, SVG path) of every country, computed once per process."""
    return tuple((shape.isonum, shape.name, svg_path(shape)) for shape in world_shapes())


WORLD_SVG = "/map/world.svg"
router = APIRouter(include_in_schema=False)


@cache
def world_svg() -> tuple[bytes, str]:
    """The world's geometry as an SVG document, and its entity tag (a digest of it)."""
    paths = "".join(f'<path id="c{n}" d="{d}"/>' for n, _name, d in world_paths())
    document = (
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {WIDTH:g} {HEIGHT:g}"><defs>{paths}</defs></svg>'
    ).encode()
    return document, '"' + hashlib.sha256(document).hexdigest()[:20] + '"'


@router.get(WORLD_SVG)
def world_svg_file(request: Request) -> Response:
    """The geometry: public data (Natural Earth), the same for everyone, cached a day.

    It carries no risk figures, so it needs no sign-in and may sit in shared caches.
    """
    document, etag = world_svg()
    headers = {"ETag": etag, "Cache-Control": "public, max-age=86400"}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(document, media_type="image/svg+xml", headers=headers)


def world_use(isonum: int) -> str:
    """The SVG element that draws one country of the world file (add class and children)."""
    return f'<use href="{WORLD_SVG}#c{isonum}"'
