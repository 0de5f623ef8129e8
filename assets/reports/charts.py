"""Charts for the board report, drawn server-side as SVG text (the PDF embeds them as vectors).

Pure functions of the numbers: no plotting library, no fonts beyond the PDF's own.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from xml.sax.saxutils import escape

from draxis.severity import SEVERITY_THRESHOLDS

# Band colours behind a 0–100 chart, worst first, and the line's colour.
BAND_FILL = {"critical": "#fde2e1", "high": "#feecd6", "medium": "#fdf6d3", "low": "#e4f4e8"}
LINE = "#1f3a93"
WIDTH, HEIGHT, PAD = 480, 160, 28


def _y(score: float) -> float:
    return PAD / 2 + (HEIGHT - PAD) * (1 - score / 100)


def posture_chart(points: Sequence[tuple[date, float | None]], title: str = "") -> str:
    """A 0–100 line chart of daily scores over the bands (higher is worse), oldest left."""
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}">'
    ]
    upper = 100.0
    for name, lowest in (*SEVERITY_THRESHOLDS, ("low", 0.0)):
        top, bottom = _y(upper), _y(lowest)
        parts.append(
            f'<rect x="{PAD}" y="{top:.1f}" width="{WIDTH - PAD}" height="{bottom - top:.1f}"'
            f' fill="{BAND_FILL[name]}"/>'
        )
        parts.append(
            f'<text x="2" y="{top + 10:.1f}" font-size="8" fill="#555">{int(upper)}</text>'
        )
        upper = lowest
    scored = [(d, s) for d, s in points if s is not None]
    if len(scored) >= 2:
        first, last = scored[0][0], scored[-1][0]
        span = max((last - first).days, 1)
        coords = " ".join(
            f"{PAD + (WIDTH - PAD - 4) * (d - first).days / span:.1f},{_y(s):.1f}"
            for d, s in scored
        )
        parts.append(f'<polyline points="{coords}" fill="none" stroke="{LINE}" stroke-width="2"/>')
    elif scored:
        parts.append(f'<circle cx="{WIDTH - 8}" cy="{_y(scored[0][1]):.1f}" r="3" fill="{LINE}"/>')
    if title:
        parts.append(
            f'<text x="{PAD + 4}" y="{HEIGHT - 4}" font-size="9" fill="#333">{escape(title)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)
