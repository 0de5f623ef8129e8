"""Severity bands of a 0–100 score where higher is worse: one rule for risks and postures.

The rollups (`assets.posture.rules`) classify with these thresholds in Polars; the API labels a
posture score with `band` so that every page shows the same band for the same score.
"""

from __future__ import annotations

from typing import Literal

Severity = Literal["critical", "high", "medium", "low", "unassessed"]

# Lowest score of each assessed severity, worst first; below the last one a score is "low".
SEVERITY_THRESHOLDS: tuple[tuple[Severity, float], ...] = (
    ("critical", 75.0),
    ("high", 50.0),
    ("medium", 25.0),
)
# How every page states the scale's direction next to a score.
DIRECTION = "higher is worse"


def band(score: float | None) -> Severity:
    """The band of `score`: the first threshold it reaches, else low; no score is unassessed."""
    if score is None:
        return "unassessed"
    for name, lowest in SEVERITY_THRESHOLDS:
        if score >= lowest:
            return name
    return "low"
