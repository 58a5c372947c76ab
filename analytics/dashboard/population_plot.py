"""The prior and posterior of the population size as an SVG drawn on the server."""

from __future__ import annotations

from typing import Any

#: The drawing's size in SVG units, and the room left for the axes' labels.
WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 16, 16, 12, 44
TICKS = 5


def _points(xs: list[float], ys: list[float]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in zip(xs, ys, strict=True))


def density_plot(result: dict[str, Any]) -> dict[str, Any] | None:
    """Return the coordinates of the prior and posterior curves and of the summaries' markers."""
    density = result.get("density") or {}
    sizes = density.get("size") or []
    if len(sizes) < 2:
        return None
    first, last = sizes[0], sizes[-1]
    width, height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top = max(max(density["prior"]), max(density["posterior"])) * 1.08 or 1.0

    def x_of(size: float) -> float:
        return LEFT + (min(max(size, first), last) - first) / (last - first) * width

    def y_of(value: float) -> float:
        return TOP + height - value / top * height

    xs = [x_of(s) for s in sizes]
    step = (last - first) / (TICKS - 1)
    axis = TOP + height
    # Coordinates are formatted here: a page in Russian would write 12,5 for 12.5.
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "axis_y": f"{axis}",
        "tick_end": f"{axis + 5}",
        "left": f"{LEFT}",
        "right": f"{WIDTH - RIGHT}",
        "top": f"{TOP}",
        "prior": _points(xs, [y_of(v) for v in density["prior"]]),
        "posterior": _points(xs, [y_of(v) for v in density["posterior"]]),
        "band_x": f"{x_of(result['lower']):.1f}",
        "band_width": f"{x_of(result['upper']) - x_of(result['lower']):.1f}",
        "band_height": f"{height}",
        "median_x": f"{x_of(result['median']):.1f}",
        "ticks": [
            {"x": f"{x_of(first + i * step):.1f}", "label": round(first + i * step)}
            for i in range(TICKS)
        ],
        "label_y": f"{axis + 18}",
        "title_y": f"{HEIGHT - 4}",
    }
