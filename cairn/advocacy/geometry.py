"""Point in polygon, in pure Python (no GEOS, no network service): which district holds a point.

A district's shape is a list of polygons; a polygon is a list of rings of (lon, lat) pairs, the
first ring its outline and the others its holes (GeoJSON's order). A point is inside a polygon
when it is inside the outline and in no hole, by the even-odd ray-casting rule; a point exactly on
an edge counts as inside (a supporter on a border street reaches a district, not none).
"""

from __future__ import annotations

from collections.abc import Sequence

Ring = Sequence[Sequence[float]]
Polygon = Sequence[Ring]


def _on_segment(x: float, y: float, x1: float, y1: float, x2: float, y2: float) -> bool:
    cross = (x2 - x1) * (y - y1) - (y2 - y1) * (x - x1)
    if abs(cross) > 1e-12:
        return False
    return min(x1, x2) - 1e-12 <= x <= max(x1, x2) + 1e-12 and (
        min(y1, y2) - 1e-12 <= y <= max(y1, y2) + 1e-12
    )


def in_ring(x: float, y: float, ring: Ring) -> bool:
    """Even-odd test of (x, y) against a closed ring; a point on the ring is inside."""
    inside = False
    n = len(ring)
    j = n - 1
    for i in range(n):
        xi, yi = float(ring[i][0]), float(ring[i][1])
        xj, yj = float(ring[j][0]), float(ring[j][1])
        if _on_segment(x, y, xi, yi, xj, yj):
            return True
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def in_polygon(x: float, y: float, polygon: Polygon) -> bool:
    if not polygon or not in_ring(x, y, polygon[0]):
        return False
    return not any(in_ring(x, y, hole) and not _on_ring(x, y, hole) for hole in polygon[1:])


def _on_ring(x: float, y: float, ring: Ring) -> bool:
    return any(
        _on_segment(x, y, ring[i - 1][0], ring[i - 1][1], ring[i][0], ring[i][1])
        for i in range(len(ring))
    )


def in_shape(lon: float, lat: float, polygons: Sequence[Polygon]) -> bool:
    """True when the point lies in any of the shape's polygons."""
    return any(in_polygon(lon, lat, polygon) for polygon in polygons)


def bounds(polygons: Sequence[Polygon]) -> tuple[float, float, float, float]:
    """(min lon, min lat, max lon, max lat) of the shape's outlines."""
    xs = [float(p[0]) for polygon in polygons for p in polygon[0]]
    ys = [float(p[1]) for polygon in polygons for p in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)
