"""Small inline SVG charts: a score gauge, a sparkline and a trend chart. No library, no script.

Every function returns markup safe to put in a template as is (numbers and escaped text only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from markupsafe import Markup, escape


def score_colour(score: float | None) -> str:
    """Red at 0, amber at 50, green at 100 (grey when there is no score)."""
    if score is None:
        return "hsl(0, 0%, 70%)"
    return f"hsl({round(1.2 * max(0.0, min(100.0, score)))}, 65%, 42%)"


def gauge(score: int | None, label: str) -> Markup:
    """A ring filled to SCORE of 100, the number in its middle."""
    radius, width = 42, 10
    circumference = 2 * 3.141592653589793 * radius
    filled = 0.0 if score is None else circumference * score / 100
    text = "n/a" if score is None else str(score)
    return Markup(  # noqa: S704 - numbers and escaped text only
        '<svg class="gauge" viewBox="0 0 100 100" width="120" height="120" role="img" '
        f'aria-label="{escape(label)}: {text}">'
        f'<circle cx="50" cy="50" r="{radius}" fill="none" stroke="#e5e7eb" '
        f'stroke-width="{width}"/>'
        f'<circle cx="50" cy="50" r="{radius}" fill="none" stroke="{score_colour(score)}" '
        f'stroke-width="{width}" stroke-dasharray="{filled:.1f} {circumference:.1f}" '
        'transform="rotate(-90 50 50)"/>'
        f'<text x="50" y="57" text-anchor="middle" font-size="24" font-weight="600">{text}</text>'
        "</svg>"
    )


def _points(values: Sequence[float | None], width: float, height: float, pad: float) -> list[str]:
    step = (width - 2 * pad) / max(1, len(values) - 1)
    return [
        f"{pad + i * step:.1f},{pad + (height - 2 * pad) * (1 - v / 100):.1f}"
        for i, v in enumerate(values)
        if v is not None
    ]


def sparkline(values: Sequence[float | None], label: str, width: int = 96) -> Markup:
    """Scores of earlier runs, oldest first, on a 0-100 scale; the last point marked."""
    height, pad = 24, 3
    points = _points(values, width, height, pad)
    shown = ", ".join("n/a" if v is None else f"{v:g}" for v in values)
    parts = [
        f'<svg class="spark" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(label)}: {escape(shown)}"><title>{escape(shown)}</title>'
    ]
    if len(points) > 1:
        line = " ".join(points)
        parts.append(f'<polyline fill="none" stroke="#2563eb" stroke-width="1.5" points="{line}"/>')
    if points:
        x, y = points[-1].split(",")
        parts.append(f'<circle cx="{x}" cy="{y}" r="2.5" fill="#2563eb"/>')
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only


def trend_chart(
    runs: Sequence[str], series: Mapping[str, Sequence[float | None]], label: str
) -> Markup:
    """A line per series over RUNS (their timestamps), 0-100, with a legend and gridlines."""
    width, height, pad = 640, 200, 28
    colours = ("#2563eb", "#d97706", "#059669", "#7c3aed")
    parts = [
        f'<svg class="trend" viewBox="0 0 {width} {height}" width="100%" role="img" '
        f'aria-label="{escape(label)}">'
    ]
    for level in (0, 50, 100):
        y = pad + (height - 2 * pad) * (1 - level / 100)
        parts.append(
            f'<line x1="{pad}" x2="{width - pad}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e7eb"/>'
            f'<text x="{pad - 4}" y="{y + 4:.1f}" font-size="10" text-anchor="end">{level}</text>'
        )
    if runs:
        parts.append(
            f'<text x="{pad}" y="{height - 6}" font-size="10">{escape(runs[0])}</text>'
            f'<text x="{width - pad}" y="{height - 6}" font-size="10" text-anchor="end">'
            f"{escape(runs[-1])}</text>"
        )
    for number, (name, values) in enumerate(series.items()):
        colour = colours[number % len(colours)]
        points = _points(values, width, height, pad)
        if len(points) > 1:
            parts.append(
                f'<polyline fill="none" stroke="{colour}" stroke-width="2" '
                f'points="{" ".join(points)}"/>'
            )
        for point in points:
            cx, cy = point.split(",")
            parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
        parts.append(
            f'<text x="{pad + 8 + number * 110}" y="14" font-size="11" fill="{colour}">'
            f"&#9632; {escape(name)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704 - numbers and escaped text only
